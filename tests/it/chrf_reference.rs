//! chrF and chrF++ match sacrebleu 2.6.0 sentence scores to 1e-6 on 200 pairs
//! (`tests/data/chrf_reference.csv`, made by `tests/data/chrf_reference.py`).

use crosscheck::score::{Profile, chrf, chrf_plus_plus};

/// A sentence-level score of a hypothesis against a reference.
type Metric = fn(&Profile, &Profile) -> f64;

#[test]
fn chrf_matches_sacrebleu() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chrf_reference.csv");
    let mut reader = csv::Reader::from_path(path).expect("reference data is readable");
    let mut checked = 0;
    for record in reader.records() {
        let record = record.expect("reference rows are well-formed");
        let (hypothesis, reference) = (Profile::new(&record[0]), Profile::new(&record[1]));
        let metrics: [(&str, Metric, &str); 2] =
            [("chrF", chrf, &record[2]), ("chrF++", chrf_plus_plus, &record[3])];
        for (name, metric, expected) in metrics {
            let expected: f64 = expected.parse().expect("a float");
            let got = metric(&hypothesis, &reference);
            assert!(
                (got - expected).abs() < 1e-6,
                "{name} {got} != {expected} for {:?} / {:?}",
                &record[0],
                &record[1]
            );
        }
        checked += 1;
    }
    assert!(checked >= 200, "only {checked} reference pairs");
}
