//! chrF and chrF++ match sacrebleu 2.6.0 sentence scores to 1e-6 on 200 pairs
//! (`tests/data/chrf_reference.csv`, made by `tests/data/chrf_reference.py`).

use crosscheck::score::{Profile, chrf, chrf_plus_plus};

#[test]
fn chrf_matches_sacrebleu() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chrf_reference.csv");
    let mut reader = csv::Reader::from_path(path).expect("reference data is readable");
    let mut checked = 0;
    for record in reader.records() {
        let record = record.expect("reference rows are well-formed");
        let (hypothesis, reference) = (Profile::new(&record[0]), Profile::new(&record[1]));
        let expected_chrf: f64 = record[2].parse().expect("a float");
        let expected_pp: f64 = record[3].parse().expect("a float");
        let got = chrf(&hypothesis, &reference);
        assert!(
            (got - expected_chrf).abs() < 1e-6,
            "chrF {got} != {expected_chrf} for {:?} / {:?}",
            &record[0],
            &record[1]
        );
        let got = chrf_plus_plus(&hypothesis, &reference);
        assert!(
            (got - expected_pp).abs() < 1e-6,
            "chrF++ {got} != {expected_pp} for {:?} / {:?}",
            &record[0],
            &record[1]
        );
        checked += 1;
    }
    assert!(checked >= 200, "only {checked} reference pairs");
}
