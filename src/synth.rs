//! Synthetic corpora with gold: many sources "translating" one pool of statements.
//!
//! A pool of statements is built from templates; each is carried by a random subset of sources
//! and rendered per source the way translations differ: synonyms, clause order, added or
//! dropped clauses, quote styles, date formats, small numbers spelled out or in digits, and
//! person names spelled under the source's romanisation convention (English, German, French,
//! Ukrainian-style). Sources are padded with unrelated distractor sentences and shuffled; some
//! renderings are exact copies, and (if asked) a share change a fact, as a mistranslation does:
//! a number or date, a negation, or the person named. The gold says which sentence expresses which
//! statement, which sentences changed which fact, and which spellings name which person. The
//! same seed always gives the same bytes.

use std::borrow::Cow;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Number of sources (documents).
    pub sources: usize,
    /// Sentences per source.
    pub sentences: usize,
    /// Random seed.
    pub seed: u64,
    /// The share of renderings (exact copies aside) that state a fact of their statement
    /// otherwise (see [`FactChange`]); 0 for none.
    pub changed: f64,
}

/// A generated corpus: documents and gold, all in memory.
#[derive(Debug, Clone, Default)]
pub struct Synthetic {
    /// (source name, text), one sentence-paragraph structure per source.
    pub documents: Vec<(String, String)>,
    /// (source, sentence index, statement id): sentences expressing a pooled statement.
    pub statements: Vec<(String, u32, u32)>,
    /// (spelling, person id): every spelling of every person used.
    pub names: Vec<(String, u32)>,
    /// (source, sentence index, what changed): the sentences of `statements` that state one
    /// fact of their statement otherwise.
    pub changes: Vec<(String, u32, FactChange)>,
}

/// A fact a rendering states otherwise than its statement, as mistranslations do: what
/// divergence detection should find between it and the statement's other carriers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactChange {
    /// Another number, or another day of the month.
    Number,
    /// Negated, or a negation dropped.
    Negation,
    /// Another person named.
    Person,
}

impl FactChange {
    /// The divergence a pair of a changed and an unchanged carrier should be reported as.
    pub fn divergence(self) -> crate::divergence::Divergence {
        match self {
            FactChange::Number => crate::divergence::Divergence::Number,
            FactChange::Negation => crate::divergence::Divergence::Negation,
            FactChange::Person => crate::divergence::Divergence::Name,
        }
    }

    /// The changes a statement's template has room for: a number or a date, a verb or a
    /// clause to negate, a person to replace (every template names one).
    fn possible(template: usize) -> &'static [FactChange] {
        match template {
            3 | 4 => &[FactChange::Negation, FactChange::Person],
            _ => &[FactChange::Number, FactChange::Negation, FactChange::Person],
        }
    }
}

const GIVEN: &[&str] = &[
    "Ivan", "Olga", "Sergei", "Anna", "Pavel", "Dmitry", "Oleg", "Nina", "Boris", "Yuri", "Elena", "Mikhail",
    "Tatiana", "Viktor", "Irina", "Andrei", "Maxim", "Larisa", "Roman", "Vera",
];
const ONSETS: &[&str] = &[
    "b", "v", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "z", "sh", "kh", "zh", "ch", "br", "kr", "st",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u"];
const ENDINGS: &[&str] = &["ov", "ev", "in", "enko", "uk", "sky", "ovich"];
const PLACE_PARTS: &[&str] =
    &["Vel", "Mor", "Kar", "Sen", "Dol", "Tar", "Bel", "Gor", "Nov", "Ost", "Pri", "Zar"];
const PLACE_ENDS: &[&str] = &["ovo", "grad", "ino", "sk", "ets", "ava", "burg", "mir"];

/// Word slots with their synonyms: a statement fixes the set, each source picks a member.
const NOUNS: &[&[&str]] = &[
    &["plan", "proposal", "scheme"],
    &["agreement", "accord", "deal"],
    &["ceasefire", "truce"],
    &["summit", "meeting", "conference"],
    &["report", "document", "paper"],
    &["sanctions", "penalties", "restrictions"],
    &["pipeline", "gas link"],
    &["treaty", "pact"],
];
const VERBS: &[&[&str]] = &[
    &["approved", "endorsed", "backed"],
    &["rejected", "dismissed", "turned down"],
    &["discussed", "debated", "considered"],
    &["signed", "concluded", "finalised"],
    &["delayed", "postponed", "put off"],
    &["published", "released", "made public"],
];
const ADJECTIVES: &[&[&str]] = &[
    &["ready", "finished", "complete"],
    &["unacceptable", "inadmissible", "intolerable"],
    &["serious", "grave"],
    &["informal", "unofficial"],
];
const BODIES: &[&str] = &["the ministry", "the council", "the commission", "the delegation", "parliament"];
const MEDIA: &[&[&str]] = &[&["reporters", "journalists", "the press"]];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Topic words: every statement is about "the <modifier> <subject>", so statements differ in
/// content the way real ones do, and translations keep the topic.
const MODIFIERS: &[&str] = &[
    "northern",
    "southern",
    "eastern",
    "western",
    "coastal",
    "regional",
    "military",
    "civilian",
    "nuclear",
    "maritime",
    "agricultural",
    "financial",
    "humanitarian",
    "diplomatic",
    "industrial",
    "energy",
    "border",
    "railway",
    "medical",
    "electoral",
    "naval",
    "strategic",
    "temporary",
    "provisional",
    "joint",
    "bilateral",
    "cross-border",
    "municipal",
    "federal",
    "private",
];
const SUBJECTS: &[&str] = &[
    "grain exports",
    "prisoner exchange",
    "power station",
    "air defence",
    "gas transit",
    "port blockade",
    "troop withdrawal",
    "peacekeeping mission",
    "fuel supplies",
    "bank transfers",
    "border crossing",
    "refugee corridor",
    "arms deliveries",
    "water supply",
    "steel quotas",
    "debt relief",
    "drone strikes",
    "satellite data",
    "fishing rights",
    "election monitors",
    "reconstruction fund",
    "customs union",
    "oil embargo",
    "visa regime",
    "school reopening",
    "rail link",
    "mine clearance",
    "grain corridor",
    "energy grid",
    "tariff cuts",
    "frozen assets",
    "media licences",
    "airspace closure",
    "nuclear plant",
    "hospital convoy",
    "river crossing",
    "wheat harvest",
    "coal imports",
    "cyber defence",
    "trade route",
];

/// Distractor vocabulary, disjoint from the statements' content words.
const WEATHER: &[&str] =
    &["sunny", "rainy", "windy", "foggy", "snowy", "humid", "stormy", "mild", "frosty", "hot"];
const SPORTS: &[&str] = &[
    "football",
    "hockey",
    "basketball",
    "volleyball",
    "tennis",
    "rowing",
    "handball",
    "rugby",
    "chess",
    "cycling",
];
const EVENTS: &[&str] = &[
    "festival",
    "concert",
    "exhibition",
    "fair",
    "parade",
    "marathon",
    "workshop",
    "tournament",
    "lecture",
    "auction",
];

/// A sentence's statement, and the fact it states otherwise, if any.
type Carried = (u32, Option<FactChange>);

/// A person: given name, surname in English romanisation, id.
#[derive(Debug, Clone)]
struct Person {
    given: String,
    surname: String,
}

/// A statement of the pool: a template and its filled slots.
#[derive(Debug, Clone)]
struct Statement {
    template: usize,
    modifier: usize,
    subject: usize,
    person: usize,
    other_person: usize,
    place: String,
    noun: usize,
    verb: usize,
    adjective: usize,
    body: usize,
    month: usize,
    day: u32,
    number: u32,
}

/// How one source writes names, dates, quotes and numbers.
#[derive(Debug, Clone, Copy)]
struct Convention {
    names: usize,
    dates: usize,
    quotes: usize,
}

impl Convention {
    /// `number` as the source writes it: spelled out below ten by sources that romanise names
    /// the English way (as English style guides have it), in digits by the others.
    fn number(self, number: u32) -> String {
        const SPELLED: [&str; 10] =
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        match SPELLED.get(number as usize) {
            Some(spelled) if self.names == 0 => (*spelled).to_owned(),
            _ => number.to_string(),
        }
    }
}

/// Spells an English-romanised name under a convention: 0 English, 1 German, 2 French,
/// 3 Ukrainian-style English.
fn spell(name: &str, convention: usize) -> String {
    let lower = name.to_lowercase();
    let spelled = match convention {
        1 => {
            let mut s = lower.replace("sh", "sch").replace("kh", "ch").replace("zh", "sch").replace('y', "j");
            if s.ends_with("ov") || s.ends_with("ev") {
                s.pop();
                s.push('w');
            }
            s.replace('v', "w")
        }
        2 => lower.replace("sh", "ch").replace('u', "ou").replace("zh", "j"),
        3 => {
            let mut s = lower.replace('i', "y");
            if s.ends_with("ov") || s.ends_with("ev") {
                s.pop();
                s.push_str("ff");
            }
            s
        }
        _ => lower,
    };
    capitalise(&spelled)
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    let mut surname = String::new();
    for _ in 0..rng.gen_range(2..=3) {
        surname.push_str(ONSETS.choose(rng).expect("non-empty"));
        surname.push_str(VOWELS.choose(rng).expect("non-empty"));
    }
    surname.push_str(ENDINGS.choose(rng).expect("non-empty"));
    spell(&surname, 0)
}

fn place_name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", PLACE_PARTS.choose(rng).expect("non-empty"), PLACE_ENDS.choose(rng).expect("non-empty"))
}

fn pick<'a>(rng: &mut ChaCha8Rng, synonyms: &'a [&'a str]) -> &'a str {
    synonyms.choose(rng).expect("synonym sets are non-empty")
}

fn date(month: &str, day: u32, format: usize) -> String {
    match format {
        1 => format!("{day} {month}"),
        2 => {
            let suffix = match day {
                1 | 21 | 31 => "st",
                2 | 22 => "nd",
                3 | 23 => "rd",
                _ => "th",
            };
            format!("{month} {day}{suffix}")
        }
        _ => format!("{month} {day}"),
    }
}

/// Renders a statement as one source writes it.
fn render(
    statement: &Statement,
    people: &[Person],
    convention: Convention,
    exact: bool,
    change: Option<FactChange>,
    rng: &mut ChaCha8Rng,
) -> String {
    let convention = if exact { Convention { names: 0, dates: 0, quotes: 0 } } else { convention };
    let mut choose = |set: &'static [&'static str]| if exact { set[0] } else { pick(rng, set) };
    // A change alters what is said, never how many choices are drawn: the other sentences of
    // a corpus stay as they were.
    // Only a changed statement is copied: most renderings change nothing.
    let statement: Cow<Statement> = match change {
        Some(FactChange::Number) => Cow::Owned(Statement {
            day: statement.day % 28 + 1,
            number: statement.number + 11,
            ..statement.clone()
        }),
        Some(FactChange::Person) => {
            Cow::Owned(Statement { person: replacement(statement, people.len()), ..statement.clone() })
        }
        _ => Cow::Borrowed(statement),
    };
    let negated = change == Some(FactChange::Negation);
    let person = &people[statement.person];
    let other = &people[statement.other_person];
    let full = |p: &Person| format!("{} {}", p.given, spell(&p.surname, convention.names));
    let noun = format!("{} {} {}", choose(NOUNS[statement.noun]), "on the", topic(&statement));
    let verb = choose(VERBS[statement.verb]);
    let verb = if negated && matches!(statement.template, 1 | 3 | 5) {
        format!("never {verb}")
    } else {
        verb.to_owned()
    };
    // The clauses the other templates negate.
    let (be, had, accept) =
        if negated { ("not be", "had not", "will accept") } else { ("be", "had", "will not accept") };
    let adjective = choose(ADJECTIVES[statement.adjective]);
    let media = choose(MEDIA[0]);
    let when = date(MONTHS[statement.month], statement.day, convention.dates);
    let body = BODIES[statement.body];
    let place = &statement.place;
    let number = convention.number(statement.number);
    let flip = !exact && rng.gen_bool(0.5);
    let extra = !exact && rng.gen_bool(0.2);
    let (open, close) = [("“", "”"), ("\"", "\""), ("«", "»")][convention.quotes];
    let mut sentence = match statement.template {
        0 if flip => format!("By {when}, the {noun} would {be} {adjective}, {} said", full(person)),
        0 => format!("{} said that the {noun} would {be} {adjective} by {when}", full(person)),
        1 if flip => format!(
            "{} {verb} the {noun} in {place} on {when}, according to {}",
            capitalise(body),
            full(person)
        ),
        1 => format!("According to {}, {body} {verb} the {noun} in {place} on {when}", full(person)),
        2 if flip => {
            format!("{} told {media} that {body} {had} {verb} {number} points of the {noun}", full(person))
        }
        2 => format!(
            "{} said to {media} that {number} points of the {noun} {had} been {verb} by {body}",
            full(person)
        ),
        3 if flip => {
            format!("After {} met {} in {place}, {body} {verb} the {noun}", full(person), full(other))
        }
        3 => format!(
            "{} {verb} the {noun} after {} met {} in {place}",
            capitalise(body),
            full(person),
            full(other)
        ),
        4 if flip => format!(
            "{open}The {noun} is {adjective} and we {accept} it,{close} {} said in {place}",
            full(person)
        ),
        4 => format!(
            "{} said in {place}: {open}The {noun} is {adjective}, we {accept} it.{close}",
            full(person)
        ),
        _ if flip => format!("On {when}, {} and {} {verb} the {noun}", full(person), full(other)),
        _ => format!("{} and {} {verb} the {noun} on {when}", full(person), full(other)),
    };
    if extra {
        sentence.push_str(if rng.gen_bool(0.5) { ", officials said" } else { ", the report added" });
    }
    if !sentence.ends_with(['.', '”', '"', '»']) {
        sentence.push('.');
    }
    sentence
}

/// Who a rendering that names another person names instead of the statement's person: the
/// next person who is neither of the statement's two.
fn replacement(statement: &Statement, people: usize) -> usize {
    (1..people)
        .map(|offset| (statement.person + offset) % people)
        .find(|&person| person != statement.other_person)
        .expect("a corpus has at least three people")
}

fn topic(statement: &Statement) -> String {
    format!("{} {}", MODIFIERS[statement.modifier], SUBJECTS[statement.subject])
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// An unrelated sentence: no statement's content words, assembled from independent parts so
/// that two distractors rarely share more than a word or two.
fn distractor(rng: &mut ChaCha8Rng, places: &[String]) -> String {
    const OPENINGS: &[&str] = &[
        "Residents of",
        "Shop owners in",
        "Teachers in",
        "Farmers near",
        "Visitors to",
        "Students in",
        "Cyclists around",
        "Families from",
        "Musicians in",
        "Volunteers in",
        "Bakers in",
        "Fishermen near",
    ];
    const ACTIONS: &[&str] = &[
        "celebrated",
        "complained about",
        "organised",
        "photographed",
        "repaired",
        "painted",
        "cleaned up",
        "voted on",
        "raised money for",
        "argued over",
        "planted trees along",
        "built a shelter for",
    ];
    const THINGS: &[&str] = &[
        "the old bridge",
        "a new playground",
        "the town clock",
        "the flooded cellar",
        "the summer fair",
        "the bus timetable",
        "a stray dog",
        "the chess club",
        "the village choir",
        "the tram depot",
        "a pumpkin contest",
        "the ice rink",
        "the bakery queue",
        "the lighthouse",
        "the orchard",
    ];
    const TIMES: &[&str] = &[
        "last weekend",
        "before the holidays",
        "after the storm",
        "during the heatwave",
        "on a quiet evening",
        "for the third year",
        "despite the rain",
        "at dawn",
        "over the winter",
        "in early spring",
    ];
    let pick = |rng: &mut ChaCha8Rng, words: &[&'static str]| -> &'static str {
        words.choose(rng).expect("non-empty")
    };
    let place = places.choose(rng).expect("places exist");
    let opening = pick(rng, OPENINGS);
    let action = pick(rng, ACTIONS);
    let thing = pick(rng, THINGS);
    let time = pick(rng, TIMES);
    match rng.gen_range(0..4) {
        0 => format!("{opening} {place} {action} {thing} {time}."),
        1 => format!("{} {place}, {} {action} {thing}.", capitalise(time), opening.to_lowercase()),
        2 => format!(
            "About {} people watched as {} {place} {action} {thing}.",
            rng.gen_range(20..5000),
            opening.to_lowercase()
        ),
        _ => format!(
            "{opening} {place} said the {} {} {} {time}.",
            pick(rng, WEATHER),
            pick(rng, SPORTS),
            pick(rng, EVENTS)
        ),
    }
}

/// Generates a corpus and its gold.
pub fn generate(config: &SynthConfig) -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    // Which renderings change a fact is drawn from a stream of its own, so that the corpus is
    // otherwise what the seed gave before changes were made.
    let mut changes = ChaCha8Rng::seed_from_u64(config.seed ^ 0x6368_616e_6765);
    let slots_per_source = config.sentences * 7 / 10;
    let people_count = (config.sources * config.sentences / 40).clamp(20, 200_000);
    let mut seen_surnames = std::collections::HashSet::new();
    let mut people = Vec::with_capacity(people_count);
    while people.len() < people_count {
        let surname = person_name(&mut rng);
        if seen_surnames.insert(surname.clone()) {
            people.push(Person { given: GIVEN.choose(&mut rng).expect("non-empty").to_string(), surname });
        }
    }
    let places: Vec<String> = (0..200).map(|_| place_name(&mut rng)).collect();
    let conventions: Vec<Convention> = (0..config.sources)
        .map(|_| Convention {
            names: rng.gen_range(0..4),
            dates: rng.gen_range(0..3),
            quotes: rng.gen_range(0..3),
        })
        .collect();

    // Assign statements to sources until every source's statement slots are full.
    let mut remaining: Vec<usize> = vec![slots_per_source; config.sources];
    let mut open: Vec<usize> = (0..config.sources).filter(|_| slots_per_source > 0).collect();
    let mut carried: Vec<Vec<(usize, bool, Option<FactChange>)>> = vec![Vec::new(); config.sources];
    let mut statements: Vec<Statement> = Vec::new();
    while open.len() >= 2 {
        let carriers = rng.gen_range(2..=open.len().min(8));
        let chosen: Vec<usize> = open.choose_multiple(&mut rng, carriers).copied().collect();
        let statement_id = statements.len();
        statements.push(Statement {
            template: rng.gen_range(0..6),
            modifier: rng.gen_range(0..MODIFIERS.len()),
            subject: rng.gen_range(0..SUBJECTS.len()),
            person: rng.gen_range(0..people.len()),
            other_person: rng.gen_range(0..people.len()),
            place: places.choose(&mut rng).expect("non-empty").clone(),
            noun: rng.gen_range(0..NOUNS.len()),
            verb: rng.gen_range(0..VERBS.len()),
            adjective: rng.gen_range(0..ADJECTIVES.len()),
            body: rng.gen_range(0..BODIES.len()),
            month: rng.gen_range(0..MONTHS.len()),
            day: rng.gen_range(1..29),
            number: rng.gen_range(3..60),
        });
        let template = statements[statement_id].template;
        for source in chosen {
            let exact = rng.gen_bool(0.1);
            let change = (!exact && changes.gen_bool(config.changed))
                .then(|| *FactChange::possible(template).choose(&mut changes).expect("non-empty"));
            carried[source].push((statement_id, exact, change));
            remaining[source] -= 1;
        }
        open.retain(|&source| remaining[source] > 0);
    }

    let mut synthetic = Synthetic::default();
    let mut spellings = std::collections::BTreeSet::new();
    for (source, carried) in carried.iter().enumerate() {
        let name = format!("src{:05}", source + 1);
        let mut sentences: Vec<(String, Option<Carried>)> = carried
            .iter()
            .map(|&(statement, exact, change)| {
                let text =
                    render(&statements[statement], &people, conventions[source], exact, change, &mut rng);
                (text, Some((statement as u32, change)))
            })
            .collect();
        while sentences.len() < config.sentences {
            sentences.push((distractor(&mut rng, &places), None));
        }
        sentences.shuffle(&mut rng);
        let mut text = String::new();
        let mut in_paragraph = 0;
        for (index, (sentence, statement)) in sentences.iter().enumerate() {
            if let &Some((statement, change)) = statement {
                synthetic.statements.push((name.clone(), index as u32, statement));
                if let Some(change) = change {
                    synthetic.changes.push((name.clone(), index as u32, change));
                }
                let used = &statements[statement as usize];
                let person = match change {
                    Some(FactChange::Person) => replacement(used, people.len()),
                    _ => used.person,
                };
                let names_used = if matches!(used.template, 3 | 5) {
                    vec![person, used.other_person]
                } else {
                    vec![person]
                };
                for person in names_used {
                    let convention =
                        if sentence.contains(&spell(&people[person].surname, conventions[source].names)) {
                            conventions[source].names
                        } else {
                            0
                        };
                    let surname = spell(&people[person].surname, convention);
                    spellings.insert((format!("{} {surname}", people[person].given), person as u32));
                }
            }
            if in_paragraph > 0 {
                text.push(' ');
            }
            text.push_str(sentence);
            in_paragraph += 1;
            if in_paragraph == 3 || rng.gen_bool(0.4) {
                text.push('\n');
                in_paragraph = 0;
            }
        }
        synthetic.documents.push((name, text));
    }
    synthetic.names = spellings.into_iter().collect();
    synthetic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_and_different_seed_differs() {
        let config = SynthConfig { sources: 5, sentences: 20, seed: 7, changed: 0.0 };
        let (a, b) = (generate(&config), generate(&config));
        assert_eq!(a.documents, b.documents);
        assert_eq!(a.statements, b.statements);
        let c = generate(&SynthConfig { seed: 8, ..config });
        assert_ne!(a.documents, c.documents);
    }

    #[test]
    fn every_source_has_its_sentences_and_statements_have_two_carriers() {
        let synthetic = generate(&SynthConfig { sources: 6, sentences: 30, seed: 1, changed: 0.0 });
        assert_eq!(synthetic.documents.len(), 6);
        let mut carriers: std::collections::HashMap<u32, std::collections::BTreeSet<&str>> =
            Default::default();
        for (source, _, statement) in &synthetic.statements {
            carriers.entry(*statement).or_default().insert(source);
        }
        assert!(carriers.values().all(|sources| sources.len() >= 2));
    }

    /// Every change a template has room for, made alone, is what divergence detection calls
    /// it: the changed rendering differs from the plain one only in that fact.
    #[test]
    fn each_change_alone_is_the_divergence_it_stands_for() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let people: Vec<Person> = (0..20)
            .map(|_| Person {
                given: GIVEN.choose(&mut rng).expect("non-empty").to_string(),
                surname: person_name(&mut rng),
            })
            .collect();
        let names: crate::model::NameIndex = people
            .iter()
            .enumerate()
            .map(|(id, person)| (person.surname.to_lowercase().into(), id as u32))
            .collect();
        for template in 0..6 {
            let statement = Statement {
                template,
                modifier: 0,
                subject: 1,
                person: 2,
                other_person: 3,
                place: "Velgrad".to_owned(),
                noun: 1,
                verb: 2,
                adjective: 0,
                body: 1,
                month: 4,
                day: 14,
                number: 5,
            };
            for &change in FactChange::possible(template) {
                for seed in 0..4 {
                    let convention = Convention { names: 0, dates: seed as usize % 3, quotes: 0 };
                    let render_with = |change| {
                        render(
                            &statement,
                            &people,
                            convention,
                            false,
                            change,
                            &mut ChaCha8Rng::seed_from_u64(seed),
                        )
                    };
                    let (plain, changed) = (render_with(None), render_with(Some(change)));
                    assert_eq!(
                        crate::divergence::classify(&plain, &changed, &names),
                        change.divergence(),
                        "{plain} / {changed}"
                    );
                }
            }
        }
    }

    #[test]
    fn english_style_sources_spell_numbers_below_ten() {
        let convention = |names| Convention { names, dates: 0, quotes: 0 };
        assert_eq!(convention(0).number(7), "seven");
        assert_eq!(convention(0).number(12), "12");
        assert_eq!(convention(1).number(7), "7");
    }

    #[test]
    fn conventions_spell_names_as_the_schemes_do() {
        assert_eq!(spell("Shakhov", 1), "Schachow");
        assert_eq!(spell("Shakhov", 2), "Chakhov");
        assert_eq!(spell("Vitkov", 3), "Vytkoff");
    }
}
