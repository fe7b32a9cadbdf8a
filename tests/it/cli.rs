//! Flags, outputs and determinism of the command line.

use crate::support::{root, run, run_in, stderr, stdout};

#[test]
fn segment_writes_csv_to_stdout_with_header() {
    let output = run(&root(), &["segment", "tests/golden/smoke/corpus/a.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("source,kind,index,line,start,end,detail,text\n"), "{text}");
    assert!(text.contains("a,quote,0,2,"), "{text}");
}

#[test]
fn formula_cells_are_neutralised_in_reports() {
    let output = run(&root(), &["segment", "tests/golden/smoke/corpus/a.txt"]);
    let text = stdout(&output);
    assert!(text.contains(",\"'=SUM(A1:A3) is not a formula here, and neither is @handle.\"\n"), "{text}");
}

#[test]
fn formula_cells_are_neutralised_in_alignments() {
    // alignments.csv writes its cells without serde (see `output::write_alignment`).
    let dir = tempfile::tempdir().expect("temporary directory");
    let sentence =
        |verb: &str| format!("=Witkoff met Dmitriev in Miami on Saturday to {verb} the peace plan.\n");
    std::fs::write(dir.path().join("a.txt"), sentence("discuss")).expect("written");
    std::fs::write(dir.path().join("b.txt"), sentence("talk about")).expect("written");
    let output = run(dir.path(), &["align", "a.txt", "b.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let row = text.lines().nth(1).expect("one aligned pair");
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[..3], ["1", "sentence", "a"], "{text}");
    for cell in [cells[4], cells[7], cells[12]] {
        assert!(cell.starts_with("'=Witkoff met Dmitriev"), "{cell} in {text}");
    }
}

#[test]
fn defects_writes_to_a_file_atomically() {
    let out = tempfile::tempdir().expect("temporary directory");
    let target = out.path().join("defects.csv");
    let output = run(&root(), &["defects", "corpus", "-o", target.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = std::fs::read_to_string(&target).expect("defects.csv exists");
    assert!(written.starts_with("source,line,kind,text,detail\n"));
    assert!(written.contains("witkoff-leak/spanish,3,glued_words,TrumpThe,Trump The (sentence break)"));
    let leftovers: Vec<_> = std::fs::read_dir(out.path()).expect("listable").collect();
    assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
}

#[test]
fn output_bytes_do_not_depend_on_thread_count() {
    let one = tempfile::tempdir().expect("temporary directory");
    let two = tempfile::tempdir().expect("temporary directory");
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        let output = run(
            &root(),
            &["check", "corpus", "-j", threads, "-q", "-o", dir.path().to_str().expect("UTF-8")],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let mut names: Vec<_> =
        std::fs::read_dir(one.path()).expect("listable").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert!(names.len() >= 2);
    for name in names {
        let a = std::fs::read(one.path().join(&name)).expect("readable");
        let b = std::fs::read(two.path().join(&name)).expect("readable");
        assert!(a == b, "{name:?} differs between -j1 and -j2");
    }
}

#[test]
fn check_prints_a_summary_unless_quiet() {
    let out = tempfile::tempdir().expect("temporary directory");
    let dir = out.path().to_str().expect("UTF-8");
    let loud = run(&root(), &["check", "corpus", "-o", dir]);
    assert!(stderr(&loud).contains("5 documents"), "{}", stderr(&loud));
    let quiet = run(&root(), &["check", "corpus", "-o", dir, "--quiet"]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn jsonl_on_stdin_is_read() {
    let input = br#"{"source": "wire", "id": 7, "text": "Witkoff met Ushakov. They talked."}
{"source": "paper", "text": "Vitkoff met Ushakov.", "title": "T", "date": "2025-11-26", "url": "https://example.org"}
"#;
    let output = run_in(&root(), &["segment", "-"], input);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("wire/7,sentence,1,1,21,33,,They talked."), "{text}");
    assert!(text.contains("paper,sentence,0,1,0,20,,Vitkoff met Ushakov."), "{text}");
}

/// A temporary directory holding a file, `file`, where an output directory might be asked for.
fn directory_with_a_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().expect("temporary directory");
    let file = out.path().join("file");
    std::fs::write(&file, "not a directory").expect("writable");
    (out, file)
}

#[test]
fn unusable_output_is_told_before_the_inputs_are_read() {
    let (out, blocker) = directory_with_a_file();
    let under_file = blocker.join("reports");
    let missing_directory = out.path().join("missing/names.csv");
    let runs = [
        vec!["check", "missing.txt", "-q", "-o", under_file.to_str().expect("UTF-8")],
        vec!["check", "missing.txt", "-q", "-o", blocker.to_str().expect("UTF-8")],
        vec!["names", "missing.txt", "-o", missing_directory.to_str().expect("UTF-8")],
        vec!["align", "missing.txt", "-o", out.path().to_str().expect("UTF-8")],
    ];
    let expected =
        ["cannot create output directory", "it is a file", "there is no directory", "it is a directory"];
    for (args, expected) in runs.iter().zip(expected) {
        let output = run(&root(), args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("missing.txt"), "the inputs are not read: {err}");
    }
}

#[test]
fn a_write_error_tells_its_cause_once() {
    let (_out, blocker) = directory_with_a_file();
    let target = blocker.join("synthetic");
    let output =
        run(&root(), &["synth", "--sources", "2", "--sentences", "5", "-o", target.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn synth_check_evaluate_round_trip() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = |name: &str| dir.path().join(name).to_str().expect("UTF-8").to_owned();
    for target in ["a", "b"] {
        let output = run(
            &root(),
            &[
                "synth",
                "--sources",
                "6",
                "--sentences",
                "60",
                "--seed",
                "9",
                "--changed",
                "0.2",
                "-o",
                &path(target),
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let same = |relative: &str| {
        std::fs::read(dir.path().join("a").join(relative)).expect("written")
            == std::fs::read(dir.path().join("b").join(relative)).expect("written")
    };
    assert!(
        same("corpus/src00001.txt")
            && same("gold/statements.csv")
            && same("gold/changes.csv")
            && same("gold/names.csv"),
        "synth is deterministic"
    );
    let output = run(&root(), &["check", &path("a/corpus"), "-q", "-o", &path("out")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run(&root(), &["evaluate", "--gold", &path("a/gold"), "--reports", &path("out")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    // metric, precision, recall, f1, predicted, gold
    let rows: Vec<Vec<&str>> = report.lines().skip(1).map(|line| line.split(',').collect()).collect();
    let metrics: Vec<&str> = rows.iter().map(|fields| fields[0]).collect();
    assert_eq!(
        metrics,
        [
            "alignment",
            "names",
            "divergences",
            "divergence_kinds",
            "divergence_negation",
            "divergence_number",
            "divergence_name"
        ],
        "{report}"
    );
    let counts = |fields: &[&str]| -> (usize, usize) {
        (fields[4].parse().expect("a count"), fields[5].parse().expect("a count"))
    };
    // The kinds apart add up to the kinds together: claims, and gold pairs with one change.
    let apart =
        rows[4..].iter().map(|fields| counts(fields)).fold((0, 0), |sum, (p, g)| (sum.0 + p, sum.1 + g));
    assert_eq!(apart, counts(&rows[3]), "{report}");
    // A sentence that names another person is not aligned with its statement (see the
    // README's scale section): that row is measured, and not held to a floor.
    assert!(counts(&rows[6]).1 > 0, "{report}");
    for fields in &rows[..6] {
        let (precision, recall): (f64, f64) =
            (fields[1].parse().expect("a number"), fields[2].parse().expect("a number"));
        // Changed facts are found where the changed sentence is still aligned.
        let least_recall = if fields[0].starts_with("divergence") { 0.4 } else { 0.8 };
        assert!(precision >= 0.8 && recall >= least_recall, "{report}");
    }
}

#[test]
fn timings_list_every_stage_and_the_total() {
    let out = tempfile::tempdir().expect("temporary directory");
    let dir = out.path().to_str().expect("UTF-8");
    let output = run(&root(), &["check", "corpus", "-q", "--timings", "-o", dir]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    let stages: Vec<&str> = text.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert_eq!(
        stages,
        [
            "load",
            "statistics",
            "segment",
            "mentions",
            "cluster+words",
            "index",
            "candidates",
            "sketch",
            "score",
            "select",
            "group",
            "describe+confirm",
            "write",
            "total"
        ],
        "{text}"
    );
    assert!(text.lines().all(|line| line.split_whitespace().nth(2) == Some("s")), "{text}");
    assert!(text.contains(" 5 documents"), "{text}");
}

/// A wire story of four sentences, as a JSONL record.
const WIRE: &str = r#"{"source": "wire", "text": "Steve Witkoff met Yuri Ushakov in Moscow on Tuesday. The talks lasted five hours. A spokesman declined to comment on the plan. Markets closed higher in Kyiv."}"#;

/// `duplicates.csv` for the wire story and a paper's article, as `dedup` writes it.
fn wire_and_paper_duplicates(paper_text: &str) -> String {
    let input = format!("{WIRE}\n{{\"source\": \"paper\", \"text\": \"{paper_text}\"}}\n");
    let output = run_in(&root(), &["dedup", "-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn articles_sharing_one_sentence_are_not_copies_of_each_other() {
    // One of each article's four sentences is the same: a sentence copy, not an article copy
    // (under half of either article's sentences).
    let text = wire_and_paper_duplicates(
        "Steve Witkoff met Yuri Ushakov in Moscow on Tuesday. Farmers in the south expect a poor harvest. The central bank left its rate unchanged. Snow is forecast for the weekend.",
    );
    assert_eq!(text.lines().filter(|line| line.starts_with("sentence,wire,paper,")).count(), 1, "{text}");
    assert!(!text.lines().any(|line| line.starts_with("article,")), "{text}");
}

#[test]
fn article_duplicates_count_each_shared_sentence_once() {
    // The paper copies the wire's first sentence twice and its second once: three copy pairs,
    // two of the wire's four sentences (a half), all three of the paper's.
    let text = wire_and_paper_duplicates(
        "Steve Witkoff met Yuri Ushakov in Moscow on Tuesday. The talks lasted five hours. Steve Witkoff met Yuri Ushakov in Moscow on Tuesday.",
    );
    let articles: Vec<&str> = text.lines().filter(|line| line.starts_with("article,")).collect();
    assert_eq!(articles.len(), 2, "{text}");
    assert!(articles[0].starts_with("article,wire,paper,1.0000,0.5000,"), "{text}");
    assert!(articles[1].starts_with("article,paper,wire,1.0000,1.0000,"), "{text}");
    assert_eq!(text.lines().filter(|line| line.starts_with("sentence,wire,paper,")).count(), 3, "{text}");
}
