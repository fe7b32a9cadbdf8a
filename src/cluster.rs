//! Clustering: groups name mentions into entities, so that Witkoff, Wiktoff and Vitkoff are
//! one person and Vladimir Putin and Volodymyr Zelensky are two.
//!
//! Distinct spellings ("Steve Witkoff", "Witkoff", "Vitkoff") are the nodes. They are joined
//! by three kinds of evidence, in this order:
//! 1. within one source, a surname alone stands for the full name that ends with it;
//! 2. the same surname with compatible given names (Steve / Steven, Vladimir / Volodymyr, an
//!    initial) is one person; Donald Trump and Ivanka Trump are not;
//! 3. surname spellings whose transliteration skeletons are close (`translit`) are one person,
//!    or, at a lower similarity, when their given names agree too and the spellings differ
//!    only by dropped, added or swapped letters (Uishako / Ushakov, not Bozeev / Gozeev).
//!
//! Candidate surname pairs come from a deletion index over skeletons (every skeleton and every
//! one-letter deletion of it is a key), never from all pairs. A merge is refused when the two
//! groups hold surnames that appear together in one sentence, when their given names clash, or
//! when the surnames differ in grammatical gender (Zelensky / Zelenska).

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::model::DocId;
use crate::names::{Mention, MentionContext};
use crate::translit::{compare_spellings, gender_ending, skeletons};

/// Thresholds for merging surname spellings.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Surname similarity at which spelling alone makes two names one person.
    pub spelling_threshold: f64,
    /// Lower surname similarity that suffices when the given names agree as well.
    pub with_given_name_threshold: f64,
    /// Given-name similarity at which two given names are variants of one name.
    pub given_name_threshold: f64,
    /// A spelling link between two surnames that are each used by at least this many sources
    /// is *contested*: two established spellings a letter apart are as often two people as one
    /// (Dedoov / Dudoov), so the link stands only once alignment confirms it ([`confirm`]).
    /// A rare spelling next to an established one (a typo, one outlet's transliteration) is
    /// linked on spelling alone.
    pub attested_sources: usize,
    /// The similarity an aligned pair of sentences needs to confirm a contested link: a pair
    /// only just above the alignment threshold is as often two statements built alike
    /// ("Sergei Zigouenko said in Zarmir: «The truce … we will not accept it.»" / "Sergei
    /// Zaguenko said in Priino: «The pipeline … we will not accept it.»"), and such a pair
    /// was aligned with the link already made, so it cannot vouch for it. On the synthetic
    /// corpora aligned pairs of one statement score 0.6 or more (1st percentile at 100k),
    /// pairs of different statements 0.39 at their median; at 1M this floor lifts names
    /// precision from 0.957 to 0.973 at the same recall (0.45: 0.970, 0.6: 0.984), and the
    /// seed corpus's names are unchanged. Real loose translations score lower than synthetic
    /// ones: a link only they would confirm now waits for a closer one.
    pub confirming_similarity: f64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            spelling_threshold: 0.8,
            with_given_name_threshold: 0.6,
            given_name_threshold: 0.6,
            attested_sources: 3,
            confirming_similarity: 0.5,
        }
    }
}

/// What kind of entity a cluster names, as far as the context tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    /// A person: titles, full names whose surname also stands alone, speech verbs; or, with
    /// none of these nor any other kind's evidence, a given name another person has.
    Person,
    /// An organisation: acronyms, or usually preceded by "the".
    Organization,
    /// A place: usually after "in", "from", "at".
    Place,
    /// Not enough evidence.
    Other,
}

impl EntityKind {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
            EntityKind::Other => "other",
        }
    }
}

/// One spelling of a cluster's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The name as written (possessive removed).
    pub surface: String,
    /// How many times it occurs.
    pub mentions: u32,
    /// Occurrences per document, by document id.
    pub sources: Vec<(DocId, u32)>,
}

/// A group of spellings that name one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCluster {
    /// 1-based, in order of total mentions (then canonical spelling).
    pub id: u32,
    /// The spelling used by the most sources (ties: most mentions, then alphabetical), never
    /// a given name alone.
    pub canonical: String,
    /// Person, organisation, place or other.
    pub kind: EntityKind,
    /// Spellings, most mentioned first.
    pub variants: Vec<Variant>,
}

impl NameCluster {
    /// The variants that spell the surname: all but a given name standing alone ("Steve" in
    /// Steve Witkoff's cluster), which is a way to refer to the person, not a spelling.
    pub fn surname_variants(&self) -> impl Iterator<Item = &Variant> {
        let given_names: Vec<&str> =
            self.variants.iter().filter_map(|variant| Some(variant.surface.split_once(' ')?.0)).collect();
        let given_name_alone = move |variant: &Variant| {
            !variant.surface.contains(' ') && given_names.contains(&variant.surface.as_str())
        };
        self.variants.iter().filter(move |variant| !given_name_alone(variant))
    }

    /// Distinct surname spellings (last words, folded to lowercase) of the
    /// [`surname_variants`](NameCluster::surname_variants), in order of first variant.
    pub fn surname_spellings(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for variant in self.surname_variants() {
            let surname = variant.surface.rsplit(' ').next().unwrap_or("").to_lowercase();
            if !seen.contains(&surname) {
                seen.push(surname);
            }
        }
        seen
    }
}

/// A distinct spelling with everything known about it.
struct Entity {
    surface: String,
    given: Option<String>,
    surname_id: usize,
    tokens: usize,
    mentions: Vec<usize>,
    /// The documents of the mentions, ascending, each once, with its number of mentions.
    sources: Vec<(DocId, u32)>,
    /// How many of the mentions have each clue to the kind of entity.
    clues: KindClues,
    /// Some mention is not tentative.
    firm: bool,
}

/// How many mentions have each clue to the kind of entity they name, summed per entity once:
/// each clustering (a second one when alignment leaves a contested link unconfirmed) went
/// through every mention of every cluster again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct KindClues {
    title: usize,
    article: usize,
    locative: usize,
    speech: usize,
}

impl KindClues {
    fn of(context: MentionContext) -> KindClues {
        let count = usize::from;
        KindClues {
            title: count(context.title),
            article: count(context.article),
            locative: count(context.locative),
            speech: count(context.speech),
        }
    }

    fn plus(self, other: KindClues) -> KindClues {
        KindClues {
            title: self.title + other.title,
            article: self.article + other.article,
            locative: self.locative + other.locative,
            speech: self.speech + other.speech,
        }
    }
}

/// Clusters mentions into entities. The result does not depend on the order of `mentions`
/// beyond their content. Every mention belongs to exactly one cluster, except tentative
/// mentions whose cluster holds no other kind: those were not names.
pub fn cluster(mentions: &[Mention], config: &ClusterConfig) -> Vec<NameCluster> {
    Spellings::new(mentions, config).cluster(None).0
}

/// A spelling link between two established surnames (see [`ClusterConfig::attested_sources`]),
/// as the two lowercase surnames in order.
pub type ContestedLink = (String, String);

/// What clustering needs that does not depend on which contested links stand: the distinct
/// spellings, their skeletons, which surnames share a sentence, and the scored pairs of
/// spelling variants. Built once; [`Spellings::cluster`] runs on it once, or again when
/// alignment leaves a contested link unconfirmed.
pub struct Spellings<'a> {
    config: &'a ClusterConfig,
    entities: Vec<Entity>,
    surnames: Vec<String>,
    surname_skeletons: Vec<Vec<String>>,
    surname_genders: Vec<Genders>,
    cooccurring: Cooccurring,
    /// Per surname id: the entities ending with it.
    by_surname: Vec<Vec<usize>>,
    /// (lone surname, full name ending with it) used in one source, by source then surname.
    same_source: Vec<(usize, usize)>,
    /// (lone given name, the one full name its sources use with that given name).
    given_name_only: Vec<(usize, usize)>,
    /// (similarity, surname, surname) for variant pairs worth trying, closest first.
    scored: Vec<(f64, usize, usize)>,
    /// Per surname id: used by enough sources to be established.
    attested: Vec<bool>,
}

impl<'a> Spellings<'a> {
    /// Collects the spellings of `mentions` and scores their variant pairs.
    pub fn new(mentions: &'a [Mention], config: &'a ClusterConfig) -> Spellings<'a> {
        let (entities, surnames) = entities(mentions);
        let surname_skeletons: Vec<Vec<String>> = surnames.par_iter().map(|s| skeletons(s)).collect();
        let surname_genders: Vec<Genders> = surname_skeletons.iter().map(|s| Genders::of(s)).collect();
        // Independent of one another, and finding the surnames named together runs on one
        // thread: run beside scoring the variant pairs, it fills the other thread's idle time.
        let ((cooccurring, same_source), scored) = rayon::join(
            || {
                rayon::join(
                    || cooccurring_surnames(mentions, &entities),
                    || same_source_full_names(&entities),
                )
            },
            || variant_pairs(&surname_skeletons, &surname_genders, config),
        );
        let by_surname = entities_by_surname(&entities, surnames.len());
        let given_name_only = same_source_given_names(&entities, &by_surname);
        // How many sources use a surname, counting spellings with one skeleton (Dedoov,
        // Dedoow) as one: otherwise a rare spelling could bridge two established look-alikes.
        let mut class: Vec<usize> = (0..surnames.len()).collect();
        for &(_, a, b) in scored.iter().take_while(|(score, _, _)| *score >= 1.0) {
            let (ra, rb) = (find_root(&mut class, a), find_root(&mut class, b));
            class[ra.max(rb)] = ra.min(rb);
        }
        let class_of: Vec<usize> =
            (0..surnames.len()).map(|surname| find_root(&mut class, surname)).collect();
        let mut sources: Vec<Vec<DocId>> = vec![Vec::new(); surnames.len()];
        for entity in &entities {
            sources[class_of[entity.surname_id]].extend(entity.sources.iter().map(|&(doc, _)| doc));
        }
        let source_counts: Vec<usize> = sources
            .into_par_iter()
            .map(|mut docs| {
                docs.sort_unstable();
                docs.dedup();
                docs.len()
            })
            .collect();
        let attested =
            class_of.iter().map(|&class| source_counts[class] >= config.attested_sources).collect();
        Spellings {
            config,
            entities,
            surnames,
            surname_skeletons,
            surname_genders,
            cooccurring,
            by_surname,
            same_source,
            given_name_only,
            scored,
            attested,
        }
    }

    /// Clusters the spellings and returns the contested links it made. With `confirmed`, a
    /// contested link is made only if it is in that set.
    pub fn cluster(
        &self,
        confirmed: Option<&HashSet<ContestedLink>>,
    ) -> (Vec<NameCluster>, Vec<ContestedLink>) {
        let entities = &self.entities;
        let mut groups = Groups::new(entities, &self.cooccurring, self.config);

        // 1. A surname alone links to the full name ending with it in the same source.
        for &(surname_only, full_name) in &self.same_source {
            groups.try_union(surname_only, full_name);
        }
        //    A given name alone, the same way: "Steve and Yuri discussed" beside Steve Witkoff.
        for &(given_only, full_name) in &self.given_name_only {
            groups.try_union(given_only, full_name);
        }

        // 2. The same surname: full names with compatible given names, then lone surnames with
        //    the most mentioned full name.
        for members in &self.by_surname {
            let mut ordered = members.clone();
            ordered.sort_by_key(|&id| (std::cmp::Reverse(entities[id].mentions.len()), id));
            for (position, &a) in ordered.iter().enumerate() {
                for &b in &ordered[..position] {
                    if groups.try_union(b, a) {
                        break;
                    }
                }
            }
        }

        // 3. Surname spellings that are variants of each other, closest pairs first. Each merge
        //    compares the groups' representative spellings too, so that chains of small
        //    differences (Bakov, Bakev, Bukev) do not grow into one cluster.
        //    Confirmed links are looked up as surname ids: spelling out the link (two lowercase
        //    strings) of every contested pair, 600k of 700k at a million sentences, was a
        //    quarter of this loop's time.
        let confirmed = confirmed.map(|links| self.surname_id_pairs(links));
        let mut contested = Vec::new();
        for &(score, a, b) in &self.scored {
            let is_contested = score < 1.0 && self.attested[a] && self.attested[b];
            if is_contested && confirmed.as_ref().is_some_and(|ids| !ids.contains(&(a.min(b), a.max(b)))) {
                continue;
            }
            let mut linked = false;
            for &x in &self.by_surname[a] {
                for &y in &self.by_surname[b] {
                    linked |= groups.try_variant_union(x, y, self);
                }
            }
            if is_contested && linked {
                contested.push(link_of(&self.surnames[a], &self.surnames[b]));
            }
        }

        (groups.into_clusters(), contested)
    }

    /// The pairs of surname ids, lower first, whose lowercase spellings make one of `links`.
    fn surname_id_pairs(&self, links: &HashSet<ContestedLink>) -> FxHashSet<(usize, usize)> {
        let named: FxHashSet<&str> = links.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]).collect();
        let mut ids_of: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (id, surname) in self.surnames.iter().enumerate() {
            let lower = surname.to_lowercase();
            if named.contains(lower.as_str()) {
                ids_of.entry(lower).or_default().push(id);
            }
        }
        let mut pairs = FxHashSet::default();
        for (x, y) in links {
            let (Some(xs), Some(ys)) = (ids_of.get(x), ids_of.get(y)) else { continue };
            for &a in xs {
                for &b in ys {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
        pairs
    }
}

/// The root of `node` in a union-find forest stored as parent links, halving the path on the
/// way (the forests here join a root under the smaller one, so a root is its set's first node).
pub(crate) fn find_root(parent: &mut [usize], mut node: usize) -> usize {
    while parent[node] != node {
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

fn link_of(a: &str, b: &str) -> ContestedLink {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a <= b { (a, b) } else { (b, a) }
}

/// The contested links that alignment confirms: some aligned pair of sentences names one
/// surname on one side and the other on the other side (a translation spelling the same
/// person its own way). `aligned` lists aligned sentence pairs, and `sentence` tells each
/// sentence's document and sentence index; it is asked for a pair's second sentence only
/// where the first names a contested surname.
pub fn confirm<S>(
    contested: &[ContestedLink],
    mentions: &[Mention],
    aligned: impl IntoIterator<Item = (S, S)>,
    sentence: impl Fn(S) -> (DocId, u32),
) -> HashSet<ContestedLink> {
    // Only the sentences naming a contested surname matter; surnames are numbered so that a
    // link is two numbers.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    for surname in contested.iter().flat_map(|(a, b)| [a, b]) {
        let next = ids.len() as u32;
        ids.entry(surname.as_str()).or_insert(next);
    }
    let wanted: FxHashMap<(u32, u32), &ContestedLink> =
        contested.iter().map(|link| ((ids[link.0.as_str()], ids[link.1.as_str()]), link)).collect();
    // Each sentence's contested surnames, as (document, sentence, surname) sorted and read
    // through one range per document, and the second sentence of a pair found only when the
    // first names one: at a million sentences this confirms in 0.27-0.40 s, where a table
    // keyed by sentence, with both sentences of every pair found, took 0.38-0.56 s.
    let mut named: Vec<(DocId, u32, u32)> = Vec::new();
    let mut ascii_lower = String::new();
    for mention in mentions {
        let Some(surname) = mention.tokens.last() else { continue };
        let lower = if surname.is_ascii() {
            ascii_lower.clear();
            ascii_lower.extend(surname.chars().map(|c| c.to_ascii_lowercase()));
            ids.get(ascii_lower.as_str())
        } else {
            ids.get(surname.to_lowercase().as_str())
        };
        if let Some(&id) = lower {
            named.push((mention.doc, mention.sentence, id));
        }
    }
    named.sort_unstable();
    named.dedup();
    let documents = named.last().map_or(0, |&(doc, _, _)| doc.0 as usize + 1);
    let mut document_starts = vec![0; documents + 1];
    for &(doc, _, _) in &named {
        document_starts[doc.0 as usize + 1] += 1;
    }
    for doc in 0..documents {
        document_starts[doc + 1] += document_starts[doc];
    }
    let surnames_in = |(doc, sentence): (DocId, u32)| -> &[(DocId, u32, u32)] {
        let Some(range) = document_starts.get(doc.0 as usize..doc.0 as usize + 2) else { return &[] };
        let in_document = &named[range[0]..range[1]];
        let start = in_document.partition_point(|&(_, at, _)| at < sentence);
        let end = start + in_document[start..].partition_point(|&(_, at, _)| at == sentence);
        &in_document[start..end]
    };
    let mut confirmed = HashSet::new();
    for (a, b) in aligned {
        let in_a = surnames_in(sentence(a));
        if in_a.is_empty() {
            continue;
        }
        let in_b = surnames_in(sentence(b));
        for &(_, _, x) in in_a {
            for &(_, _, y) in in_b {
                if let Some(&link) = wanted.get(&(x, y)).or_else(|| wanted.get(&(y, x))) {
                    confirmed.insert(link.clone());
                }
            }
        }
    }
    confirmed
}

/// Distinct spellings, sorted, and the distinct surnames they end with.
fn entities(mentions: &[Mention]) -> (Vec<Entity>, Vec<String>) {
    // Grouped by token run first (no string built per mention), then by surface; by sorting
    // hashes of the token runs, which, unlike a map, runs in parallel.
    let mut hashed: Vec<(u64, usize)> = mentions
        .par_iter()
        .enumerate()
        .map(|(mention_id, mention)| {
            let mut hasher = FxHasher::default();
            mention.tokens.joined().hash(&mut hasher);
            (hasher.finish(), mention_id)
        })
        .collect();
    hashed.par_sort_unstable();
    let mut by_surface: Vec<(String, Vec<usize>)> = hashed
        .par_chunk_by(|x, y| x.0 == y.0)
        .flat_map_iter(|same_hash| {
            // Different token runs with one hash are told apart here.
            let mut runs: Vec<(&Mention, Vec<usize>)> = Vec::new();
            for &(_, mention_id) in same_hash {
                let mention = &mentions[mention_id];
                match runs.iter_mut().find(|(run, _)| run.tokens == mention.tokens) {
                    Some((_, mention_ids)) => mention_ids.push(mention_id),
                    None => runs.push((mention, vec![mention_id])),
                }
            }
            runs.into_iter().map(|(mention, mention_ids)| (mention.surface(), mention_ids))
        })
        .collect();
    by_surface.par_sort_unstable_by(|x, y| x.0.cmp(&y.0));
    // Token runs that join into one surface ("Le Pen" as one token or two) are one spelling.
    let by_surface: Vec<(String, Vec<usize>)> = by_surface
        .chunk_by_mut(|x, y| x.0 == y.0)
        .map(|same_surface| {
            let surface = std::mem::take(&mut same_surface[0].0);
            let mut mention_ids: Vec<usize> =
                same_surface.iter_mut().flat_map(|(_, ids)| std::mem::take(ids)).collect();
            mention_ids.sort_unstable();
            (surface, mention_ids)
        })
        .collect();
    let mut surname_ids: BTreeMap<String, usize> = BTreeMap::new();
    for (surface, _) in &by_surface {
        let surname = surface.rsplit(' ').next().unwrap_or(surface).to_owned();
        let next_id = surname_ids.len();
        surname_ids.entry(surname).or_insert(next_id);
    }
    let entities = by_surface
        .into_par_iter()
        .map(|(surface, mention_ids)| {
            let tokens = mentions[mention_ids[0]].tokens.len();
            let surname = surface.rsplit(' ').next().unwrap_or(&surface);
            let surname_id = surname_ids[surname];
            let given = mentions[mention_ids[0]].tokens.first().filter(|_| tokens > 1).map(str::to_owned);
            let mut docs: Vec<DocId> = mention_ids.iter().map(|&m| mentions[m].doc).collect();
            docs.sort_unstable();
            let sources = docs.chunk_by(|x, y| x == y).map(|run| (run[0], run.len() as u32)).collect();
            let of_mentions = || mention_ids.iter().map(|&m| &mentions[m]);
            let clues = of_mentions()
                .map(|mention| KindClues::of(mention.context))
                .fold(KindClues::default(), KindClues::plus);
            let firm = of_mentions().any(|mention| !mention.tentative);
            Entity { surface, given, surname_id, tokens, mentions: mention_ids, sources, clues, firm }
        })
        .collect();
    let mut surnames = vec![String::new(); surname_ids.len()];
    for (surname, id) in surname_ids {
        surnames[id] = surname;
    }
    (entities, surnames)
}

/// For each source and each lone surname used there (an entity of one token), the full name
/// ending with that surname most mentioned in the corpus (the lowest id on a tie) among those
/// used in the same source: (lone surname, full name), by source then surname.
fn same_source_full_names(entities: &[Entity]) -> Vec<(usize, usize)> {
    // (source, surname, is a lone surname, entity): sorted, each (source, surname) run holds
    // its lone surname (at most one: a lone surname is its own spelling) after its full names.
    let mut used: Vec<(DocId, usize, bool, usize)> = entities
        .par_iter()
        .enumerate()
        .flat_map_iter(|(entity_id, entity)| {
            let lone = entity.tokens <= 1;
            entity.sources.iter().map(move |&(doc, _)| (doc, entity.surname_id, lone, entity_id))
        })
        .collect();
    used.par_sort_unstable();
    used.par_chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
        .filter_map(|run| {
            let &(_, _, lone, surname_only) = run.last()?;
            let full_names = run.iter().filter(|entry| !entry.2).map(|entry| entry.3);
            let best = full_names.max_by_key(|&id| (entities[id].mentions.len(), std::cmp::Reverse(id)));
            best.filter(|_| lone).map(|full_name| (surname_only, full_name))
        })
        .collect()
}

/// Per surname id (of `surnames` ids), the entities spelled with it, ascending.
fn entities_by_surname(entities: &[Entity], surnames: usize) -> Vec<Vec<usize>> {
    let mut by_surname = vec![Vec::new(); surnames];
    for (entity_id, entity) in entities.iter().enumerate() {
        by_surname[entity.surname_id].push(entity_id);
    }
    by_surname
}

/// For each lone name that is no full name's surname, the full name used with it as given name
/// in the sources that use it, where that is one and the same everywhere: (lone given name,
/// full name), in entity order. "Steve" in an article that names Steve Witkoff is Witkoff;
/// beside Steve Witkoff and Steve Bannon, in one article or in two, it is left alone (one
/// entity for the corpus, it would join them); "Jordan" beside Michael Jordan is a surname.
fn same_source_given_names(entities: &[Entity], by_surname: &[Vec<usize>]) -> Vec<(usize, usize)> {
    let is_surname_of_full_name =
        |entity: &Entity| by_surname[entity.surname_id].iter().any(|&id| entities[id].tokens > 1);
    let lone: Vec<usize> = (0..entities.len())
        .filter(|&id| entities[id].tokens == 1 && !is_surname_of_full_name(&entities[id]))
        .collect();
    let lone_surfaces: FxHashSet<&str> = lone.iter().map(|&id| entities[id].surface.as_str()).collect();
    // (source, given name) → the full names used there with it.
    let mut full_names: FxHashMap<(DocId, &str), Vec<usize>> = FxHashMap::default();
    for (entity_id, entity) in entities.iter().enumerate() {
        let Some(given) = entity.given.as_deref().filter(|given| lone_surfaces.contains(given)) else {
            continue;
        };
        for &(doc, _) in &entity.sources {
            full_names.entry((doc, given)).or_default().push(entity_id);
        }
    }
    let mut links = Vec::new();
    for entity_id in lone {
        let entity = &entities[entity_id];
        let mut named =
            entity.sources.iter().filter_map(|&(doc, _)| full_names.get(&(doc, entity.surface.as_str())));
        let Some(first) = named.next() else { continue };
        if let [full_name] = first.as_slice()
            && named.all(|others| others.as_slice() == [*full_name])
        {
            links.push((entity_id, *full_name));
        }
    }
    links
}

/// Pairs of surname ids (lower first) named in one sentence.
type Cooccurring = rustc_hash::FxHashSet<(u32, u32)>;

/// Pairs of distinct surnames that appear in one sentence: two names in one sentence are two
/// people.
fn cooccurring_surnames(mentions: &[Mention], entities: &[Entity]) -> Cooccurring {
    let mut surname_of_mention = vec![0; mentions.len()];
    for entity in entities {
        for &mention_id in &entity.mentions {
            surname_of_mention[mention_id] = entity.surname_id;
        }
    }
    let mut by_sentence: Vec<((DocId, u32), usize)> = mentions
        .iter()
        .enumerate()
        .map(|(mention_id, mention)| ((mention.doc, mention.sentence), surname_of_mention[mention_id]))
        .collect();
    by_sentence.sort_by_key(|&(sentence, _)| sentence);
    let mut pairs = Cooccurring::default();
    for sentence in by_sentence.chunk_by(|x, y| x.0 == y.0) {
        let surnames: Vec<usize> = sentence.iter().map(|&(_, surname)| surname).collect();
        for (position, &a) in surnames.iter().enumerate() {
            for &b in &surnames[position + 1..] {
                if a != b {
                    pairs.insert((a.min(b) as u32, a.max(b) as u32));
                }
            }
        }
    }
    pairs
}

/// Surname pairs that may be spelling variants, scored, closest first: (similarity, surname,
/// surname). The longest corpus-wide loop of clustering: at a million sentences it finds
/// hundreds of thousands of spelling pairs. In parallel, order kept.
///
/// Spellings often share their readings (Dedoov and Dedoow read alike), and whether two
/// spellings are candidates, and their similarity, depend on their readings alone: pairs are
/// found and compared per pair of distinct reading lists (at a million sentences 41k lists for
/// 77k spellings, 266k pairs of lists for 706k pairs of spellings), then given to their
/// spellings.
fn variant_pairs(
    surname_skeletons: &[Vec<String>],
    surname_genders: &[Genders],
    config: &ClusterConfig,
) -> Vec<(f64, usize, usize)> {
    let threshold = config.with_given_name_threshold;
    let mut ids: FxHashMap<&[String], usize> = FxHashMap::default();
    let mut readings: Vec<&[String]> = Vec::new();
    // Per reading list: the surnames read so, ascending.
    let mut spelled: Vec<Vec<usize>> = Vec::new();
    for (surname, skeletons) in surname_skeletons.iter().enumerate() {
        let id = *ids.entry(skeletons.as_slice()).or_insert_with(|| {
            readings.push(skeletons);
            spelled.push(Vec::new());
            readings.len() - 1
        });
        spelled[id].push(surname);
    }
    let genders = |reading: usize| surname_genders[spelled[reading][0]];
    let mut scored: Vec<(f64, usize, usize)> = candidate_pairs(&readings, &spelled)
        .into_par_iter()
        .filter(|&(x, y)| !genders(x).conflict(genders(y)))
        .map(|(x, y)| (compare_spellings(readings[x], readings[y], threshold).similarity, x, y))
        .filter(|&(score, _, _)| score >= threshold)
        .flat_map_iter(|(score, x, y)| {
            let (xs, ys) = (&spelled[x], &spelled[y]);
            xs.iter().enumerate().flat_map(move |(at, &a)| {
                // Within one list, each pair once.
                let others = if x == y { &ys[at + 1..] } else { &ys[..] };
                others.iter().map(move |&b| (score, a.min(b), a.max(b)))
            })
        })
        .collect();
    // Pairs are distinct, so this order is total and an unstable sort gives the same result.
    scored.par_sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    scored
}

/// Pairs of reading lists (lower id first; a list with itself when more than one surname
/// reads so) with one of their skeletons within one deletion of one of the other's.
///
/// Keys are hashed to 64 bits: a collision only adds a candidate, which scoring then rejects.
fn candidate_pairs(readings: &[&[String]], spelled: &[Vec<usize>]) -> Vec<(usize, usize)> {
    /// Beyond this many surnames, a key is too common to block on (very short skeletons).
    const MAX_BUCKET: usize = 256;
    let hash = |bytes: &[u8]| {
        let mut hasher = FxHasher::default();
        bytes.hash(&mut hasher);
        hasher.finish()
    };
    // (key, reading list) for every key of every list, sorted: each run of one key is a
    // bucket. Sorting, unlike a map of buckets, runs in parallel and gives the same pairs.
    let mut keyed: Vec<(u64, u32)> = readings
        .par_iter()
        .enumerate()
        .flat_map_iter(|(reading, alternatives)| {
            let mut keys: Vec<u64> = Vec::new();
            let mut deleted: Vec<u8> = Vec::new();
            for skeleton in alternatives.iter() {
                let bytes = skeleton.as_bytes();
                keys.push(hash(bytes));
                if bytes.len() >= 4 {
                    for position in 0..bytes.len() {
                        deleted.clear();
                        deleted.extend_from_slice(&bytes[..position]);
                        deleted.extend_from_slice(&bytes[position + 1..]);
                        keys.push(hash(&deleted));
                    }
                }
            }
            keys.into_iter().map(move |key| (key, reading as u32))
        })
        .collect();
    keyed.par_sort_unstable();
    keyed.dedup();
    let mut pairs: Vec<(usize, usize)> = keyed
        .par_chunk_by(|x, y| x.0 == y.0)
        .filter(|bucket| {
            bucket.iter().map(|&(_, reading)| spelled[reading as usize].len()).sum::<usize>() <= MAX_BUCKET
        })
        .flat_map_iter(|bucket| {
            bucket.iter().enumerate().flat_map(move |(position, &(_, x))| {
                let alike = (spelled[x as usize].len() > 1).then_some((x as usize, x as usize));
                alike
                    .into_iter()
                    .chain(bucket[position + 1..].iter().map(move |&(_, y)| (x as usize, y as usize)))
            })
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// The grammatical genders a surname's readings end in (Zelenska: feminine, Zelenski:
/// masculine).
#[derive(Debug, Clone, Copy)]
struct Genders {
    feminine: bool,
    masculine: bool,
}

impl Genders {
    fn of(skeletons: &[String]) -> Genders {
        let endings = || skeletons.iter().map(|s| gender_ending(s));
        Genders {
            feminine: endings().any(|g| g == Some(true)),
            masculine: endings().any(|g| g == Some(false)),
        }
    }

    /// One reads only feminine where the other reads masculine: two people of one family.
    fn conflict(self, other: Genders) -> bool {
        let one_way = |x: Genders, y: Genders| x.feminine && !x.masculine && y.masculine;
        one_way(self, other) || one_way(other, self)
    }
}

/// Union-find over entities, with the checks every merge must pass.
struct Groups<'a> {
    parent: Vec<usize>,
    /// Per root: the most mentioned surname of the group, and the group's mention count.
    representative: Vec<usize>,
    weight: Vec<usize>,
    /// Per root: the surname ids and given names of its members.
    surnames: Vec<Vec<usize>>,
    given: Vec<Vec<GivenName>>,
    /// Spelling comparisons of representative surnames already made: the similarity, and
    /// whether the closest readings change letters (worked out only where the merge asks,
    /// between the two thresholds). The same two representatives meet again for every pair of
    /// their spellings' entities.
    compared: FxHashMap<(usize, usize), (f64, bool)>,
    /// Pairs of roots refused a merge. A group's surnames and given names only grow, and a
    /// root absorbed stays absorbed, so a refusal stands for as long as both are roots: at a
    /// million sentences seven in eight refusals were asked again, by other entities of the
    /// same two groups.
    refused: FxHashSet<(usize, usize)>,
    entities: &'a [Entity],
    cooccurring: &'a Cooccurring,
    config: &'a ClusterConfig,
}

impl<'a> Groups<'a> {
    fn new(entities: &'a [Entity], cooccurring: &'a Cooccurring, config: &'a ClusterConfig) -> Self {
        Groups {
            parent: (0..entities.len()).collect(),
            representative: entities.iter().map(|e| e.surname_id).collect(),
            weight: entities.iter().map(|e| e.mentions.len()).collect(),
            surnames: entities.iter().map(|e| vec![e.surname_id]).collect(),
            given: entities.iter().map(|e| e.given.iter().map(|g| GivenName::new(g)).collect()).collect(),
            compared: FxHashMap::default(),
            refused: FxHashSet::default(),
            entities,
            cooccurring,
            config,
        }
    }

    fn find(&mut self, node: usize) -> usize {
        find_root(&mut self.parent, node)
    }

    /// Whether some given name of `a`'s group and of `b`'s group are the same name.
    fn given_names_agree(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        let threshold = 0.85_f64.max(self.config.given_name_threshold);
        self.given[ra].iter().any(|x| self.given[rb].iter().any(|y| x.similarity(y) >= threshold))
    }

    /// Merges the groups of `a` and `b`, whose surnames are spelling variants, if the groups'
    /// representative spellings are close enough (or close and the given names agree).
    fn try_variant_union(&mut self, a: usize, b: usize, spellings: &Spellings) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let key = (self.representative[ra], self.representative[rb]);
        if spellings.surname_genders[key.0].conflict(spellings.surname_genders[key.1]) {
            return false;
        }
        let (rep_a, rep_b) = (&spellings.surname_skeletons[key.0], &spellings.surname_skeletons[key.1]);
        let (spelling_threshold, threshold) =
            (self.config.spelling_threshold, self.config.with_given_name_threshold);
        let (similarity, changes_letters) = *self.compared.entry(key).or_insert_with(|| {
            let found = compare_spellings(rep_a, rep_b, threshold);
            let asked = (threshold..spelling_threshold).contains(&found.similarity);
            (found.similarity, asked && found.changes_letters())
        });
        // Agreeing given names make up for dropped or added letters, not for changed ones.
        let acceptable = similarity >= spelling_threshold
            || (similarity >= threshold && !changes_letters && self.given_names_agree(a, b));
        acceptable && self.try_union(a, b)
    }

    /// Merges the groups of `a` and `b` unless that would put two people together.
    fn try_union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let roots = (ra.min(rb), ra.max(rb));
        if self.refused.contains(&roots) {
            return false;
        }
        let clash = self.surnames[ra].iter().any(|&x| {
            self.surnames[rb]
                .iter()
                .any(|&y| x != y && self.cooccurring.contains(&(x.min(y) as u32, x.max(y) as u32)))
        });
        let threshold = self.config.given_name_threshold;
        let given_clash =
            self.given[ra].iter().any(|x| self.given[rb].iter().any(|y| x.similarity(y) < threshold));
        if clash || given_clash {
            self.refused.insert(roots);
            return false;
        }
        let (keep, absorbed) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[absorbed] = keep;
        if (self.weight[absorbed], std::cmp::Reverse(absorbed)) > (self.weight[keep], std::cmp::Reverse(keep))
        {
            self.representative[keep] = self.representative[absorbed];
        }
        self.weight[keep] += self.weight[absorbed];
        let moved_surnames = std::mem::take(&mut self.surnames[absorbed]);
        for surname in moved_surnames {
            if !self.surnames[keep].contains(&surname) {
                self.surnames[keep].push(surname);
            }
        }
        let moved_given = std::mem::take(&mut self.given[absorbed]);
        for given in moved_given {
            if !self.given[keep].iter().any(|kept| kept.folded == given.folded) {
                self.given[keep].push(given);
            }
        }
        true
    }

    fn into_clusters(mut self) -> Vec<NameCluster> {
        // Per root, its members; a root is its group's first entity, so groups come in order.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.entities.len()];
        for entity_id in 0..self.entities.len() {
            let root = self.find(entity_id);
            members[root].push(entity_id);
        }
        let entities = self.entities;
        let confirmed = |ids: &&Vec<usize>| ids.iter().any(|&id| entities[id].firm);
        let mut clusters: Vec<NameCluster> =
            members.par_iter().filter(confirmed).map(|ids| build_cluster(ids, entities)).collect();
        people_by_given_name(&mut clusters);
        clusters.sort_by(|a, b| {
            let total = |c: &NameCluster| c.variants.iter().map(|v| v.mentions).sum::<u32>();
            total(b).cmp(&total(a)).then_with(|| a.canonical.cmp(&b.canonical))
        });
        for (position, cluster) in clusters.iter_mut().enumerate() {
            cluster.id = position as u32 + 1;
        }
        clusters
    }
}

/// A given name, folded and skeletonised once.
struct GivenName {
    folded: String,
    initial: bool,
    skeletons: Vec<String>,
}

impl GivenName {
    fn new(name: &str) -> Self {
        GivenName {
            folded: crate::translit::fold(name),
            initial: name.trim_end_matches('.').chars().count() == 1,
            skeletons: skeletons(name),
        }
    }

    /// An initial matches its letter, a short form its long form (Steve / Steven), otherwise
    /// transliteration similarity (Vladimir / Volodymyr).
    fn similarity(&self, other: &GivenName) -> f64 {
        let (a, b) = (&self.folded, &other.folded);
        if self.initial || other.initial {
            return if a.chars().next() == b.chars().next() { 1.0 } else { 0.0 };
        }
        if a.len() >= 3 && b.len() >= 3 && (a.starts_with(b.as_str()) || b.starts_with(a.as_str())) {
            return 1.0;
        }
        compare_spellings(&self.skeletons, &other.skeletons, 0.0).similarity
    }
}

fn build_cluster(entity_ids: &[usize], entities: &[Entity]) -> NameCluster {
    let mut variants: Vec<Variant> = entity_ids
        .iter()
        .map(|&id| {
            let entity = &entities[id];
            Variant {
                surface: entity.surface.clone(),
                mentions: entity.mentions.len() as u32,
                sources: entity.sources.clone(),
            }
        })
        .collect();
    variants.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.surface.cmp(&b.surface)));
    let kind = entity_kind(&entity_ids.iter().map(|&id| &entities[id]).collect::<Vec<_>>());
    let mut cluster = NameCluster { id: 0, canonical: String::new(), kind, variants };
    // A given name standing alone ("Steve") is never the name the cluster goes by.
    cluster.canonical = cluster
        .surname_variants()
        .max_by(|a, b| {
            a.sources
                .len()
                .cmp(&b.sources.len())
                .then(a.mentions.cmp(&b.mentions))
                .then_with(|| b.surface.cmp(&a.surface))
        })
        .map(|v| v.surface.clone())
        .unwrap_or_default();
    cluster
}

/// Types as people the names left without evidence of their kind (`Other`) whose given name
/// some person of the corpus has: "Boris Sapuin", only ever met as "… and Boris Sapuin
/// approved …", with no title, speech verb or lone surname, is a person where the corpus names
/// someone else Boris; so is the seed corpus's "Michael Rounds" beside "Michael Flynn". A
/// place or an organisation keeps the kind its context gave it ("in the Jordan Valley").
fn people_by_given_name(clusters: &mut [NameCluster]) {
    fn given_names(cluster: &NameCluster) -> impl Iterator<Item = &str> {
        cluster.variants.iter().filter_map(|variant| Some(variant.surface.split_once(' ')?.0))
    }
    let people_have: FxHashSet<&str> =
        clusters.iter().filter(|cluster| cluster.kind == EntityKind::Person).flat_map(given_names).collect();
    let people: Vec<usize> = clusters
        .iter()
        .enumerate()
        .filter(|(_, cluster)| {
            cluster.kind == EntityKind::Other && given_names(cluster).any(|name| people_have.contains(name))
        })
        .map(|(position, _)| position)
        .collect();
    for position in people {
        clusters[position].kind = EntityKind::Person;
    }
}

/// Decides the kind of entity from its mentions' context.
fn entity_kind(entities: &[&Entity]) -> EntityKind {
    if entities.iter().any(|e| {
        e.tokens == 1 && e.surface.chars().count() >= 2 && e.surface.chars().all(|c| c.is_uppercase())
    }) {
        return EntityKind::Organization;
    }
    let total = entities.iter().map(|e| e.mentions.len()).sum::<usize>().max(1);
    let KindClues { title, article, locative, speech } =
        entities.iter().map(|e| e.clues).fold(KindClues::default(), KindClues::plus);
    // A full name whose surname also stands alone is how news refers to people.
    let has_full = entities.iter().any(|e| e.tokens >= 2);
    let has_alone = entities.iter().any(|e| e.tokens == 1);
    let name_pattern = usize::from(has_full && has_alone) * 2;
    let person = title + name_pattern + speech;
    if article * 3 >= total && article > person {
        EntityKind::Organization
    } else if person > 0 && person >= locative {
        EntityKind::Person
    } else if locative > 0 {
        EntityKind::Place
    } else {
        EntityKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_no_kind_is_a_persons_where_someone_has_its_given_name() {
        let named = |canonical: &str, kind: EntityKind| NameCluster {
            id: 0,
            canonical: canonical.to_owned(),
            kind,
            variants: vec![Variant { surface: canonical.to_owned(), mentions: 1, sources: Vec::new() }],
        };
        let mut clusters = vec![
            named("Boris Kachiov", EntityKind::Person),
            named("Boris Sapuin", EntityKind::Other),
            named("Boris Valley", EntityKind::Place),
            named("Air Force One", EntityKind::Other),
            named("Boris", EntityKind::Other),
        ];
        people_by_given_name(&mut clusters);
        let kinds: Vec<EntityKind> = clusters.iter().map(|cluster| cluster.kind).collect();
        // A place keeps its kind; a name whose given name no person has, or with no given name
        // at all, stays of no kind.
        assert_eq!(
            kinds,
            [EntityKind::Person, EntityKind::Person, EntityKind::Place, EntityKind::Other, EntityKind::Other]
        );
    }

    #[test]
    fn variant_pairs_found_per_reading_list_are_those_of_every_spelling_pair() {
        let surnames = [
            "Dedoov",
            "Dedoow",
            "Dedov",
            "Dudoov",
            "Zelensky",
            "Zelenskyy",
            "Zelenski",
            "Zelenska",
            "Witkoff",
            "Vitkoff",
            "Wiktoff",
            "Witkov",
            "Ushakov",
            "Uishako",
            "Uixakov",
            "Ouchakov",
            "Putin",
            "Poutine",
            "Le",
            "Li",
        ];
        let skeletons: Vec<Vec<String>> = surnames.iter().map(|s| crate::translit::skeletons(s)).collect();
        let genders: Vec<Genders> = skeletons.iter().map(|s| Genders::of(s)).collect();
        let config = ClusterConfig::default();
        // Every spelling pair on its own: a shared skeleton or one deletion apart (no bucket
        // is large enough here to be left out).
        let keys = |alternatives: &[String]| -> HashSet<String> {
            let mut keys = HashSet::new();
            for skeleton in alternatives {
                keys.insert(skeleton.clone());
                if skeleton.len() >= 4 {
                    for position in 0..skeleton.len() {
                        keys.insert(format!("{}{}", &skeleton[..position], &skeleton[position + 1..]));
                    }
                }
            }
            keys
        };
        let mut expected = Vec::new();
        for a in 0..surnames.len() {
            for b in a + 1..surnames.len() {
                if keys(&skeletons[a]).is_disjoint(&keys(&skeletons[b])) || genders[a].conflict(genders[b]) {
                    continue;
                }
                let similarity =
                    compare_spellings(&skeletons[a], &skeletons[b], config.with_given_name_threshold)
                        .similarity;
                if similarity >= config.with_given_name_threshold {
                    expected.push((similarity, a, b));
                }
            }
        }
        expected.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        // Some spellings read alike, so that some pairs come from one reading list.
        assert!(expected.iter().any(|&(_, a, b)| skeletons[a] == skeletons[b]));
        assert!(expected.iter().any(|&(similarity, _, _)| similarity == 1.0));
        assert!(expected.iter().any(|&(similarity, _, _)| similarity < 1.0));
        assert_eq!(variant_pairs(&skeletons, &genders, &config), expected);
    }

    fn mention(name: &str, doc: u32) -> Mention {
        Mention {
            doc: DocId(doc),
            sentence: 0,
            tokens: name.split(' ').collect(),
            context: MentionContext::default(),
            tentative: false,
        }
    }

    fn together(clusters: &[NameCluster], a: &str, b: &str) -> bool {
        clusters
            .iter()
            .any(|c| c.variants.iter().any(|v| v.surface == a) && c.variants.iter().any(|v| v.surface == b))
    }

    #[test]
    fn token_runs_that_join_into_one_surface_are_one_spelling_in_surface_order() {
        let mut mentions =
            vec![mention("Marine Le Pen", 2), mention("Zelensky", 0), mention("Marine Le Pen", 1)];
        mentions[2].tokens = ["Marine", "Le Pen"].into_iter().collect();
        mentions.push(mention("Marine Le Pen", 0));
        let mut said = mention("Zelensky", 0);
        said.context.speech = true;
        said.tentative = true;
        mentions.push(said);
        let (entities, surnames) = entities(&mentions);
        type Sources<'e> = &'e [(DocId, u32)];
        let found: Vec<(&str, &[usize], Sources)> = entities
            .iter()
            .map(|entity| (entity.surface.as_str(), entity.mentions.as_slice(), entity.sources.as_slice()))
            .collect();
        let (docs_le_pen, docs_zelensky) = ([(DocId(0), 1), (DocId(1), 1), (DocId(2), 1)], [(DocId(0), 2)]);
        assert_eq!(
            found,
            [
                ("Marine Le Pen", &[0, 2, 3][..], &docs_le_pen[..]),
                ("Zelensky", &[1, 4][..], &docs_zelensky[..])
            ]
        );
        assert_eq!(entities[1].clues, KindClues { speech: 1, ..KindClues::default() });
        assert!(entities[1].firm, "one of its mentions is not tentative");
        assert_eq!(surnames, ["Pen", "Zelensky"]);
    }

    #[test]
    fn a_lone_surname_links_to_the_most_mentioned_full_name_of_its_source() {
        let mentions = vec![
            mention("Ivan Petrov", 0),
            mention("Anna Petrov", 0),
            mention("Anna Petrov", 1),
            mention("Anna Petrov", 3),
            mention("Petrov", 0),
            mention("Petrov", 2),
            mention("Ivan Petrov", 2),
            mention("Sidorov", 1),
        ];
        let (entities, _) = entities(&mentions);
        let surface = |id: usize| entities[id].surface.as_str();
        let links: Vec<(&str, &str)> = same_source_full_names(&entities)
            .into_iter()
            .map(|(lone, full)| (surface(lone), surface(full)))
            .collect();
        // Source 0 has both full names (Anna is mentioned more), source 2 only Ivan; Sidorov
        // has no full name.
        assert_eq!(links, [("Petrov", "Anna Petrov"), ("Petrov", "Ivan Petrov")]);
    }

    #[test]
    fn a_lone_given_name_links_to_the_one_full_name_its_sources_give_it() {
        let mentions = vec![
            mention("Steve Witkoff", 0),
            mention("Steve", 0),
            mention("Yuri Ushakov", 1),
            mention("Yuri Dudkin", 1),
            mention("Yuri", 1),
            mention("Anna Petrova", 2),
            mention("Anna Ivanova", 3),
            mention("Anna", 2),
            mention("Anna", 3),
            mention("Michael Jordan", 4),
            mention("Jordan", 4),
            mention("Nikolai", 5),
        ];
        // Each in a sentence of its own: two names in one sentence are two people.
        let mentions: Vec<Mention> =
            mentions.into_iter().enumerate().map(|(at, m)| Mention { sentence: at as u32, ..m }).collect();
        let (entities, surnames) = entities(&mentions);
        let by_surname = entities_by_surname(&entities, surnames.len());
        let surface = |id: usize| entities[id].surface.as_str();
        let links: Vec<(&str, &str)> = same_source_given_names(&entities, &by_surname)
            .into_iter()
            .map(|(lone, full)| (surface(lone), surface(full)))
            .collect();
        // Two Yuris in one source, two Annas in two, Jordan a surname, Nikolai with no full
        // name: only Steve is linked.
        assert_eq!(links, [("Steve", "Steve Witkoff")]);
        let clusters = cluster(&mentions, &ClusterConfig::default());
        assert!(together(&clusters, "Steve", "Steve Witkoff"));
        let witkoff = clusters.iter().find(|c| c.canonical.ends_with("Witkoff")).expect("a cluster");
        assert_eq!(
            witkoff.surname_spellings(),
            ["witkoff"],
            "a given name alone is no spelling of the surname"
        );
    }

    #[test]
    fn established_look_alikes_need_alignment_to_confirm_them() {
        let mut mentions: Vec<Mention> = (0..3).map(|doc| mention("Ivan Dedoov", doc)).collect();
        mentions.extend((3..6).map(|doc| mention("Ivan Dudoov", doc)));
        mentions.push(mention("Ivan Dedoow", 6));
        let config = ClusterConfig::default();
        let spellings = Spellings::new(&mentions, &config);
        let (spelling_only, contested) = spellings.cluster(None);
        assert!(together(&spelling_only, "Ivan Dedoov", "Ivan Dudoov"));
        // Dedoow counts as established too: it shares Dedoov's skeleton and sources.
        assert_eq!(
            contested,
            [("dedoov", "dudoov"), ("dedoow", "dudoov")].map(|(a, b)| (a.to_owned(), b.to_owned()))
        );

        let (unconfirmed, _) = spellings.cluster(Some(&HashSet::new()));
        assert!(!together(&unconfirmed, "Ivan Dedoov", "Ivan Dudoov"));
        assert!(
            together(&unconfirmed, "Ivan Dedoov", "Ivan Dedoow"),
            "a rare spelling needs no confirmation"
        );

        type Sentence = (DocId, u32);
        let confirmed_by = |aligned: &[(Sentence, Sentence)]| {
            confirm(&contested, &mentions, aligned.iter().copied(), |sentence| sentence)
        };
        assert!(confirmed_by(&[]).is_empty());
        // Other sentences of the same documents, and documents naming no one, confirm nothing.
        let elsewhere = [((DocId(0), 1), (DocId(4), 0)), ((DocId(0), 0), (DocId(4), 1))];
        assert!(confirmed_by(&elsewhere).is_empty());
        assert!(confirmed_by(&[((DocId(0), 0), (DocId(9), 0)), ((DocId(9), 0), (DocId(4), 0))]).is_empty());
        let aligned = confirmed_by(&[((DocId(0), 0), (DocId(4), 0))]);
        assert_eq!(aligned, HashSet::from([contested[0].clone()]));
        let (confirmed, _) = spellings.cluster(Some(&aligned));
        assert!(together(&confirmed, "Ivan Dedoov", "Ivan Dudoov"));
    }
}
