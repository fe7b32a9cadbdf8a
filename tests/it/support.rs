//! Helpers for running the binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The crate root, where `corpus/` lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `crosscheck` with `args` in `dir`, feeding `stdin`.
pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the crosscheck binary starts");
    child.stdin.take().expect("stdin is piped").write_all(stdin).expect("stdin accepts input");
    child.wait_with_output().expect("crosscheck runs to the end")
}

/// Runs `crosscheck` with `args` in `dir` and no input.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, args, b"")
}

/// The process's stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The process's stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}
