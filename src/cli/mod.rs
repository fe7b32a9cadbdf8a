//! Command-line interface: clap argument types, turned into a [`Config`] at once.
//!
//! This is the only module that imports clap. Each subcommand is a thin call into the
//! library followed by output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::error::{Diagnostic, Error, Severity};
use crate::load::LoadOptions;
use crate::output::{
    Report, Staging, write_alignments, write_atomic, write_defects, write_divergences, write_duplicates,
    write_names, write_segments, write_sources,
};
use crate::pipeline::{Analysis, Config, Depth, Stage, Timings, run};

/// How a run ended, mapped to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything was read and written (0).
    Success,
    /// Output was written, but some input was skipped or damaged (1).
    Diagnostics,
    /// Nothing useful could be done (2).
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Diagnostics => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Compare how news sources tell the same story: align sentences and quotes across
/// articles, cluster name variants, and report divergences as CSV.
#[derive(Debug, Parser)]
#[command(name = "crosscheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Split articles into sentences, quotes and boilerplate lines (segments.csv).
    Segment(SingleReport),
    /// List extraction defects such as glued words, with suggested repairs (defects.csv).
    Defects(SingleReport),
    /// Cluster name variants: which spellings name one person (names.csv).
    Names(SingleReport),
    /// Align sentences and quotes across sources (alignments.csv).
    Align(SingleReport),
    /// List text duplicated across sources, with provenance (duplicates.csv).
    Dedup(SingleReport),
    /// Run the whole pipeline and write every report into a directory.
    Check(CheckArgs),
    /// Write a synthetic corpus with gold alignments and name clusters, for benchmarking.
    Synth(SynthArgs),
    /// Score a run's reports against gold (as written by `synth`).
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Args)]
struct SynthArgs {
    /// Number of sources (documents).
    #[arg(long, default_value_t = 20)]
    sources: usize,
    /// Sentences per source.
    #[arg(long, default_value_t = 100)]
    sentences: usize,
    /// Random seed; the same seed always writes the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of renderings that state a fact otherwise, as mistranslations do: another number
    /// or date, a negation, another person (listed in `gold/changes.csv`). The rest of the
    /// corpus stays what the seed writes without them.
    #[arg(long, default_value_t = 0.0, value_name = "SHARE", value_parser = share)]
    changed: f64,
    /// Output directory (gets `corpus/` and `gold/`).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
}

/// A share between 0 and 1.
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("`{text}` is not a share between 0 and 1")),
    }
}

#[derive(Debug, Args)]
struct EvaluateArgs {
    /// Directory with `statements.csv`, `names.csv` and (where there is one) `changes.csv`, as
    /// `synth` writes them in `gold/`.
    #[arg(long, value_name = "DIR")]
    gold: PathBuf,
    /// Directory with a run's `alignments.csv` and `names.csv`.
    #[arg(long, value_name = "DIR")]
    reports: PathBuf,
}

#[derive(Debug, Args)]
struct InputArgs {
    /// Directories (.txt/.md, recursive), text files, JSONL or CSV files; `-` reads JSONL from stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Worker threads (default: one per core). Output never depends on it.
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Lines longer than this many bytes are reported and left out.
    #[arg(long, value_name = "BYTES", default_value_t = LoadOptions::default().max_line_bytes)]
    max_line_bytes: usize,
    /// Print no summary and no progress bars (problems with inputs are still reported).
    #[arg(short, long)]
    quiet: bool,
    /// Print how long each stage took to stderr.
    #[arg(long)]
    timings: bool,
}

#[derive(Debug, Args)]
struct SingleReport {
    #[command(flatten)]
    input: InputArgs,
    /// Write the CSV here (atomically) instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Directory for the reports; created if missing.
    #[arg(short, long, value_name = "DIR", default_value = "crosscheck-out")]
    output: PathBuf,
}

impl InputArgs {
    /// The run's configuration; `output` is where its reports go.
    fn config(&self, output: Option<&Path>) -> Config {
        Config {
            threads: self.threads,
            load: LoadOptions { max_line_bytes: self.max_line_bytes, output: output.map(Path::to_path_buf) },
            progress: !self.quiet,
            ..Config::default()
        }
    }
}

/// Parses arguments, runs the command and reports what happened.
pub fn main(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Segment(args) => single_report(&args, Depth::Segments, write_segments),
        Command::Defects(args) => single_report(&args, Depth::Segments, write_defects),
        Command::Names(args) => single_report(&args, Depth::Alignment, write_names),
        Command::Align(args) => single_report(&args, Depth::Alignment, write_alignments),
        Command::Dedup(args) => single_report(&args, Depth::Alignment, write_duplicates),
        Command::Check(args) => check(&args),
        Command::Synth(args) => synth(&args),
        Command::Evaluate(args) => evaluate(&args),
    }
}

fn synth(args: &SynthArgs) -> anyhow::Result<ExitStatus> {
    if args.sources < 2 || args.sentences == 0 {
        anyhow::bail!("synth needs at least 2 sources and 1 sentence per source");
    }
    let config = crate::synth::SynthConfig {
        sources: args.sources,
        sentences: args.sentences,
        seed: args.seed,
        changed: args.changed,
    };
    let synthetic = crate::synth::generate(&config);
    crate::output::write_synthetic(&args.output, &synthetic)?;
    eprintln!(
        "crosscheck: wrote {} sources x {} sentences ({} gold statement sentences, {} of them with a fact changed, {} name spellings) to {}",
        args.sources,
        args.sentences,
        synthetic.statements.len(),
        synthetic.changes.len(),
        synthetic.names.len(),
        args.output.display()
    );
    Ok(ExitStatus::Success)
}

fn evaluate(args: &EvaluateArgs) -> anyhow::Result<ExitStatus> {
    let input = crate::load::read_evaluation(&args.gold, &args.reports)
        .map_err(|d| anyhow::anyhow!("{}", d.located()))?;
    let alignment = crate::evaluate::alignment_scores(&input.statements, &input.pairs);
    let (names, found) = crate::evaluate::name_scores(&input.names, &input.clusters);
    println!("metric,precision,recall,f1,predicted,gold");
    println!(
        "alignment,{:.4},{:.4},{:.4},{},{}",
        alignment.precision,
        alignment.recall,
        alignment.f1(),
        alignment.predicted,
        alignment.gold
    );
    println!(
        "names,{:.4},{:.4},{:.4},{},{}",
        names.precision,
        names.recall,
        names.f1(),
        names.predicted,
        names.gold
    );
    let divergences = crate::evaluate::divergence_scores(&input.statements, &input.changes, &input.pairs);
    // A measure with nothing to count (no claim, or gold without changes) is left empty.
    let measured = |value: f64, count: usize| if count == 0 { String::new() } else { format!("{value:.4}") };
    let by_kind =
        divergences.by_kind.iter().map(|(kind, scores)| (format!("divergence_{}", kind.label()), *scores));
    let rows =
        [("divergences".to_owned(), divergences.flagged), ("divergence_kinds".to_owned(), divergences.kinds)];
    for (metric, scores) in rows.into_iter().chain(by_kind) {
        let both = scores.predicted > 0 && scores.gold > 0;
        println!(
            "{metric},{},{},{},{},{}",
            measured(scores.precision, scores.predicted),
            measured(scores.recall, scores.gold),
            measured(scores.f1(), usize::from(both)),
            scores.predicted,
            scores.gold
        );
    }
    eprintln!("crosscheck: {found} of {} gold name spellings found in names.csv", input.names.len());
    Ok(ExitStatus::Success)
}

/// Fails, before any work, if a report could not be written at `path`: a directory there, or
/// no directory to hold it. What else can fail (permissions, a full disk) is told on writing.
fn ensure_file_can_be_written(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!(
            "cannot write {}: it is a directory (`check` writes every report into one)",
            path.display()
        );
    }
    let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|parent| !parent.is_dir()) {
        anyhow::bail!("cannot write {}: there is no directory {}", path.display(), parent.display());
    }
    Ok(())
}

fn analyse(input: &InputArgs, depth: Depth, output: Option<&Path>) -> anyhow::Result<(Analysis, ExitStatus)> {
    // The analysis runs in a pool of its own, and the reports' parallel work in rayon's global
    // pool, which is sized as asked too: `-j1` is one thread from start to finish.
    if input.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(input.threads)
            .build_global()
            .with_context(|| format!("cannot start {} threads", input.threads))?;
    }
    let analysis = run(&input.paths, &Config { depth, ..input.config(output) })?;
    report_diagnostics(&analysis.diagnostics);
    if analysis.documents.is_empty() {
        return Err(Error::NoDocuments(analysis.diagnostics.len()).into());
    }
    let status = if analysis.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        ExitStatus::Diagnostics
    } else {
        ExitStatus::Success
    };
    Ok((analysis, status))
}

fn single_report(args: &SingleReport, depth: Depth, report: Report) -> anyhow::Result<ExitStatus> {
    if let Some(path) = &args.output {
        ensure_file_can_be_written(path)?;
    }
    let (mut analysis, status) = analyse(&args.input, depth, args.output.as_deref())?;
    let mut timings = std::mem::take(&mut analysis.timings);
    let write = |out: &mut dyn Write| report(out, &analysis);
    timings.time("write", || -> anyhow::Result<()> {
        match &args.output {
            Some(path) => write_atomic(path, write)?,
            None => {
                let stdout = std::io::stdout();
                let mut locked = std::io::BufWriter::new(stdout.lock());
                write(&mut locked).context("failed to write to stdout")?;
                locked.flush().context("failed to write to stdout")?;
            }
        }
        Ok(())
    })?;
    if args.input.timings {
        print_timings(&timings);
    }
    exit_without_freeing(analysis);
    Ok(status)
}

fn check(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    // Made before the analysis, which at scale takes a while: a directory that cannot be made
    // is told at once rather than after the work it would have held.
    if args.output.is_file() {
        anyhow::bail!("cannot create output directory {}: it is a file", args.output.display());
    }
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot create output directory {}", args.output.display()))?;
    let (mut analysis, status) = analyse(&args.input, Depth::Alignment, Some(&args.output))?;
    let mut timings = std::mem::take(&mut analysis.timings);
    // Costliest first at scale: alignments.csv is most of the bytes (both texts and the diff of
    // every pair), and the duplicates and divergences reports take the most work to find. Each
    // writer thread takes the next report no other has taken, so the work balances itself
    // whatever the corpus (a fixed split in two halves left one thread idle for a second at a
    // million sentences).
    let reports: [(&str, Report); 7] = [
        ("alignments.csv", write_alignments),
        ("duplicates.csv", write_duplicates),
        ("divergences.csv", write_divergences),
        ("segments.csv", write_segments),
        ("names.csv", write_names),
        ("sources.csv", write_sources),
        ("defects.csv", write_defects),
    ];
    // As many as the pool has (`analyse` sized it as `-j` asks; by default rayon's, which
    // honours RAYON_NUM_THREADS).
    let writers = rayon::current_num_threads().min(reports.len());
    timings.time("write", || -> anyhow::Result<()> {
        // Every report's file is created before any is written (see `Staging`).
        let staged_reports = reports
            .iter()
            .map(|&(name, report)| Ok((Staging::create(&args.output.join(name))?, report)))
            .collect::<Result<Vec<_>, Error>>()?;
        let queue = Mutex::new(staged_reports.into_iter());
        std::thread::scope(|scope| {
            // A writer commits each report on a thread of its own and goes on to the next, so
            // that waiting for the disk overlaps with writing (at a million sentences the wait
            // for alignments.csv alone is half a second).
            let writer = || -> anyhow::Result<()> {
                let mut written = Ok(());
                let mut commits = Vec::new();
                loop {
                    let next = queue.lock().expect("a report writer does not panic").next();
                    let Some((staging, report)) = next else { break };
                    match staging.write(|out| report(out, &analysis)) {
                        Ok(staged) => commits.push(scope.spawn(move || staged.commit())),
                        Err(err) => {
                            written = Err(err);
                            break;
                        }
                    }
                }
                commits
                    .into_iter()
                    .map(|commit| commit.join().expect("committing a report does not panic"))
                    .fold(written, Result::and)
                    .map_err(anyhow::Error::from)
            };
            let others: Vec<_> = (1..writers).map(|_| scope.spawn(writer)).collect();
            let mine = writer();
            others
                .into_iter()
                .map(|other| other.join().expect("a report writer does not panic"))
                .fold(mine, Result::and)
        })
    })?;
    if !args.input.quiet {
        eprintln!("{}", summary(&analysis, &args.output));
    }
    if args.input.timings {
        print_timings(&timings);
    }
    exit_without_freeing(analysis);
    Ok(status)
}

/// Leaves an analysis the command is done with to the process's exit, which returns all its
/// memory at once: freeing its millions of allocations one by one took a third of a second
/// at a million sentences.
fn exit_without_freeing(analysis: Analysis) {
    std::mem::forget(analysis);
}

/// One line per stage on stderr, then the total.
fn print_timings(timings: &Timings) {
    let total: std::time::Duration = timings.stages.iter().map(|stage| stage.time).sum();
    for stage in &timings.stages {
        let memory = stage.peak_memory.map(|bytes| format!("  peak {} MB", bytes >> 20)).unwrap_or_default();
        let output = stage.output.map(|(count, what)| format!("  {count} {what}")).unwrap_or_default();
        eprintln!("{:>16} {:8.3} s{}{memory}{output}", stage.name, stage.time.as_secs_f64(), cores(stage));
    }
    eprintln!("{:>16} {:8.3} s", "total", total.as_secs_f64());
}

/// How many cores a stage kept busy on average (its CPU time over its wall time), how much of
/// that was the kernel's and how many fresh pages it touched, where the system tells it and
/// the stage was long enough to measure with a hundredth of a second.
fn cores(stage: &Stage) -> String {
    match (stage.cpu_time, stage.system_time, stage.page_faults) {
        (Some(cpu), Some(system), Some(faults)) if stage.time.as_secs_f64() >= 0.05 => {
            format!(
                "  cpu {:6.3} s ({:.2} cores, system {:.2} s, {:4}k faults)",
                cpu.as_secs_f64(),
                cpu.as_secs_f64() / stage.time.as_secs_f64(),
                system.as_secs_f64(),
                faults / 1000,
            )
        }
        _ => String::new(),
    }
}

fn summary(analysis: &Analysis, directory: &Path) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for unit in analysis.segmented.iter().flat_map(|s| &s.units) {
        *counts.entry(unit.kind.label()).or_default() += 1;
    }
    let defects: usize = analysis.segmented.iter().map(|s| s.defects.len()).sum();
    let variant_clusters = analysis.names.iter().filter(|c| c.surname_spellings().len() > 1).count();
    format!(
        "crosscheck: {} documents: {} sentences, {} quotes, {} boilerplate lines, {} defects, \
         {} named entities ({} spelled more than one way); reports in {}",
        analysis.documents.len(),
        counts.get("sentence").unwrap_or(&0),
        counts.get("quote").unwrap_or(&0),
        counts.get("boilerplate").unwrap_or(&0),
        defects,
        analysis.names.len(),
        variant_clusters,
        directory.display()
    )
}

fn report_diagnostics(diagnostics: &[Diagnostic]) {
    let stderr = std::io::stderr();
    let mut locked = stderr.lock();
    for diagnostic in diagnostics {
        let _ = writeln!(locked, "{diagnostic}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
