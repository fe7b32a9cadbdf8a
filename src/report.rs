//! Findings for the editor: what differs between sources, ranked by how much it matters.
//!
//! Builds plain `Finding` values from an analysis; `output` writes them as `divergences.csv`.

use std::collections::BTreeMap;

use crate::cluster::NameCluster;
use crate::pipeline::Analysis;

/// How much a finding matters to an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Meaning may differ: a negation, a different number or person.
    High,
    /// Wording differs strongly.
    Medium,
    /// Cosmetic: the same name spelled differently.
    Low,
}

impl Severity {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// One line of the editor's worklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// `name_variant`, ...
    pub kind: &'static str,
    /// The name cluster (`name-3`) or statement group it concerns.
    pub group_id: String,
    /// What it is about: the canonical name, or the statement.
    pub subject: String,
    /// Source(s) on one side.
    pub source_a: String,
    /// Their text.
    pub text_a: String,
    /// Source(s) on the other side.
    pub source_b: String,
    /// Their text.
    pub text_b: String,
    /// Everything else the editor needs.
    pub detail: String,
}

/// All findings, most severe first, then by group.
pub fn divergences(analysis: &Analysis) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        analysis.names.iter().filter_map(|cluster| name_variant(analysis, cluster)).collect();
    findings.sort_by(|a, b| (a.severity, a.kind, &a.group_id).cmp(&(b.severity, b.kind, &b.group_id)));
    findings
}

/// One finding per cluster whose surname is spelled more than one way: which source uses
/// which spelling.
fn name_variant(analysis: &Analysis, cluster: &NameCluster) -> Option<Finding> {
    let spellings = cluster.surname_spellings();
    if spellings.len() < 2 {
        return None;
    }
    // Spelling (as written in its most frequent form) -> source -> mentions.
    let mut by_spelling: BTreeMap<String, (String, BTreeMap<String, u32>)> = BTreeMap::new();
    for variant in &cluster.variants {
        let surname = variant.surface.rsplit(' ').next().unwrap_or(&variant.surface);
        let entry = by_spelling
            .entry(surname.to_lowercase())
            .or_insert_with(|| (surname.to_owned(), BTreeMap::new()));
        for &(doc, count) in &variant.sources {
            *entry.1.entry(analysis.documents[doc.0 as usize].source.clone()).or_default() += count;
        }
    }
    let canonical_surname = cluster.canonical.rsplit(' ').next().unwrap_or(&cluster.canonical).to_lowercase();
    let (canonical_written, canonical_sources) = by_spelling.get(&canonical_surname)?.clone();
    let others: Vec<&(String, BTreeMap<String, u32>)> =
        by_spelling.iter().filter(|(key, _)| **key != canonical_surname).map(|(_, value)| value).collect();
    let join_sources =
        |sources: &BTreeMap<String, u32>| sources.keys().cloned().collect::<Vec<_>>().join(";");
    let mut other_sources: Vec<String> =
        others.iter().flat_map(|(_, sources)| sources.keys().cloned()).collect();
    other_sources.sort();
    other_sources.dedup();
    let detail = by_spelling
        .values()
        .map(|(written, sources)| {
            let uses: Vec<String> =
                sources.iter().map(|(source, count)| format!("{source} ({count})")).collect();
            format!("{written}: {}", uses.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(Finding {
        severity: crate::report::Severity::Low,
        kind: "name_variant",
        group_id: format!("name-{}", cluster.id),
        subject: cluster.canonical.clone(),
        source_a: join_sources(&canonical_sources),
        text_a: canonical_written,
        source_b: other_sources.join(";"),
        text_b: others.iter().map(|(written, _)| written.as_str()).collect::<Vec<_>>().join(" / "),
        detail,
    })
}
