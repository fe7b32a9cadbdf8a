//! Names: finds mentions of named entities in sentences, with the context that tells persons
//! from organisations and places.
//!
//! A mention is a run of capitalised tokens (with possessives, hyphenated particles such as
//! `el-Sisi`, name particles such as `van`, and initials), trimmed of words the corpus also
//! uses in lower case (titles, sentence-initial "However"). Glued words are repaired first with
//! the defects the cleaning stage found. The clustering of mentions into people is in
//! `cluster`.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::clean::{Vocabulary, defects_between};
use crate::model::{Defect, DocId, Document, Unit, UnitKind};
use crate::normalize::{FUNCTION_WORDS, MONTHS, WEEKDAYS, WordSet, lowercase, uppercase};

/// One name as it occurs in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The document.
    pub doc: DocId,
    /// Index of the sentence (among the document's sentences).
    pub sentence: u32,
    /// The name's tokens as written, possessive removed (`Steve`, `Witkoff`).
    pub tokens: NameTokens,
    /// What surrounds it.
    pub context: MentionContext,
    /// A lone capitalised word at the start of a clause that the corpus never capitalises
    /// elsewhere: a name only if it turns out to be a variant of a name seen elsewhere.
    pub tentative: bool,
}

impl Mention {
    /// The name as one string.
    pub fn surface(&self) -> String {
        self.tokens.joined().replace(NameTokens::SEPARATOR, " ")
    }
}

/// A name's tokens in one allocation, joined by a control character that no token holds
/// (tokens are words, some with an inner space: `Le Pen`). As a vector of strings, the 1.6M
/// mentions of a million sentences took 112 MB more.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameTokens(Box<str>);

impl NameTokens {
    /// What separates two tokens in [`NameTokens::joined`].
    pub const SEPARATOR: char = '\u{1f}';

    /// The tokens, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split(NameTokens::SEPARATOR).filter(|_| !self.0.is_empty())
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        if self.0.is_empty() { 0 } else { self.0.matches(NameTokens::SEPARATOR).count() + 1 }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first token.
    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    /// The last token.
    pub fn last(&self) -> Option<&str> {
        self.iter().next_back()
    }

    /// The tokens joined by [`NameTokens::SEPARATOR`]: two runs of tokens are equal when
    /// these are.
    pub fn joined(&self) -> &str {
        &self.0
    }

    /// The first `at` tokens and the rest, each joined, for `0 < at < len()`.
    fn split_at(&self, at: usize) -> (&str, &str) {
        let (position, _) = self.0.match_indices(NameTokens::SEPARATOR).nth(at - 1).expect("0 < at < len()");
        (&self.0[..position], &self.0[position + NameTokens::SEPARATOR.len_utf8()..])
    }
}

impl<S: AsRef<str>> FromIterator<S> for NameTokens {
    fn from_iter<I: IntoIterator<Item = S>>(tokens: I) -> NameTokens {
        let mut joined = String::new();
        for (position, token) in tokens.into_iter().enumerate() {
            let token = token.as_ref();
            debug_assert!(!token.is_empty() && !token.contains(NameTokens::SEPARATOR), "{token:?}");
            if position > 0 {
                joined.push(NameTokens::SEPARATOR);
            }
            joined.push_str(token);
        }
        NameTokens(joined.into_boxed_str())
    }
}

/// Clues to the kind of entity a mention names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MentionContext {
    /// A title or role precedes it ("President", "spokesman", "Mr.").
    pub title: bool,
    /// Preceded by "the" (organisations and some places: "the Kremlin").
    pub article: bool,
    /// Preceded by a locative preposition ("in Kyiv", "from Moscow").
    pub locative: bool,
    /// Followed by a speech verb ("Peskov said").
    pub speech: bool,
}

/// Name particles that may stand lowercase inside a name (`Ludwig van Beethoven`, `el-Sisi`).
static PARTICLES: WordSet = WordSet::new(&[&[
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "dos", "du", "el", "ibn", "la", "le",
    "van", "von",
]]);

/// Titles and roles: stripped from a name, and evidence that it names a person.
static TITLES: WordSet = WordSet::new(&[&[
    "adviser",
    "advisor",
    "aide",
    "ambassador",
    "analyst",
    "businessman",
    "captain",
    "chancellor",
    "chief",
    "colonel",
    "commander",
    "congressman",
    "congresswoman",
    "correspondent",
    "democrat",
    "deputy",
    "developer",
    "director",
    "dr",
    "envoy",
    "former",
    "gen",
    "general",
    "governor",
    "head",
    "investigator",
    "journalist",
    "judge",
    "king",
    "leader",
    "lord",
    "mayor",
    "minister",
    "mr",
    "mrs",
    "ms",
    "negotiator",
    "officer",
    "official",
    "pope",
    "premier",
    "president",
    "prime",
    "queen",
    "rep",
    "reporter",
    "republican",
    "secretary",
    "sen",
    "senator",
    "sir",
    "speaker",
    "spokesman",
    "spokesperson",
    "spokeswoman",
]]);

/// Words that are never names: closed-class words that are capitalised only at the start of a
/// clause, the shared function words and calendar words, in one set (a token is looked up once).
static NOT_NAMES: WordSet = WordSet::new(&[CLAUSE_WORDS, &FUNCTION_WORDS, &MONTHS, &WEEKDAYS]);

/// Closed-class words that are capitalised only at the start of a clause, besides the shared
/// function words and calendar words.
const CLAUSE_WORDS: &[&str] = &[
    "again",
    "although",
    "another",
    "because",
    "before",
    "despite",
    "during",
    "each",
    "either",
    "even",
    "every",
    "first",
    "furthermore",
    "however",
    "instead",
    "last",
    "later",
    "many",
    "maybe",
    "meanwhile",
    "moreover",
    "neither",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "perhaps",
    "since",
    "still",
    "though",
    "today",
    "two",
    "under",
    "unlike",
    "whether",
    "without",
    "yes",
    "yesterday",
    "yet",
];

const LOCATIVES: &[&str] =
    &["in", "from", "at", "into", "across", "near", "outside", "inside", "throughout", "within"];

/// Speech verbs that come before their speaker in an attribution after a quote ("…," said
/// Peskov); verbs that take an object there ("told Reuters", "asked Putin") are not here.
const INVERTING_SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "added",
    "explained",
    "noted",
    "wrote",
    "replied",
    "recalled",
    "warned",
    "insisted",
    "argued",
    "continued",
];

const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "asked",
    "replied",
    "noted",
    "stated",
    "wrote",
    "explained",
    "insisted",
    "acknowledged",
    "argued",
    "claimed",
    "recalled",
    "warned",
    "confirmed",
    "denied",
    "tweeted",
    "posted",
    "proposed",
    "suggested",
    "reminded",
];

/// A word of a sentence, with what separates it from the previous one.
#[derive(Debug, Clone)]
struct Token<'t> {
    /// The word as written, a slice of the sentence.
    text: &'t str,
    /// Only whitespace between this token and the previous one.
    joined: bool,
    /// A comma right after the previous token ("Yermak, Zelensky's chief of staff").
    after_comma: bool,
    /// First word of a sentence or of a quotation or clause after a colon.
    clause_start: bool,
    possessive: bool,
    /// A single capital followed by a full stop ("K.", "J. R.").
    initial: bool,
    /// A contraction such as "I’ll" or "don't".
    contraction: bool,
}

impl Token<'_> {
    fn lower<'w>(&self, buffer: &'w mut [u8; 32]) -> Cow<'w, str> {
        lowercase(self.text, buffer)
    }

    fn capitalised(&self) -> bool {
        // Asked of every token, most of them lowercase words without a hyphen: the cheap
        // tests go first.
        let starts_upper = |text: &str| text.chars().next().is_some_and(char::is_uppercase);
        !self.contraction
            && (starts_upper(self.text)
                || self.text.bytes().any(|byte| byte == b'-')
                    && self
                        .text
                        .split_once('-')
                        .is_some_and(|(prefix, rest)| is_particle(prefix) && starts_upper(rest)))
    }

    fn is_title(&self) -> bool {
        is_title_word(self.lower(&mut [0; 32]).trim_end_matches('.'))
    }
}

/// Finds name mentions in a document's sentences; `defects` are the document's, sorted by
/// where they split (as [`crate::clean::find_defects`] returns them).
pub fn extract_mentions(
    document: &Document,
    units: &[Unit],
    defects: &[Defect],
    vocabulary: &Vocabulary,
) -> Vec<Mention> {
    let mut mentions = Vec::new();
    // Scratch space kept from one sentence to the next.
    let (mut text, mut chars) = (String::new(), Vec::new());
    for unit in units.iter().filter(|unit| matches!(unit.kind, UnitKind::Sentence { .. })) {
        repaired_into(document, unit, defects, &mut text);
        let tokens = tokenize(&text, &mut chars);
        for found in name_runs(&tokens, vocabulary) {
            let names = split_compounds(found.tokens, vocabulary);
            // "the Trump-Putin call": the article belongs to the call, not to the names.
            let context =
                MentionContext { article: found.context.article && names.len() == 1, ..found.context };
            for name in names {
                mentions.push(Mention {
                    doc: document.id,
                    sentence: unit.index,
                    tokens: name,
                    context,
                    tentative: found.tentative,
                });
            }
        }
    }
    mentions
}

/// Joins the mentions of each document (in document order) into one vector, splitting those
/// that are two full names run together ("President Donald Trump Steve Witkoff", where the
/// translation lost a comma) when both halves occur as names on their own somewhere in the
/// corpus. Joining and splitting are one copy: at a million sentences the mentions are 50 MB
/// of fresh memory, written on one thread.
pub fn join_and_split_juxtaposed(per_document: Vec<Vec<Mention>>) -> Vec<Mention> {
    /// The ways to cut a run of tokens into two of two tokens or more, each joined.
    fn halves(tokens: &NameTokens) -> impl Iterator<Item = (usize, &str, &str)> {
        (2..tokens.len().saturating_sub(1)).map(move |at| {
            let (first, second) = tokens.split_at(at);
            (at, first, second)
        })
    }
    let all = || per_document.iter().flatten();
    // Only the halves of mentions of four tokens or more are looked for: the few of them are
    // gathered first, and the corpus's mentions searched for them in parallel.
    let wanted: FxHashSet<&str> = all()
        .flat_map(|mention| halves(&mention.tokens))
        .flat_map(|(_, first, second)| [first, second])
        .collect();
    let known: FxHashSet<&str> = if wanted.is_empty() {
        FxHashSet::default()
    } else {
        per_document
            .par_iter()
            .flat_map_iter(|mentions| mentions.iter().map(|mention| mention.tokens.joined()))
            .filter(|joined| joined.contains(NameTokens::SEPARATOR) && wanted.contains(joined))
            .collect()
    };
    let split_point = |mention: &Mention| {
        halves(&mention.tokens)
            .find(|(_, first, second)| known.contains(first) && known.contains(second))
            .map(|(at, _, _)| at)
    };
    // (position among all mentions, where to split)
    let splits: Vec<(usize, usize)> =
        all().enumerate().filter_map(|(position, mention)| Some((position, split_point(mention)?))).collect();
    let mut joined = Vec::with_capacity(all().count() + splits.len());
    let mut splits = splits.into_iter().peekable();
    for (position, mention) in per_document.into_iter().flatten().enumerate() {
        let Some((_, at)) = splits.next_if(|&(split, _)| split == position) else {
            joined.push(mention);
            continue;
        };
        let (first, second) = mention.tokens.split_at(at);
        let (first, second) = (NameTokens(first.into()), NameTokens(second.into()));
        joined.push(Mention { tokens: first, ..mention.clone() });
        joined.push(Mention { tokens: second, ..mention });
    }
    joined
}

/// Replaces `text` with the unit's text with the spaces that extraction lost put back.
fn repaired_into(document: &Document, unit: &Unit, defects: &[Defect], text: &mut String) {
    text.clear();
    let mut cursor = unit.span.start as usize;
    for defect in defects_between(defects, unit.span.start as usize, unit.span.end as usize) {
        text.push_str(&document.text[cursor..defect.split_at as usize]);
        text.push(' ');
        cursor = defect.split_at as usize;
    }
    text.push_str(&document.text[cursor..unit.span.end as usize]);
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

/// A sentence's characters by position, for a tokenizer that looks a character or two ahead.
trait Characters {
    fn count(&self) -> usize;
    /// The character at `position`, `None` past the end.
    fn at(&self, position: usize) -> Option<char>;
    /// Where the character at `position` starts in the text (its length past the end).
    fn byte_at(&self, position: usize) -> usize;
}

/// An ASCII text: its bytes are its characters, read in place.
struct AsciiCharacters<'t>(&'t [u8]);

impl Characters for AsciiCharacters<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn at(&self, position: usize) -> Option<char> {
        self.0.get(position).map(|&byte| char::from(byte))
    }

    fn byte_at(&self, position: usize) -> usize {
        position.min(self.0.len())
    }
}

/// Any other text, decoded once with where each character starts.
struct DecodedCharacters<'c> {
    chars: &'c [(usize, char)],
    text_len: usize,
}

impl Characters for DecodedCharacters<'_> {
    fn count(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, position: usize) -> Option<char> {
        self.chars.get(position).map(|&(_, c)| c)
    }

    fn byte_at(&self, position: usize) -> usize {
        self.chars.get(position).map_or(self.text_len, |&(at, _)| at)
    }
}

/// Splits a sentence into word tokens (letters joined by inner apostrophes and hyphens;
/// dotted acronyms such as "U.S." are one token). `chars` is scratch space for a text that is
/// not ASCII; an ASCII one (most of an English corpus) is read byte by byte instead of being
/// decoded into 16-byte (position, character) pairs first (with the apostrophe test below,
/// `names/extract-mentions` 11–13% faster).
fn tokenize<'t>(text: &'t str, chars: &mut Vec<(usize, char)>) -> Vec<Token<'t>> {
    if text.is_ascii() {
        return tokens(text, &AsciiCharacters(text.as_bytes()));
    }
    chars.clear();
    chars.extend(text.char_indices());
    tokens(text, &DecodedCharacters { chars, text_len: text.len() })
}

/// [`tokenize`] over the characters of `text`.
fn tokens<'t>(text: &'t str, chars: &impl Characters) -> Vec<Token<'t>> {
    let char_at = |position: usize| chars.at(position);
    let byte_at = |position: usize| chars.byte_at(position);
    // Room for a word per five characters, enough for most sentences at once.
    let mut tokens: Vec<Token> = Vec::with_capacity(chars.count() / 5 + 1);
    let mut position = 0;
    let mut gap_start = 0;
    while let Some(c) = char_at(position) {
        if !c.is_alphabetic() {
            position += 1;
            continue;
        }
        let start = position;
        let is_letter_at = |i: usize| char_at(i).is_some_and(char::is_alphabetic);
        let is_dotted_capital = |i: usize| {
            char_at(i).is_some_and(char::is_uppercase) && char_at(i + 1) == Some('.') && !is_letter_at(i + 1)
        };
        if is_dotted_capital(position) && is_dotted_capital(position + 2) {
            // U.S., U.K., E.U.: one token, not initials.
            while is_dotted_capital(position) {
                position += 2;
            }
        } else {
            while let Some(c) = char_at(position) {
                let connector = || (is_apostrophe(c) || is_hyphen(c)) && is_letter_at(position + 1);
                if c.is_alphabetic() || connector() {
                    position += 1;
                } else {
                    break;
                }
            }
        }
        let mut word = &text[byte_at(start)..byte_at(position)];
        let mut possessive = false;
        for suffix in ["'s", "’s", "ʼs"] {
            if let Some(stem) = word.strip_suffix(suffix) {
                word = stem;
                possessive = true;
                break;
            }
        }
        if !possessive && char_at(position).is_some_and(is_apostrophe) && word.ends_with('s') {
            possessive = !is_letter_at(position + 1);
        }
        // Apostrophes are rare: words without one (no `'`, no multibyte character) skip the search.
        let may_have_apostrophe = word.bytes().any(|byte| byte == b'\'' || !byte.is_ascii());
        let contraction = may_have_apostrophe
            && word.split_once(is_apostrophe).is_some_and(|(_, rest)| {
                ["ll", "m", "re", "ve", "d", "t"].contains(&rest.to_lowercase().as_str())
            });
        let initial = char_at(position) == Some('.')
            && word.chars().count() == 1
            && word.chars().all(char::is_uppercase);
        let gap_trimmed = text[byte_at(gap_start)..byte_at(start)].trim();
        let after_initial = gap_trimmed == "." && tokens.last().is_some_and(|t| t.initial);
        let joined = !tokens.is_empty() && (gap_trimmed.is_empty() || after_initial);
        let clause_start = tokens.is_empty()
            || gap_trimmed.ends_with([':', '“', '"', '«', '„', '‘', '(', '—', '–', ';', '.', '?', '!'])
                && !after_initial;
        let after_comma = gap_trimmed.starts_with(',');
        tokens.push(Token {
            text: word,
            joined,
            after_comma,
            clause_start,
            possessive,
            initial,
            contraction,
        });
        gap_start = position;
    }
    tokens
}

/// Whether a capitalised word is also an ordinary word of the corpus (seen in lower case).
fn seen_lowercase(token: &Token, vocabulary: &Vocabulary) -> bool {
    let (count, capitalised) = (vocabulary.count(token.text), vocabulary.capitalised_count(token.text));
    // Most names are never seen otherwise: their all-caps spelling needs no lookup then.
    count > capitalised && {
        let mut buffer = [0; 32];
        let upper = uppercase(token.text, &mut buffer);
        let all_caps = if upper == token.text { 0 } else { vocabulary.capitalised_count(&upper) };
        count > capitalised + all_caps
    }
}

fn is_title_word(word: &str) -> bool {
    TITLES.contains(word)
}

fn is_particle(word: &str) -> bool {
    PARTICLES.contains(word)
}

fn is_acronym(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| *c != '.');
    letters.clone().nth(1).is_some() && letters.all(char::is_uppercase)
}

fn is_not_name(token: &Token) -> bool {
    let mut buffer = [0; 32];
    let lower = token.lower(&mut buffer);
    NOT_NAMES.contains(&lower)
}

/// A name found in a run of capitalised tokens.
struct FoundName {
    tokens: NameTokens,
    context: MentionContext,
    tentative: bool,
}

/// Runs of capitalised tokens, trimmed to the name they contain, with their context.
fn name_runs(tokens: &[Token], vocabulary: &Vocabulary) -> Vec<FoundName> {
    let mut runs = Vec::new();
    let mut position = 0;
    while position < tokens.len() {
        if !(tokens[position].capitalised() || tokens[position].initial) {
            position += 1;
            continue;
        }
        let start = position;
        let mut end = position + 1;
        while end < tokens.len() && tokens[end].joined && !tokens[end - 1].possessive {
            let token = &tokens[end];
            let next_is_name = tokens.get(end + 1).is_some_and(|next| next.joined && next.capitalised());
            // "Ludwig van Beethoven"; "Secretary of State": a title may take an "of" phrase.
            let particle = is_particle(token.text) || (token.text == "of" && tokens[end - 1].is_title());
            if token.capitalised() || token.initial || (particle && next_is_name) {
                end += 1;
            } else {
                break;
            }
        }
        position = end;
        if let Some(found) = trim_run(tokens, start, end, vocabulary) {
            runs.push(found);
        }
    }
    runs
}

/// Trims a run of capitalised tokens to its name: titles, qualifiers and clause openers go.
fn trim_run(tokens: &[Token], start: usize, end: usize, vocabulary: &Vocabulary) -> Option<FoundName> {
    let run = &tokens[start..end];
    let (mut previous_buffer, mut following_buffer) = ([0; 32], [0; 32]);
    let previous = start.checked_sub(1).map(|p| tokens[p].lower(&mut previous_buffer));
    let following = tokens.get(end).map(|token| token.lower(&mut following_buffer));
    let mut title = previous.as_deref().is_some_and(is_title_word);
    let mut article = previous.as_deref() == Some("the");
    let mut first = 0;
    // Everything up to the last title of the run is a description ("Russian President",
    // "Secretary of State"), as long as a name follows it.
    if let Some(last_title) = run.iter().rposition(Token::is_title) {
        if last_title + 1 == run.len() {
            return None;
        }
        title = true;
        first = last_title + 1;
        while first < run.len() && (seen_lowercase(&run[first], vocabulary) || run[first].text == "of") {
            first += 1;
        }
        if first == run.len() {
            return None; // only a title phrase: "Secretary of State"
        }
    }
    // A clause opener, a closed-class word or a short acronym before more name words is not
    // part of the name ("The", "However", "US").
    while first < run.len() {
        let token = &run[first];
        // The word lists before the corpus vocabulary, whose lookups are cache misses at scale:
        // many sentences open with a word the lists know ("The", "However").
        let opener = || first == 0 && token.clause_start && seen_lowercase(token, vocabulary);
        let qualifier = is_acronym(token.text) && first + 1 < run.len() && token.text.len() <= 4;
        if token.initial || !(qualifier || is_not_name(token) || opener()) {
            break;
        }
        article |= token.lower(&mut [0; 32]) == "the";
        first += 1;
    }
    // Trailing ordinary words after a proper name ("Trump Administration") go, unless the
    // name is itself made of ordinary words ("Air Force One").
    let mut last = run.len();
    let proper_head = |end: usize| run[first..end].iter().all(|t| !seen_lowercase(t, vocabulary));
    while last > first + 1
        && seen_lowercase(&run[last - 1], vocabulary)
        && !is_acronym(run[last - 1].text)
        && proper_head(last - 1)
    {
        last -= 1;
    }
    let name = &run[first.min(last)..last];
    if name.is_empty() || name.iter().all(|t| t.initial) {
        return None;
    }
    let mut tentative = false;
    if name.len() == 1 {
        let word = &name[0];
        // A demonym ("Russian" from "Russia") is an adjective; a lone word that the corpus
        // capitalises only at clause starts is a name only if clustering finds it a variant of
        // a name seen elsewhere.
        if is_not_name(word) || is_demonym(word.text, vocabulary) {
            return None;
        }
        tentative = word.clause_start && vocabulary.inner_capitalised_count(word.text) == 0;
    }
    // The word before the name may open the run ("In Moscow, …" at a sentence's start).
    let mut opener_buffer = [0; 32];
    let opener = (first > 0).then(|| run[first - 1].lower(&mut opener_buffer));
    let word_before = opener.as_deref().or(previous.as_deref());
    let is_locative = |word: &str| LOCATIVES.contains(&word);
    // "in the United States": the article goes with the preposition, and the name is a place's.
    let after_locative_article = previous.as_deref() == Some("the")
        && start >= 2
        && tokens[start - 1].joined
        && is_locative(&tokens[start - 2].lower(&mut [0; 32]));
    let locative = after_locative_article || word_before.is_some_and(is_locative);
    // The speaker after a quote: `"…," said Peskov` (the verb opens a clause of its own; a
    // verb with an object, "told Reuters", is not in the list).
    let inverted_speech = start > 0
        && !tokens[start - 1].joined
        && !run[last - 1].possessive
        && previous.as_deref().is_some_and(|w| INVERTING_SPEECH_VERBS.contains(&w));
    let context = MentionContext {
        title: title || (last == run.len() && !locative && has_appositive_title(&tokens[end..])),
        article: article && !after_locative_article,
        locative,
        speech: inverted_speech || following.as_deref().is_some_and(|w| SPEECH_VERBS.contains(&w)),
    };
    let tokens = name
        .iter()
        .map(|t| if t.initial { Cow::Owned(format!("{}.", t.text)) } else { Cow::Borrowed(t.text) })
        .collect();
    Some(FoundName { tokens, context, tentative })
}

/// Words an appositive may run to before its title: "a former CIA Moscow station chief".
const APPOSITIVE_WORDS: usize = 6;

/// Whether `after` (the tokens after a name) opens with an appositive that gives a role: a
/// comma, then a determiner or a possessive, and a title before the next punctuation
/// ("Andriy Yermak, Zelensky's powerful chief of staff"; "Daniel Hoffman, a former CIA Moscow
/// station chief"). A place fronting its clause takes the subject's title after the comma ("In
/// Moscow, the president said …"): the caller leaves out names after a locative.
fn has_appositive_title(after: &[Token]) -> bool {
    let Some(first) = after.first().filter(|token| token.after_comma) else { return false };
    let opens = first.possessive || ["a", "an", "the"].contains(&first.lower(&mut [0; 32]).as_ref());
    let phrase =
        after.iter().take(APPOSITIVE_WORDS).enumerate().take_while(|(at, token)| *at == 0 || token.joined);
    opens && phrase.skip(1).any(|(_, token)| token.is_title())
}

/// A word formed from another capitalised word of the corpus with a demonym suffix:
/// Russia → Russian(s), Europe → European(s), Ukraine → Ukrainian(s).
fn is_demonym(word: &str, vocabulary: &Vocabulary) -> bool {
    let singular = word.strip_suffix('s').unwrap_or(word);
    let known = |stem: &str| !stem.is_empty() && stem != word && vocabulary.capitalised_count(stem) > 0;
    let stems = [
        singular.strip_suffix('n').map(str::to_owned),
        singular.strip_suffix("an").map(str::to_owned),
        singular.strip_suffix("ian").map(|stem| format!("{stem}e")),
        singular.strip_suffix("ian").map(|stem| format!("{stem}a")),
        singular.strip_suffix("ian").map(str::to_owned),
    ];
    stems.iter().flatten().any(|stem| known(stem))
}

/// Splits `Trump-Putin` into two names when both halves are names on their own.
fn split_compounds(tokens: NameTokens, vocabulary: &Vocabulary) -> Vec<NameTokens> {
    if tokens.len() != 1 {
        return vec![tokens];
    }
    let parts: Vec<&str> = tokens.joined().split(is_hyphen).collect();
    let all_names = parts.len() >= 2
        && parts.iter().all(|part| {
            part.chars().next().is_some_and(char::is_uppercase) && vocabulary.capitalised_count(part) >= 1
        });
    if all_names {
        parts.into_iter().map(|part| [part].into_iter().collect()).collect()
    } else {
        vec![tokens]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::{classify_lines, corpus_stats, find_defects};
    use crate::segment::segment;

    #[test]
    fn words_of_every_list_are_never_names() {
        assert!(["however", "the", "october", "monday"].iter().all(|word| NOT_NAMES.contains(word)));
        assert!(!["witkoff", "kyiv", "oct"].iter().any(|word| NOT_NAMES.contains(word)));
    }

    #[test]
    fn name_tokens_keep_their_tokens_in_order() {
        let tokens: NameTokens = ["Marine", "Le Pen", "Witkoff's"].into_iter().collect();
        assert_eq!(tokens.iter().collect::<Vec<_>>(), ["Marine", "Le Pen", "Witkoff's"]);
        assert_eq!((tokens.len(), tokens.first(), tokens.last()), (3, Some("Marine"), Some("Witkoff's")));
        let (first, second) = tokens.split_at(1);
        assert_eq!(
            (first, second.replace(NameTokens::SEPARATOR, "|")),
            ("Marine", "Le Pen|Witkoff's".into())
        );
        let one: NameTokens = ["Zelensky"].into_iter().collect();
        assert_eq!((one.len(), one.first(), one.last()), (1, Some("Zelensky"), Some("Zelensky")));
        let none: NameTokens = std::iter::empty::<&str>().collect();
        assert_eq!((none.len(), none.is_empty(), none.first()), (0, true, None));
        assert_ne!(tokens, ["Marine Le", "Pen", "Witkoff's"].into_iter().collect());
    }

    #[test]
    fn names_run_together_split_where_both_halves_are_names_elsewhere() {
        let mention = |surface: &str, sentence: u32| Mention {
            doc: DocId(0),
            sentence,
            tokens: surface.split(' ').collect(),
            context: MentionContext::default(),
            tentative: false,
        };
        let found = join_and_split_juxtaposed(vec![
            vec![
                mention("Donald Trump Steve Witkoff", 0),
                mention("Jean Marie Le Pen Steve Witkoff", 1),
                mention("Kirill Dmitriev Anna Karenina", 2),
            ],
            Vec::new(),
            vec![
                mention("Donald Trump", 3),
                mention("Steve Witkoff", 4),
                mention("Jean Marie Le Pen", 5),
                mention("Kirill Dmitriev", 6),
            ],
        ]);
        let surfaces: Vec<(u32, String)> = found.iter().map(|m| (m.sentence, m.surface())).collect();
        let expected = [
            (0, "Donald Trump"),
            (0, "Steve Witkoff"),
            (1, "Jean Marie Le Pen"),
            (1, "Steve Witkoff"),
            (2, "Kirill Dmitriev Anna Karenina"),
            (3, "Donald Trump"),
            (4, "Steve Witkoff"),
            (5, "Jean Marie Le Pen"),
            (6, "Kirill Dmitriev"),
        ];
        assert_eq!(surfaces, expected.map(|(sentence, surface)| (sentence, surface.to_owned())));
    }

    fn mentions(text: &str, context: &str) -> Vec<String> {
        let documents: Vec<Document> = [text, context]
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(DocId(i as u32), format!("d{i}"), (*t).to_owned()))
            .collect();
        let corpus = corpus_stats(&documents);
        let classes = classify_lines(&documents[0], &corpus);
        let defects = find_defects(&documents[0], &classes, &corpus.vocabulary);
        let units = segment(&documents[0], &classes, &defects);
        extract_mentions(&documents[0], &units, &defects, &corpus.vocabulary)
            .iter()
            .map(|m| {
                let c = m.context;
                let flags: String = [(c.title, 'T'), (c.article, 'A'), (c.locative, 'L'), (c.speech, 'S')]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, flag)| *flag)
                    .collect();
                let tentative = if m.tentative { "?" } else { "" };
                let flags = if flags.is_empty() { String::new() } else { format!(" [{flags}]") };
                format!("{}{tentative}{flags}", m.surface())
            })
            .collect()
    }

    const CONTEXT: &str =
        "the president and the secretary of state met a spokesman. however, the house was white. we told us.";

    #[test]
    fn titles_possessives_and_sentence_openers() {
        assert_eq!(
            mentions(
                "However, US President Donald Trump’s envoy Steve Witkoff met Yuri Ushakov in Moscow.",
                CONTEXT
            ),
            ["Donald Trump [T]", "Steve Witkoff [T]", "Yuri Ushakov", "Moscow [L]"]
        );
    }

    #[test]
    fn an_appositive_role_or_a_speech_verb_before_the_name_tells_a_person() {
        assert_eq!(
            mentions(
                "Andriy Yermak, Zelensky’s powerful chief of staff, called. “It is hard,” explained Daniel \
                 Hoffman, a retired station chief.",
                CONTEXT
            ),
            ["Andriy Yermak [T]", "Zelensky", "Daniel Hoffman [TS]"]
        );
        // A place fronting its clause, an appositive with no role, a verb with an object, and an
        // owner after the verb are no such evidence.
        assert_eq!(
            mentions(
                "In Moscow, the president said no. Kyiv, the capital, is cold. He told Reuters so. \
                 “No,” said Moscow’s envoy.",
                CONTEXT
            ),
            ["Moscow [L]", "Kyiv?", "Reuters", "Moscow"]
        );
    }

    #[test]
    fn after_a_preposition_the_article_goes_with_it() {
        assert_eq!(
            mentions("They met in the Middle East; the White House and the Kremlin agreed.", CONTEXT),
            ["Middle East [L]", "White House [A]", "Kremlin [A]"]
        );
    }

    #[test]
    fn organisations_with_articles_and_ordinary_word_names() {
        assert_eq!(
            mentions("Kremlin spokesman Dmitry Peskov said the White House and the CIA knew.", CONTEXT),
            ["Kremlin?", "Dmitry Peskov [TS]", "White House [A]", "CIA [A]"]
        );
    }

    #[test]
    fn particles_initials_and_compounds() {
        assert_eq!(
            mentions(
                "Abdel Fattah el-Sisi praised the Trump-Putin call; J. R. Smith and Ludwig van Beethoven agreed.",
                "Trump and Putin spoke."
            ),
            ["Abdel Fattah el-Sisi", "Trump", "Putin", "J. R. Smith", "Ludwig van Beethoven"]
        );
    }

    #[test]
    fn glued_words_are_repaired_before_extraction() {
        assert_eq!(
            mentions(
                "Witkoff met Kirill Dmitrievanother of the negotiators.",
                "Dmitriev said another thing. Dmitriev left."
            ),
            ["Witkoff?", "Kirill Dmitriev"]
        );
    }
}
