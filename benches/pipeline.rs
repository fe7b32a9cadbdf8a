//! Criterion benches: throughput of each stage on the seed corpus.
//!
//! Run with `cargo bench --bench pipeline`; numbers are recorded in README.md.

// criterion's macros generate public functions without docs.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crosscheck::model::{DocId, Document};
use crosscheck::normalize::matching_form;
use crosscheck::pipeline::segment_all;

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
        .map(|(position, (copy, name, text))| Document {
            id: DocId(position as u32),
            source: format!("{name}-{copy}"),
            path: "bench.txt".into(),
            record_line: None,
            encoding: "UTF-8",
            text: (*text).to_owned(),
            title: None,
            date: None,
            url: None,
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
    group.finish();
}

criterion_group!(benches, segmentation, normalisation);
criterion_main!(benches);
