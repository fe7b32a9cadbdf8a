//! Criterion benches: throughput of each stage on the seed corpus.
//!
//! Run with `cargo bench --bench pipeline`; numbers are recorded in README.md.

// criterion's macros generate public functions without docs.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crosscheck::align::{name_tokens, unit_positions};
use crosscheck::clean::corpus_stats;
use crosscheck::cluster::{ClusterConfig, cluster};
use crosscheck::divergence::classify_pairs;
use crosscheck::model::{DocId, Document};
use crosscheck::names::{Mention, MentionContext, extract_mentions};
use crosscheck::normalize::matching_form;
use crosscheck::output::{
    Report, write_alignments, write_divergences, write_duplicates, write_names, write_segments,
};
use crosscheck::pipeline::{Config, analyse, run, segment_all};
use crosscheck::score::{Profile, Sketches, chrf, chrf_plus_plus, compare_texts};
use crosscheck::synth::{SynthConfig, generate};

// The allocator the binary uses (see src/main.rs), so that the benches time what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEEDS: &[(&str, &str)] = &[
    ("italian", include_str!("../corpus/witkoff-leak/italian.txt")),
    ("meduza", include_str!("../corpus/witkoff-leak/meduza.txt")),
    ("moneycontrol", include_str!("../corpus/witkoff-leak/moneycontrol.txt")),
    ("spanish", include_str!("../corpus/witkoff-leak/spanish.txt")),
    ("unian", include_str!("../corpus/witkoff-leak/unian.txt")),
];

/// The seed corpus repeated `copies` times, each copy a distinct document.
fn corpus(copies: usize) -> Vec<Document> {
    (0..copies)
        .flat_map(|copy| SEEDS.iter().map(move |(name, text)| (copy, name, text)))
        .enumerate()
        .map(|(position, (copy, name, text))| {
            Document::new(DocId(position as u32), format!("{name}-{copy}"), (*text).to_owned())
        })
        .collect()
}

fn bytes(documents: &[Document]) -> u64 {
    documents.iter().map(|d| d.text.len() as u64).sum()
}

fn segmentation(c: &mut Criterion) {
    let mut group = c.benchmark_group("segment");
    for copies in [1, 20] {
        let documents = corpus(copies);
        group.throughput(Throughput::Bytes(bytes(&documents)));
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool starts");
            group.bench_with_input(
                BenchmarkId::new(format!("{threads}-threads"), format!("{copies}x-seeds")),
                &documents,
                |b, documents| b.iter(|| pool.install(|| segment_all(documents))),
            );
        }
    }
    group.finish();
}

fn normalisation(c: &mut Criterion) {
    let documents = corpus(1);
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Bytes(bytes(&documents)));
    group.bench_function("matching_form", |b| {
        b.iter(|| documents.iter().map(|d| matching_form(&d.text).len()).sum::<usize>())
    });
    // Alignment takes the matching form of single sentences, most of them ASCII.
    let sentences: Vec<String> = synthetic_documents(2)
        .iter()
        .flat_map(|document| {
            segment_all(std::slice::from_ref(document))
                .remove(0)
                .units
                .into_iter()
                .map(|unit| unit.span.of(&document.text).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    group.throughput(Throughput::Bytes(sentences.iter().map(|s| s.len() as u64).sum()));
    group.bench_function("matching_form-synthetic-sentences", |b| {
        b.iter(|| sentences.iter().map(|s| matching_form(s).len()).sum::<usize>())
    });
    group.finish();
}

/// A deterministic pseudo-random stream (xorshift), so every run clusters the same names.
struct Stream(u64);

impl Stream {
    fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// `distinct` name spellings: invented Slavic-looking surnames, each written under one to
/// three romanisation conventions, with or without a given name, one mention each.
fn name_mentions(distinct: usize) -> Vec<Mention> {
    const ONSETS: &[&str] = &[
        "b", "v", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "z", "sh", "kh", "zh", "ch", "br", "kr",
        "pr", "st",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "y"];
    const ENDINGS: &[&str] = &["ov", "ev", "in", "sky", "enko", "uk", "ich", "off"];
    const GIVEN: &[&str] =
        &["Yuri", "Ivan", "Olga", "Sergei", "Anna", "Pavel", "Dmitry", "Oleg", "Nina", "Boris"];
    let mut stream = Stream(0x9E37_79B9_7F4A_7C15);
    let mut seen = std::collections::HashSet::new();
    let mut mentions = Vec::with_capacity(distinct);
    while seen.len() < distinct {
        let syllables = 2 + stream.next(2);
        let mut surname = String::new();
        for _ in 0..syllables {
            surname.push_str(ONSETS[stream.next(ONSETS.len())]);
            surname.push_str(VOWELS[stream.next(VOWELS.len())]);
        }
        surname.push_str(ENDINGS[stream.next(ENDINGS.len())]);
        for convention in 0..1 + stream.next(3) {
            let spelled = match convention {
                0 => surname.clone(),
                1 => surname.replace("sh", "sch").replace('v', "w"),
                _ => surname.replace("kh", "ch").replace('y', "i"),
            };
            let mut capitalised = spelled[..1].to_uppercase();
            capitalised.push_str(&spelled[1..]);
            let tokens = if stream.next(2) == 0 {
                vec![capitalised]
            } else {
                vec![GIVEN[stream.next(GIVEN.len())].to_owned(), capitalised]
            };
            if seen.insert(tokens.clone()) && seen.len() <= distinct {
                mentions.push(Mention {
                    doc: DocId(stream.next(2000) as u32),
                    sentence: stream.next(500) as u32,
                    tokens: tokens.into_iter().collect(),
                    context: MentionContext::default(),
                    tentative: false,
                });
            }
        }
    }
    mentions
}

fn name_clustering(c: &mut Criterion) {
    let mut group = c.benchmark_group("names");
    // Mentions found per sentence of a synthetic corpus (20 sources of 500 sentences).
    let documents = synthetic_documents(20);
    let segmented = segment_all(&documents);
    let statistics = corpus_stats(&documents);
    group.throughput(Throughput::Elements(segmented.iter().map(|s| s.units.len() as u64).sum()));
    group.bench_function("extract-mentions", |b| {
        b.iter(|| {
            documents
                .iter()
                .zip(&segmented)
                .map(|(document, segmented)| {
                    extract_mentions(document, &segmented.units, &segmented.defects, &statistics.vocabulary)
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.sample_size(10);
    for distinct in [10_000, 100_000] {
        let mentions = name_mentions(distinct);
        group.throughput(Throughput::Elements(distinct as u64));
        group.bench_with_input(BenchmarkId::new("cluster", distinct), &mentions, |b, mentions| {
            b.iter(|| cluster(mentions, &ClusterConfig::default()).len())
        });
    }
    group.finish();
}

/// Sentences of the seed corpus, for scoring benches.
fn seed_sentences() -> Vec<String> {
    let documents = corpus(1);
    segment_all(&documents)
        .iter()
        .zip(&documents)
        .flat_map(|(segmented, document)| {
            segmented.units.iter().map(move |unit| unit.span.of(&document.text).to_owned())
        })
        .collect()
}

fn chrf_scoring(c: &mut Criterion) {
    let sentences = seed_sentences();
    let profiles: Vec<Profile> = sentences.iter().map(|s| Profile::new(s)).collect();
    let pairs: Vec<(usize, usize)> = (0..profiles.len()).map(|i| (i, (i * 7 + 3) % profiles.len())).collect();
    let mut group = c.benchmark_group("chrf");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("chrf-kernel", |b| {
        b.iter(|| pairs.iter().map(|&(x, y)| chrf(&profiles[x], &profiles[y])).sum::<f64>())
    });
    group.bench_function("chrf++-kernel", |b| {
        b.iter(|| pairs.iter().map(|&(x, y)| chrf_plus_plus(&profiles[x], &profiles[y])).sum::<f64>())
    });
    let sketches = Sketches::of(&sentences.iter().map(String::as_str).collect::<Vec<_>>());
    group.bench_function("chrf++-sketches", |b| {
        b.iter(|| {
            let mut comparer = sketches.comparer();
            pairs.iter().map(|&(x, y)| comparer.compare(x, y).chrf_plus_plus(true)).sum::<f64>()
        })
    });
    group.bench_function("chrf++-pair-from-texts", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| compare_texts(&sentences[x], &sentences[y]).chrf_plus_plus(true))
                .sum::<f64>()
        })
    });
    group.bench_function("chrf-with-profiles", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| chrf(&Profile::new(&sentences[x]), &Profile::new(&sentences[y])))
                .sum::<f64>()
        })
    });
    // Building the sketches scoring compares, per text: the units of the 10k synthetic corpus.
    let documents = synthetic_documents(20);
    let units: Vec<&str> = segment_all(&documents)
        .iter()
        .zip(&documents)
        .flat_map(|(segmented, document)| {
            segmented.units.iter().map(move |unit| unit.span.of(&document.text))
        })
        .collect();
    group.throughput(Throughput::Elements(units.len() as u64));
    group.bench_function("build-sketches", |b| b.iter(|| Sketches::of(&units).is_exact()));
    group.finish();
}

/// Documents of a synthetic corpus of `sources` sources of 500 sentences (seed 3).
fn synthetic_documents(sources: usize) -> Vec<Document> {
    generate(&SynthConfig { sources, sentences: 500, seed: 3, changed: 0.0 })
        .documents
        .into_iter()
        .enumerate()
        .map(|(position, (source, text))| Document::new(DocId(position as u32), source, text))
        .collect()
}

/// Describing aligned pairs (their divergence class; the word diff is found as alignments.csv
/// is written, see `reporting`), on the pairs that alignment
/// keeps in a synthetic corpus of 10k sentences, statement group by statement group as
/// alignment describes them (each unit prepared once per group).
fn describing(c: &mut Criterion) {
    let analysis = analyse(synthetic_documents(20), &Config::default()).expect("analysis runs");
    let text = |unit: crosscheck::align::UnitRef| {
        let segmented = &analysis.segmented[unit.doc.0 as usize];
        segmented.units[unit.unit as usize].span.of(&analysis.documents[unit.doc.0 as usize].text)
    };
    let names = name_tokens(&analysis.names);
    let mut by_group: Vec<(u32, &crosscheck::align::Pair)> =
        analysis.pairs.iter().map(|pair| (pair.group, pair)).collect();
    by_group.sort_by_key(|(group, pair)| (*group, pair.a, pair.b));
    /// A group's units' texts, and its pairs as positions among them.
    type GroupPairs<'a> = (Vec<&'a str>, Vec<(usize, usize)>);
    let groups: Vec<GroupPairs> = by_group
        .chunk_by(|x, y| x.0 == y.0)
        .map(|group| {
            let (units, pairs) = unit_positions(group.iter().map(|(_, pair)| (pair.a, pair.b)));
            (units.iter().map(|&unit| text(unit)).collect(), pairs)
        })
        .collect();
    let mut group = c.benchmark_group("divergence");
    group.throughput(Throughput::Elements(analysis.pairs.len() as u64));
    group.bench_function("describe-aligned-pairs", |b| {
        b.iter(|| {
            groups.iter().map(|(texts, pairs)| classify_pairs(texts, pairs, &names).len()).sum::<usize>()
        })
    });
    group.finish();
}

/// Writing each report of the analysis of a synthetic corpus of 10k sentences (to a sink:
/// formatting, not the disk), in bytes of CSV per second.
fn reporting(c: &mut Criterion) {
    let analysis = analyse(synthetic_documents(20), &Config::default()).expect("analysis runs");
    let reports: [(&str, Report); 5] = [
        ("alignments", write_alignments),
        ("duplicates", write_duplicates),
        ("divergences", write_divergences),
        ("segments", write_segments),
        ("names", write_names),
    ];
    let mut group = c.benchmark_group("output");
    for (name, report) in reports {
        let mut csv = Vec::new();
        report(&mut csv, &analysis).expect("writes to memory");
        group.throughput(Throughput::Bytes(csv.len() as u64));
        group.bench_function(name, |b| b.iter(|| report(&mut std::io::sink(), &analysis).expect("writes")));
    }
    group.finish();
}

/// The whole pipeline on `corpus/`: load (from the page cache), clean, segment, names, align.
fn end_to_end(c: &mut Criterion) {
    let corpus_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let total: u64 = SEEDS.iter().map(|(_, text)| text.len() as u64).sum();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(total));
    for threads in [1, 2] {
        let config = Config { threads, ..Config::default() };
        group.bench_function(BenchmarkId::new("run-seed-corpus", format!("{threads}-threads")), |b| {
            b.iter(|| {
                run(std::slice::from_ref(&corpus_dir), &config).expect("the seed corpus loads").pairs.len()
            })
        });
    }
    group.finish();
}

/// The whole pipeline on synthetic corpora of 10k and 100k sentences (20 and 200 sources of
/// 500 sentences), in memory, two threads; 1M when asked for. The analysis is freed outside the
/// timing, as `check` leaves it to the process's exit (freeing it took a third of a second at
/// 1M).
fn scale_ladder(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group.sample_size(10);
    // The 1M rung takes about ten minutes (ten samples of half a minute, plus warm-up), so it
    // runs only when asked for: CROSSCHECK_BENCH_1M=1 cargo bench --bench pipeline -- scale
    let million = std::env::var_os("CROSSCHECK_BENCH_1M").is_some_and(|value| value == "1");
    let rungs: &[usize] = if million { &[20, 200, 2000] } else { &[20, 200] };
    for &sources in rungs {
        let documents = synthetic_documents(sources);
        let sentences = sources * 500;
        group.throughput(Throughput::Elements(sentences as u64));
        let config = Config { threads: 2, ..Config::default() };
        group.bench_function(BenchmarkId::new("check-2-threads", sentences), |b| {
            b.iter_with_large_drop(|| analyse(documents.clone(), &config).expect("analysis runs"))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    segmentation,
    normalisation,
    name_clustering,
    chrf_scoring,
    describing,
    reporting,
    end_to_end,
    scale_ladder
);
criterion_main!(benches);
