//! The pipeline: wires the stages together and runs them in parallel (rayon); the only other
//! parallel loops are in name clustering (grouping mentions, spelling pairs, links, clusters),
//! in alignment (building the index per document, selection's two sides), in its pool, and in
//! building the larger reports (`report`).
//!
//! Per-document stages run with `par_iter` and keep input order; corpus-wide statistics are
//! merged by a merge whose result does not depend on grouping or order. The result is
//! identical whatever the number of threads.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ParallelProgressIterator, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::align::{
    AlignConfig, AlignKind, Candidate, ContentTokens, DocumentItems, DocumentRanges, DocumentWords,
    EvidenceCache, Group, Index, Item, Pair, Scored, Texts, UnitRef, agreement, candidates, coherent,
    describe, group, group_order, name_tokens, run_starts, score, select,
};
use crate::clean::{CorpusStats, classify_lines, corpus_stats, find_defects};
use crate::cluster::{ClusterConfig, NameCluster, Spellings, confirm};
use crate::error::{Diagnostic, Error};
use crate::load::{LoadOptions, load};
use crate::model::{Document, Segmented};
use crate::names::{Mention, extract_mentions, join_and_split_juxtaposed};
use crate::score::{Alphabet, CharCounts, SKETCH_BLOCK, SketchBlock, Sketches};
use crate::segment::segment;

/// Settings for a run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Worker threads; 0 lets rayon choose (one per core).
    pub threads: usize,
    /// Loader limits.
    pub load: LoadOptions,
    /// Name clustering thresholds.
    pub names: ClusterConfig,
    /// Alignment settings.
    pub align: AlignConfig,
    /// Show progress bars on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// The last stage to run: a report that only needs segments or names need not wait for
    /// alignment.
    pub depth: Depth,
}

/// How far the pipeline runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    /// Cleaning and segmentation.
    Segments,
    /// Also name mentions and clusters, on spelling evidence alone: links between two
    /// established spellings are kept unconfirmed, since confirming them needs alignment.
    Names,
    /// Also alignment, groups and divergences.
    #[default]
    Alignment,
}

/// Items a parallel stage takes at a time where it moves its progress bar once per chunk.
const PROGRESS_CHUNK: usize = 1024;

/// A progress bar for one stage, hidden unless progress is wanted and stderr is a terminal.
fn stage_bar(config: &Config, stage: &'static str, length: usize) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {human_pos}/{human_len} {elapsed}")
        .expect("the progress template is valid")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(stage);
    bar
}

/// Everything a run found, ready for output.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The loaded documents, in input order.
    pub documents: Vec<Document>,
    /// One entry per document, same order.
    pub segmented: Vec<Segmented>,
    /// Name mentions of all documents, in document then text order.
    pub mentions: Vec<Mention>,
    /// Name clusters, by id.
    pub names: Vec<NameCluster>,
    /// Aligned pairs of units across sources, sorted.
    pub pairs: Vec<Pair>,
    /// Statement groups, by id.
    pub groups: Vec<Group>,
    /// Problems with inputs, in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// Wall-clock time per stage, in the order the stages ran.
    pub timings: Timings,
}

/// Wall-clock time per pipeline stage: where a run's time went.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// The stages in the order they ran.
    pub stages: Vec<Stage>,
}

/// One timed stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// What ran.
    pub name: &'static str,
    /// How long it took.
    pub time: Duration,
    /// How much it produced, and of what (pairs, items), where that explains the time.
    pub output: Option<(usize, &'static str)>,
    /// The process's peak resident memory so far, in bytes, where the system tells it.
    pub peak_memory: Option<u64>,
    /// CPU time all threads spent in the stage, where the system tells it: against `time`,
    /// how many cores the stage kept busy.
    pub cpu_time: Option<Duration>,
    /// Of `cpu_time`, what the kernel spent for the process (mostly handing it fresh memory).
    pub system_time: Option<Duration>,
    /// Minor page faults in the stage, where the system tells it: each is a page of memory
    /// the process touched for the first time, which the kernel must clear (on some virtual
    /// machines at a price that varies tenfold from hour to hour).
    pub page_faults: Option<u64>,
}

/// What the process has used so far, on Linux: from `/proc/self/stat`.
#[derive(Debug, Clone, Copy)]
struct Usage {
    /// `utime`, in the kernel's fixed user-visible tick of a hundredth of a second.
    user: Duration,
    /// `stime`, likewise.
    system: Duration,
    /// `minflt`.
    minor_faults: u64,
}

impl Usage {
    fn now() -> Option<Usage> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name in parentheses may hold spaces; the fields are counted after it.
        let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
        let count = |field: usize| fields.get(field)?.parse::<u64>().ok();
        let ticks = |field: usize| count(field).map(|ticks| Duration::from_millis(ticks * 10));
        Some(Usage { user: ticks(11)?, system: ticks(12)?, minor_faults: count(7)? })
    }

    fn cpu(&self) -> Duration {
        self.user + self.system
    }
}

/// The process's peak resident set size (`VmHWM`), on Linux.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

impl Timings {
    /// Runs `stage`, recording how long it took under `name`.
    pub fn time<T>(&mut self, name: &'static str, stage: impl FnOnce() -> T) -> T {
        let (start, usage_start) = (Instant::now(), Usage::now());
        let result = stage();
        let time = start.elapsed();
        let usage = Usage::now().zip(usage_start);
        self.stages.push(Stage {
            name,
            time,
            output: None,
            peak_memory: peak_memory(),
            cpu_time: usage.map(|(end, start)| end.cpu().saturating_sub(start.cpu())),
            system_time: usage.map(|(end, start)| end.system.saturating_sub(start.system)),
            page_faults: usage.map(|(end, start)| end.minor_faults.saturating_sub(start.minor_faults)),
        });
        result
    }

    /// Notes how much the last stage produced.
    fn produced(&mut self, count: usize, what: &'static str) {
        if let Some(stage) = self.stages.last_mut() {
            stage.output = Some((count, what));
        }
    }
}

impl Analysis {
    /// A unit's original text and the unit itself.
    pub fn unit(&self, unit: UnitRef) -> (&str, &crate::model::Unit) {
        let doc = unit.doc.0 as usize;
        let found = &self.segmented[doc].units[unit.unit as usize];
        (found.span.of(&self.documents[doc].text), found)
    }

    /// Reads where each of `units` is and the first byte of its text, and returns nothing of
    /// use: a report that visits units out of corpus order waits for two cache misses per
    /// unit, and loads that do not depend on one another overlap, where the same loads while
    /// writing come one after another.
    pub fn touch(&self, units: impl Iterator<Item = UnitRef>) {
        touch_texts(units.map(|unit| self.unit(unit).0));
    }

    /// A document's source name.
    pub fn source(&self, doc: crate::model::DocId) -> &str {
        &self.documents[doc.0 as usize].source
    }
}

/// Reads the first byte of each of `texts` and returns nothing of use: rows that visit texts
/// out of corpus order wait for a cache miss per text, and loads that do not depend on one
/// another overlap, where the same loads while writing come one after another.
pub fn touch_texts<'t>(texts: impl Iterator<Item = &'t str>) {
    std::hint::black_box(
        texts.map(|text| text.as_bytes().first().copied().unwrap_or(0)).fold(0u8, u8::wrapping_add),
    );
}

/// Loads the inputs and runs every stage on them.
///
/// Inputs that cannot be read become diagnostics; a run whose inputs yield no document at all
/// still returns them, so the caller can report them before failing.
pub fn run(inputs: &[PathBuf], config: &Config) -> Result<Analysis, Error> {
    let pool = thread_pool(config)?;
    let mut load_timing = Timings::default();
    let loaded = load_timing.time("load", || pool.install(|| load(inputs, &config.load)));
    load_timing.produced(loaded.documents.len(), "documents");
    let mut analysis = analyse_in(&pool, loaded.documents, config);
    analysis.diagnostics = loaded.diagnostics;
    analysis.timings.stages.splice(0..0, load_timing.stages);
    Ok(analysis)
}

/// Runs every stage on documents already in memory (their ids must be their positions).
pub fn analyse(documents: Vec<Document>, config: &Config) -> Result<Analysis, Error> {
    Ok(analyse_in(&thread_pool(config)?, documents, config))
}

/// The pool every parallel stage runs in: `config.threads` threads, or one per core.
fn thread_pool(config: &Config) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|err| Error::Config(format!("cannot start {} threads: {err}", config.threads)))
}

fn analyse_in(pool: &rayon::ThreadPool, documents: Vec<Document>, config: &Config) -> Analysis {
    let mut timings = Timings::default();
    let (segmented, mentions, names, (pairs, groups)) = pool.install(|| {
        let corpus = timings.time("statistics", || corpus_stats(&documents));
        let segmented = timings.time("segment", || {
            segment_with(&documents, &corpus, &stage_bar(config, "segment", documents.len()))
        });
        timings.produced(segmented.iter().map(|s| s.units.len()).sum(), "units");
        if config.depth < Depth::Names {
            return (segmented, Vec::new(), Vec::new(), (Vec::new(), Vec::new()));
        }
        let mentions = timings.time("mentions", || {
            mentions_of(&documents, &segmented, &corpus, &stage_bar(config, "names", documents.len()))
        });
        // Nothing after mention extraction reads the corpus statistics; free them before the
        // large allocations of alignment.
        drop(corpus);
        timings.produced(mentions.len(), "mentions");
        // Alignment's items and their words need no names: found beside clustering, they fill
        // the cores its serial steps leave idle. Half the documents' words are left for the
        // last step, merging spellings in order on one thread: found before it, they left the
        // other core idle while it ran (0.4 s at a million sentences).
        let ((spellings, names, contested), words) = timings.time("cluster+words", || {
            let wanted = config.depth == Depth::Alignment;
            let bar =
                if wanted { stage_bar(config, "words", documents.len()) } else { ProgressBar::hidden() };
            let words_of = |range: std::ops::Range<usize>| {
                if !wanted {
                    return Vec::new();
                }
                per_document(
                    &documents[range.clone()],
                    &segmented[range],
                    &bar,
                    ContentTokens::default,
                    |tokens, document, segmented| DocumentWords::of(document, segmented, tokens),
                )
            };
            let half = documents.len() / 2;
            let (spellings, mut words) =
                rayon::join(|| Spellings::new(&mentions, &config.names), || words_of(0..half));
            let ((names, contested), rest) =
                rayon::join(|| spellings.cluster(None), || words_of(half..documents.len()));
            bar.finish_and_clear();
            words.extend(rest);
            ((spellings, names, contested), words)
        });
        timings.produced(names.len(), "clusters");
        if config.depth < Depth::Alignment {
            return (segmented, mentions, names, (Vec::new(), Vec::new()));
        }
        // Contested spelling links stand only where a close aligned pair of sentences shows
        // both spellings (see `ClusterConfig::confirming_similarity`); without them the
        // clusters are built again. This needs the aligned pairs but not their descriptions,
        // and mostly runs on one thread: it runs beside describing.
        let sentence =
            |unit: UnitRef| (unit.doc, segmented[unit.doc.0 as usize].units[unit.unit as usize].index);
        let confirm_names = |confirming_sentences: Vec<(UnitRef, UnitRef)>| {
            let confirmed = confirm(&contested, &mentions, confirming_sentences, sentence);
            let all_confirmed = contested.iter().all(|link| confirmed.contains(link));
            (!all_confirmed).then(|| spellings.cluster(Some(&confirmed)).0)
        };
        let (pairs, groups, relinked) =
            align(&documents, &segmented, words, &names, config, &mut timings, confirm_names);
        let names = relinked.unwrap_or(names);
        timings.produced(names.len(), "clusters");
        (segmented, mentions, names, (pairs, groups))
    });
    Analysis { documents, segmented, mentions, names, pairs, groups, diagnostics: Vec::new(), timings }
}

/// Cleans and segments every document.
pub fn segment_all(documents: &[Document]) -> Vec<Segmented> {
    segment_with(documents, &corpus_stats(documents), &ProgressBar::hidden())
}

/// Finds the name mentions of every document.
fn mentions_of(
    documents: &[Document],
    segmented: &[Segmented],
    corpus: &CorpusStats,
    bar: &ProgressBar,
) -> Vec<Mention> {
    let per_document = per_document(
        documents,
        segmented,
        bar,
        || (),
        |(), document, segmented| {
            extract_mentions(document, &segmented.units, &segmented.defects, &corpus.vocabulary)
        },
    );
    bar.finish_and_clear();
    // Joined by the splitting, into a vector sized first: collecting them flattened grew a
    // vector per thread, copying a million mentions into fresh memory at each doubling.
    join_and_split_juxtaposed(per_document)
}

/// `each` of every document with its segmentation, in parallel and in document order, shown
/// on `bar` (which the caller finishes). `each` also gets a state that `init` made for the
/// documents one task reads (see rayon's `map_init`), for what documents can share.
fn per_document<S, T: Send>(
    documents: &[Document],
    segmented: &[Segmented],
    bar: &ProgressBar,
    init: impl Fn() -> S + Sync + Send,
    each: impl Fn(&mut S, &Document, &Segmented) -> T + Sync + Send,
) -> Vec<T> {
    documents
        .par_iter()
        .zip(segmented)
        .progress_with(bar.clone())
        .map_init(init, |state, (document, segmented)| each(state, document, segmented))
        .collect()
}

/// Finds, scores and selects aligned pairs of the items in `words`, groups them into
/// statements and describes them; `alongside_describe` gets the aligned sentence pairs close
/// enough to confirm a contested name link (`names.confirming_similarity` of the run's
/// configuration) and runs while they are described.
fn align<R: Send>(
    documents: &[Document],
    segmented: &[Segmented],
    words: Vec<DocumentWords>,
    names: &[NameCluster],
    run_config: &Config,
    timings: &mut Timings,
    alongside_describe: impl FnOnce(Vec<(UnitRef, UnitRef)>) -> R + Send,
) -> (Vec<Pair>, Vec<Group>, R) {
    let config = &run_config.align;
    let name_index = name_tokens(names);
    let (items, index) = timings.time("index", || {
        let bar = stage_bar(run_config, "index", documents.len());
        let documents_items: Vec<DocumentItems> =
            words.into_par_iter().progress_with(bar.clone()).map(|words| words.items(&name_index)).collect();
        bar.finish_and_clear();
        let items: Vec<Item> =
            documents_items.iter().flat_map(|document| document.items.iter().copied()).collect();
        let index = Index::build(documents_items, documents.len(), config);
        (items, index)
    });
    timings.produced(items.len(), "items");
    let documents_of_items = DocumentRanges::new(&items);
    let (candidate_pairs, probe_order) = timings.time("candidates", || {
        let bar = stage_bar(run_config, "candidates", items.len());
        let probe_order = index.probe_order();
        // The bar moves a chunk of items at a time: moved per item (a lock and a clock read
        // each, even when hidden), it was a thirtieth of this stage at a million sentences.
        let per_chunk: Vec<Vec<Candidate>> = probe_order
            .par_chunks(PROGRESS_CHUNK)
            .map_init(EvidenceCache::default, |measured, chunk| {
                bar.inc(chunk.len() as u64);
                let of = |&item: &u32| {
                    candidates(item as usize, &items, &documents_of_items, &index, config, measured)
                };
                chunk.iter().flat_map(of).collect()
            })
            .collect();
        // Joined once, at their exact size: rayon's collect of an unindexed iterator grew a
        // vector per job by doubling, 70 MB of fresh pages more at a million sentences.
        let mut candidate_pairs: Vec<Candidate> = per_chunk.concat();
        drop(per_chunk);
        bar.finish_and_clear();
        candidate_pairs.par_sort_unstable_by_key(|candidate| (candidate.a, candidate.b));
        candidate_pairs.dedup_by_key(|candidate| (candidate.a, candidate.b));
        (candidate_pairs, probe_order)
    });
    timings.produced(candidate_pairs.len(), "pairs");
    let text_of = |unit: UnitRef| {
        let doc = unit.doc.0 as usize;
        segmented[doc].units[unit.unit as usize].span.of(&documents[doc].text)
    };
    // One sketch per item that has a candidate, built once: scoring compares each item with
    // many candidates, and items without any need none.
    let sketches = timings.time("sketch", || {
        let mut wanted = vec![false; items.len()];
        for candidate in &candidate_pairs {
            wanted[candidate.a as usize] = true;
            wanted[candidate.b as usize] = true;
        }
        let texts = |items: &[Item], wanted: &[bool]| -> Vec<Option<&str>> {
            items.iter().zip(wanted).map(|(item, &wanted)| wanted.then(|| text_of(item.unit))).collect()
        };
        let blocks = || items.par_chunks(SKETCH_BLOCK).zip(wanted.par_chunks(SKETCH_BLOCK));
        let counts = blocks()
            .map(|(items, wanted)| CharCounts::of(texts(items, wanted).into_iter().flatten()))
            .reduce(CharCounts::default, CharCounts::merge);
        let alphabet = Alphabet::new(counts);
        let blocks =
            blocks().map(|(items, wanted)| SketchBlock::new(&texts(items, wanted), &alphabet)).collect();
        Sketches::from_blocks(blocks, &alphabet)
    });
    let scored: Vec<Scored> = timings.time("score", || {
        let bar = stage_bar(run_config, "score", candidate_pairs.len());
        // Scored in place, one record per candidate, then those below the threshold (which
        // can never be kept) dropped in one pass: collected as they came, the records were
        // copied from vector to growing vector, touching three times their memory.
        let mut scored = vec![Scored::default(); candidate_pairs.len()];
        // First items in probe order, each with its candidates: items probed together share
        // their candidates, whose sketches are then still in cache (in first-item order, every
        // second item's sketch was a miss at scale: scoring took a third longer at a million
        // sentences). The records are sorted back after (candidates are distinct pairs, so
        // the order is total and the same on any number of threads).
        let starts = run_starts(candidate_pairs.iter().map(|candidate| candidate.a), items.len());
        let of_item =
            |item: u32| &candidate_pairs[starts[item as usize] as usize..starts[item as usize + 1] as usize];
        let chunks: Vec<&[u32]> = probe_order.chunks(PROGRESS_CHUNK).collect();
        let mut outputs: Vec<&mut [Scored]> = Vec::with_capacity(chunks.len());
        let mut rest = scored.as_mut_slice();
        for chunk in &chunks {
            let length = chunk.iter().map(|&item| of_item(item).len()).sum();
            let (output, after) = std::mem::take(&mut rest).split_at_mut(length);
            outputs.push(output);
            rest = after;
        }
        outputs.into_par_iter().zip(chunks).for_each_init(
            || sketches.comparer(),
            |comparer, (output, chunk)| {
                bar.inc(output.len() as u64);
                let candidates: Vec<&Candidate> = chunk.iter().flat_map(|&item| of_item(item)).collect();
                // Second items not shared are still scattered: their sketches are touched a
                // few hundred at a time before scoring (see `Sketches::touch`).
                for (output, candidates) in output.chunks_mut(256).zip(candidates.chunks(256)) {
                    sketches.touch(candidates.iter().map(|candidate| candidate.b as usize));
                    for (scored, candidate) in output.iter_mut().zip(candidates) {
                        *scored = score(candidate, comparer);
                    }
                }
            },
        );
        scored.retain(|pair| pair.similarity >= config.threshold);
        scored.par_sort_unstable_by_key(|pair| (pair.a, pair.b));
        bar.finish_and_clear();
        scored
    });
    timings.produced(scored.len(), "pairs above the threshold");
    drop((candidate_pairs, probe_order));
    let mut pairs = timings.time("select", || select(&scored, &items, config));
    drop(scored);
    timings.produced(pairs.len(), "pairs");
    let texts = Texts::new(&items, &documents_of_items, &sketches, text_of);
    let (mut pairs, groups) = timings.time("group", || {
        let mut groups = group(&mut pairs);
        groups.par_iter_mut().for_each(|group| group.agreement = agreement(group, &index, &texts));
        // Only the groups that pruning changed are measured again.
        let (pairs, mut groups, formed) = coherent(pairs, groups, config.coherence_threshold);
        groups.par_iter_mut().zip(formed).filter(|(_, formed)| *formed).for_each(|(group, _)| {
            group.agreement = agreement(group, &index, &texts);
        });
        (pairs, groups)
    });
    timings.produced(pairs.len(), "coherent pairs");
    // Describing needs only the texts: the sketches (at 1M, 300 MB) and the index go first, so
    // that what describing keeps (every kept pair's diff) fits in memory already touched.
    let scored_exactly = sketches.is_exact();
    drop((sketches, index));
    // The sentence pairs close enough to confirm a contested name link.
    let confirming = |pair: &&Pair| {
        pair.kind == AlignKind::Sentence && pair.similarity >= run_config.names.confirming_similarity
    };
    let confirming_sentences: Vec<(UnitRef, UnitRef)> =
        pairs.iter().filter(confirming).map(|pair| (pair.a, pair.b)).collect();
    let ((), alongside) = timings.time("describe+confirm", || {
        let bar = stage_bar(run_config, "describe", pairs.len());
        let described = rayon::join(
            || {
                // Statement group by group: a group's units are in several of its pairs each,
                // and each is prepared once per group.
                let order = group_order(&pairs, groups.len());
                let mut unordered: Vec<Option<&mut Pair>> = pairs.iter_mut().map(Some).collect();
                let mut by_group: Vec<&mut Pair> = order
                    .into_iter()
                    .map(|position| unordered[position].take().expect("each pair once"))
                    .collect();
                by_group.par_chunk_by_mut(|x, y| x.group == y.group).for_each(|group| {
                    describe(group, text_of, scored_exactly, &name_index);
                    bar.inc(group.len() as u64);
                })
            },
            || alongside_describe(confirming_sentences),
        );
        bar.finish_and_clear();
        described
    });
    (pairs, groups, alongside)
}

fn segment_with(documents: &[Document], corpus: &CorpusStats, bar: &ProgressBar) -> Vec<Segmented> {
    let segmented = documents
        .par_iter()
        .progress_with(bar.clone())
        .map(|document| {
            let classes = classify_lines(document, corpus);
            let defects = find_defects(document, &classes, &corpus.vocabulary);
            let units = segment(document, &classes, &defects);
            Segmented { doc: document.id, units, defects }
        })
        .collect();
    bar.finish_and_clear();
    segmented
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stage_records_the_cpu_time_it_took() {
        let mut timings = Timings::default();
        timings.time("work", || {
            let before = Usage::now().expect("Linux tells a process its CPU time").cpu();
            // Work until the tick moves; a busy machine only makes this take longer.
            let deadline = Instant::now() + Duration::from_secs(30);
            while Usage::now().expect("still told").cpu() <= before {
                assert!(Instant::now() < deadline, "no CPU time counted in 30 s of work");
            }
        });
        let cpu = timings.stages[0].cpu_time.expect("recorded");
        assert!(cpu >= Duration::from_millis(10), "{cpu:?}");
    }

    /// Whether one name cluster holds both spellings, after analysing one document per text.
    fn one_person(texts: &[String], a: &str, b: &str) -> bool {
        let documents = texts
            .iter()
            .enumerate()
            .map(|(id, text)| {
                crate::model::Document::new(crate::model::DocId(id as u32), format!("s{id}"), text.as_str())
            })
            .collect();
        let analysis = analyse(documents, &Config::default()).expect("analyses");
        let has = |cluster: &NameCluster, name: &str| cluster.variants.iter().any(|v| v.surface == name);
        analysis.names.iter().any(|cluster| has(cluster, a) && has(cluster, b))
    }

    #[test]
    fn only_a_close_aligned_pair_confirms_two_established_spellings_as_one_person() {
        // Each spelling in three sources (so the link between them is contested), each source
        // stating something else in the same mould: the pairs that show both spellings are
        // aligned at 0.37-0.46, two statements built alike, and confirm nothing.
        let statements = [
            ("Priino", "pipeline on the agricultural customs union is unofficial"),
            ("Zarmir", "truce on the civilian bank transfers is finished"),
            ("Velburg", "sanctions on the railway nuclear plant is intolerable"),
            ("Kargrad", "meeting on the civilian energy grid is serious"),
            ("Belava", "penalties on the border oil embargo is unacceptable"),
            ("Morava", "ceasefire on the eastern visa regime is grave"),
        ];
        let mut texts: Vec<String> = statements
            .iter()
            .enumerate()
            .map(|(at, (place, what))| {
                let name = if at < 3 { "Sergei Zaguenko" } else { "Sergei Zigouenko" };
                format!("{name} said in {place}: «The {what}, we will not accept it.» The weather was mild.")
            })
            .collect();
        assert!(!one_person(&texts, "Sergei Zaguenko", "Sergei Zigouenko"));
        // One source of the second spelling tells the first source's statement: that close
        // pair confirms them as one person.
        texts[5] = texts[0].replace("Zaguenko", "Zigouenko");
        assert!(one_person(&texts, "Sergei Zaguenko", "Sergei Zigouenko"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stage_records_the_fresh_pages_it_touched() {
        const BYTES: usize = 64 << 20;
        let mut timings = Timings::default();
        timings.time("touch", || std::hint::black_box(vec![1u8; BYTES]).len());
        // Half the pages at least: the allocator may hand back a few it had already.
        let faults = timings.stages[0].page_faults.expect("recorded");
        assert!(faults >= (BYTES / 4096 / 2) as u64, "{faults} faults");
        // A stage counts its own: other tests of this process may touch pages meanwhile, but
        // not the 16k the first stage touched.
        timings.time("idle", || ());
        assert!(timings.stages[1].page_faults.expect("recorded") < (BYTES / 4096 / 4) as u64);
    }
}
