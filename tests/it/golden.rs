//! Golden files: the reports for the seed corpus and a smoke corpus, compared byte for byte.
//!
//! `UPDATE_EXPECT=1 cargo test` rewrites them; review the diff like code.

use expect_test::{ExpectFile, expect_file};

use crate::support::{root, run};

fn check_reports(corpus: &str, reports: &[(&str, ExpectFile)]) {
    let out = tempfile::tempdir().expect("temporary directory");
    let out_dir = out.path().to_str().expect("temporary path is UTF-8");
    let output = run(&root(), &["check", corpus, "-o", out_dir, "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    for (name, expected) in reports {
        let actual = std::fs::read_to_string(out.path().join(name)).expect("report was written");
        expected.assert_eq(&actual);
    }
}

#[test]
fn seed_corpus_reports_match_golden_files() {
    check_reports(
        "corpus",
        &[
            ("segments.csv", expect_file!["../golden/witkoff-leak/segments.csv"]),
            ("defects.csv", expect_file!["../golden/witkoff-leak/defects.csv"]),
            ("names.csv", expect_file!["../golden/witkoff-leak/names.csv"]),
            ("divergences.csv", expect_file!["../golden/witkoff-leak/divergences.csv"]),
            ("alignments.csv", expect_file!["../golden/witkoff-leak/alignments.csv"]),
            ("duplicates.csv", expect_file!["../golden/witkoff-leak/duplicates.csv"]),
            ("sources.csv", expect_file!["../golden/witkoff-leak/sources.csv"]),
        ],
    );
}

#[test]
fn smoke_corpus_reports_match_golden_files() {
    check_reports(
        "tests/golden/smoke/corpus",
        &[
            ("segments.csv", expect_file!["../golden/smoke/segments.csv"]),
            ("defects.csv", expect_file!["../golden/smoke/defects.csv"]),
            ("names.csv", expect_file!["../golden/smoke/names.csv"]),
            ("alignments.csv", expect_file!["../golden/smoke/alignments.csv"]),
            ("sources.csv", expect_file!["../golden/smoke/sources.csv"]),
        ],
    );
}
