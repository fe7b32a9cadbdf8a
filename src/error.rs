//! Errors that stop a run, and diagnostics that do not.
//!
//! A fatal [`Error`] ends the run (exit code 2). A [`Diagnostic`] records a problem with one
//! input file or record; the run carries on with everything else and exits 1 at the end.

use std::fmt;
use std::path::PathBuf;

/// A failure that stops the whole run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// None of the inputs yielded a single readable document.
    #[error("no readable documents in the input ({0} problem(s) reported above)")]
    NoDocuments(usize),
    /// An output file or directory could not be written. Its message leaves the cause to
    /// `source` (printed after it by `{:#}`), so that the cause is told once.
    #[error("cannot write {path}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A CSV row could not be serialised.
    #[error("cannot write CSV to {path}")]
    Csv {
        /// The output path.
        path: PathBuf,
        /// The underlying CSV error.
        source: csv::Error,
    },
    /// A configuration value is out of range.
    #[error("invalid setting: {0}")]
    Config(String),
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Input was accepted but something about it was guessed (a legacy encoding, say).
    Warning,
    /// Input, or part of it, was skipped or damaged; the run exits 1.
    Error,
}

/// A problem with one input, reported on stderr without stopping the run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file (or `-` for standard input) the problem is in.
    pub path: PathBuf,
    /// One-based line number, where the problem has one.
    pub line: Option<u64>,
    /// How bad it is.
    pub severity: Severity,
    /// What happened and what was done about it, lowercase, no trailing period.
    pub message: String,
}

impl Diagnostic {
    /// An error about a whole file.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), line: None, severity: Severity::Error, message: message.into() }
    }

    /// An error about one line of a file.
    pub fn error_at(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Diagnostic { line: Some(line), ..Diagnostic::error(path, message) }
    }

    /// A warning about a whole file.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}", self.located())
    }
}

impl Diagnostic {
    /// Where the problem is and what it is, without how bad: `path:line: message`, for a
    /// caller that reports it as an error of its own.
    pub fn located(&self) -> impl fmt::Display + '_ {
        Located(self)
    }
}

struct Located<'d>(&'d Diagnostic);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Diagnostic { path, line, message, .. } = self.0;
        match line {
            Some(line) => write!(f, "{}:{line}: {message}", path.display()),
            None => write!(f, "{}: {message}", path.display()),
        }
    }
}
