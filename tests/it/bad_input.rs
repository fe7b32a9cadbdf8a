//! One test per class of bad input: each gets a diagnostic naming the file (and line), and
//! never costs the other files their output.

use std::path::Path;

use crate::support::{run, run_in, stderr, stdout};

const GOOD: &str = "Witkoff met Ushakov in Moscow. They talked about the plan.\n";

/// Runs `segment` on a directory holding `good.txt` and the given bad file; returns
/// (exit code, stdout, stderr).
fn segment_with(bad_name: &str, bad_bytes: &[u8]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("good.txt"), GOOD).expect("writable");
    std::fs::write(dir.path().join(bad_name), bad_bytes).expect("writable");
    let output = run(dir.path(), &["segment", "good.txt", bad_name]);
    (output.status.code(), stdout(&output), stderr(&output))
}

fn assert_good_survives(out: &str) {
    assert!(out.contains("good,sentence,1,1,31,58,,They talked about the plan."), "{out}");
}

#[test]
fn invalid_utf8_is_reported_with_line_and_kept() {
    let (code, out, err) =
        segment_with("broken.txt", b"Zelensky\xE2\x80\x99s plan.\nA bad \xFF byte here.\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("error: broken.txt:2: invalid UTF-8 at column 7"), "{err}");
    assert!(out.contains("broken,sentence,1,2,"), "{out}");
    assert_good_survives(&out);
}

#[test]
fn utf16_with_bom_is_decoded() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("Зеленський said “no”.\n".encode_utf16().flat_map(u16::to_le_bytes));
    let (code, out, err) = segment_with("utf16.txt", &bytes);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("utf16,sentence,0,1,0,"), "{out}");
    assert!(out.contains("Зеленський said “no”."), "{out}");
}

#[test]
fn legacy_cyrillic_encoding_is_detected_and_recorded() {
    let (text, _, _) = encoding_rs::WINDOWS_1251
        .encode("Ушаков заявил, что переговоры продолжатся на следующей неделе в Москве.\n");
    let (code, out, err) = segment_with("legacy.txt", &text);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: legacy.txt: not UTF-8; decoded as windows-1251"), "{err}");
    assert!(out.contains("Ушаков заявил"), "{out}");
}

#[test]
fn binary_file_is_skipped() {
    let (code, out, err) = segment_with("image.txt", b"GIF89a\x00\x01\x02binary");
    assert_eq!(code, Some(1));
    assert!(err.contains("error: image.txt:1: binary file (NUL byte), skipped"), "{err}");
    assert!(!out.contains("image,"), "{out}");
    assert_good_survives(&out);
}

#[test]
fn empty_file_is_reported() {
    let (code, out, err) = segment_with("empty.txt", b"  \n\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("error: empty.txt: empty file, skipped"), "{err}");
    assert_good_survives(&out);
}

#[test]
fn hundred_megabyte_line_is_left_out_with_its_line_number() {
    let mut bytes = b"First line is fine.\n".to_vec();
    bytes.resize(bytes.len() + 100 * 1024 * 1024, b'a');
    bytes.extend_from_slice(b"\nLast line is fine too.\n");
    let (code, out, err) = segment_with("huge.txt", &bytes);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("error: huge.txt:2: line of 104857600 bytes exceeds the 1048576 byte limit, left out"),
        "{err}"
    );
    assert!(out.contains("huge,sentence,0,1,0,19,,First line is fine."), "{out}");
    assert!(out.contains("huge,sentence,1,3,"), "{out}");
    assert_good_survives(&out);
}

#[test]
fn missing_path_is_reported_and_others_still_run() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("good.txt"), GOOD).expect("writable");
    let output = run(dir.path(), &["segment", "good.txt", "missing.txt"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: missing.txt: cannot read: no such file or directory"),
        "{}",
        stderr(&output)
    );
    assert_good_survives(&stdout(&output));
}

#[test]
fn malformed_jsonl_names_the_line() {
    let jsonl = b"{\"source\": \"a\", \"text\": \"Fine record here.\"}\n{\"source\": \"b\", \"text\": \n{\"text\": \"no source\"}\n";
    let (code, out, err) = segment_with("records.jsonl", jsonl);
    assert_eq!(code, Some(1));
    assert!(err.contains("error: records.jsonl:2: malformed JSON record"), "{err}");
    assert!(err.contains("error: records.jsonl:3: record has no `source`, skipped"), "{err}");
    assert!(out.contains("a,sentence,0,1,0,17,,Fine record here."), "{out}");
    assert_good_survives(&out);
}

#[test]
fn csv_with_missing_columns_is_reported() {
    let (code, out, err) = segment_with("records.csv", b"outlet,body\nx,Some text.\n");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "error: records.csv:1: CSV header lacks column(s) source, text; found outlet,body, file skipped"
        ),
        "{err}"
    );
    assert_good_survives(&out);
}

#[test]
fn csv_rows_load_and_a_short_row_is_reported() {
    let csv = b"source,text,id\nwire,\"Witkoff met Ushakov, again.\",3\nbroken\n";
    let (code, out, err) = segment_with("records.csv", csv);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("error: records.csv:3: malformed CSV row (row has 1 fields, header has 3), skipped"),
        "{err}"
    );
    assert!(out.contains("wire/3,sentence,0,1,0,27,,\"Witkoff met Ushakov, again.\""), "{out}");
}

#[test]
fn directory_with_nothing_readable_is_fatal_when_alone() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("empty")).expect("creatable");
    std::fs::write(dir.path().join("empty/picture.png"), b"\x89PNG").expect("writable");
    let output = run(dir.path(), &["segment", "empty"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error: empty: no readable .txt or .md files in this directory"), "{err}");
    assert!(err.contains("no readable documents"), "{err}");
}

#[test]
fn record_files_in_a_directory_are_named_not_silently_skipped() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("good.txt"), GOOD).expect("writable");
    std::fs::write(dir.path().join("records.jsonl"), "{\"source\": \"r\", \"text\": \"Hi.\"}\n")
        .expect("writable");
    std::fs::write(dir.path().join("picture.png"), b"\x89PNG").expect("writable");
    let output = run_in(dir.path(), &["segment", "."], b"");
    // A warning: the articles are read and the exit code is 0.
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(
        err.contains("warning: ./records.jsonl: JSONL and CSV files are read only when named as inputs"),
        "{err}"
    );
    assert!(!err.contains("picture.png"), "{err}");
    assert_good_survives(&stdout(&output));
    // The run's own reports, there from a run before, are neither read nor named.
    for _ in 0..2 {
        let output = run_in(dir.path(), &["check", ".", "-q", "-o", "reports"], b"");
        assert_eq!(output.status.code(), Some(0));
        let err = stderr(&output);
        assert!(err.contains("records.jsonl") && !err.contains("reports/"), "{err}");
    }
    let output = run_in(dir.path(), &["align", ".", "-o", "reports/alignments.csv"], b"");
    let err = stderr(&output);
    assert!(err.contains("records.jsonl") && !err.contains("alignments.csv"), "{err}");
    // Reports kept anywhere else are named like any other file of records.
    let output = run_in(dir.path(), &["check", ".", "-q", "-o", "elsewhere"], b"");
    assert!(stderr(&output).contains("warning: ./reports/alignments.csv"), "{}", stderr(&output));
}

#[test]
fn directories_are_read_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for name in ["b/z.txt", "a.md", "b/a.txt", "c.json", "README.md", ".hidden.txt"] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("creatable");
        std::fs::write(&path, GOOD).expect("writable");
    }
    let output = run_in(Path::new(dir.path()), &["segment", "."], b"");
    let out = stdout(&output);
    let sources: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap_or("")).collect();
    let mut distinct = sources.clone();
    distinct.dedup();
    assert_eq!(distinct, ["a", "b/a", "b/z"]);
}

#[test]
fn evaluation_input_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (gold, reports) = (dir.path().join("gold"), dir.path().join("out"));
    for directory in [&gold, &reports] {
        std::fs::create_dir(directory).expect("writable");
    }
    std::fs::write(gold.join("statements.csv"), "source,index,statement\na,0,1\nb,0,1\n").expect("writable");
    std::fs::write(gold.join("names.csv"), "name,person\nWitkoff,1\n").expect("writable");
    std::fs::write(reports.join("names.csv"), "cluster_id,variant\n1,Witkoff\n").expect("writable");
    std::fs::write(
        reports.join("alignments.csv"),
        "kind,source_a,index_a,source_b,index_b,divergence\nsentence,a,0,b,0,wording\nsentence,a,0,b,0,odd\n",
    )
    .expect("writable");
    let output = run(dir.path(), &["evaluate", "--gold", "gold", "--reports", "out"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("crosscheck: error: out/alignments.csv:3: `odd` is not a divergence"), "{err}");
    // A change is one of the specific divergences.
    std::fs::write(
        gold.join("changes.csv"),
        "source,index,change
a,0,number
b,0,wording
",
    )
    .expect("writable");
    let output = run(dir.path(), &["evaluate", "--gold", "gold", "--reports", "out"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "crosscheck: error: gold/changes.csv:3: `wording` is not a change (number, negation or name)"
        ),
        "{err}"
    );
}
