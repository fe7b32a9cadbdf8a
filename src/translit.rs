//! Transliteration skeletons: one Latin spelling for the many ways a name is romanised.
//!
//! A name is folded to ASCII (Cyrillic and diacritics via `any_ascii`, after the letters whose
//! plain-ASCII fold loses a sound: `š` is `sh`, not `s`), then rewritten so that conventions
//! agree: German `sch`/`tsch`/`w`, French `ou`/`ch`, Polish `sz`/`cz`, Catalan `x`, the
//! English `kh`/`sh`/`zh`, `y`/`i`/`j` as vowels, `-ff`/`-ow`/`-ew` endings, doubled letters.
//! Letters whose sound depends on the source language (`ch`, `x`, `j`) give several
//! alternatives; two names match if any alternatives match.
//!
//! Skeletons are lowercase ASCII plus four capitals for sounds with many spellings:
//! `S` = sh/sch/sz/ş/š (and shch), `C` = ch/tsch/cz/č, `H` = kh/h, `Z` = zh/ž.

/// Ambiguous letters multiply alternatives; past this many, only the first readings are kept.
const MAX_ALTERNATIVES: usize = 32;

/// Folds `name` to ASCII letters, lowercase, keeping letters that carry a distinct sound.
pub fn fold(name: &str) -> String {
    let mut expanded = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'š' | 'Š' | 'ş' | 'Ş' | 'ś' | 'Ś' | 'ș' | 'Ș' => expanded.push_str("sh"),
            'ž' | 'Ž' | 'ż' | 'Ż' | 'ź' | 'Ź' => expanded.push_str("zh"),
            'č' | 'Č' | 'ć' | 'Ć' | 'ç' | 'Ç' => expanded.push_str("ch"),
            _ => expanded.push(c),
        }
    }
    any_ascii::any_ascii(&expanded)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Rewrite rules applied left to right, longest match first. Each lists the alternatives a
/// spelling may stand for.
const RULES: &[(&str, &[&str])] = &[
    ("schtsch", &["S"]),
    ("shtsh", &["S"]),
    ("chtch", &["S"]),
    ("shch", &["S"]),
    ("szcz", &["S"]),
    ("tsch", &["C"]),
    ("sch", &["S", "Z"]),
    ("tch", &["C"]),
    ("sh", &["S"]),
    ("sz", &["S"]),
    ("cz", &["C"]),
    ("ch", &["C", "S", "H"]),
    ("kh", &["H"]),
    ("zh", &["Z"]),
    ("rz", &["Z", "rz"]),
    ("ph", &["f"]),
    ("ck", &["k"]),
    ("ks", &["ks"]),
    ("ou", &["u"]),
    ("x", &["ks", "S", "H"]),
    ("j", &["i", "H", "Z"]),
    ("y", &["i"]),
    ("w", &["v"]),
    ("q", &["k"]),
    ("c", &["k"]),
    ("h", &["H"]),
];

/// The skeleton alternatives of a name, sorted and deduplicated (at most 32).
///
/// ```
/// use crosscheck::translit::skeletons;
/// assert!(skeletons("Uschakow").contains(&"uSakov".to_owned()));
/// assert!(skeletons("Ouchakov").contains(&"uSakov".to_owned()));
/// assert!(skeletons("Ушаков").contains(&"uSakov".to_owned()));
/// ```
pub fn skeletons(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut partial: Vec<String> = vec![String::new()];
    let bytes = folded.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        let rest = &folded[position..];
        let rule = RULES.iter().find(|(pattern, _)| rest.starts_with(pattern));
        let (consumed, options): (usize, &[&str]) = match rule {
            Some((pattern, options)) => (pattern.len(), options),
            None => (1, &[]),
        };
        if options.is_empty() {
            for skeleton in &mut partial {
                skeleton.push_str(&rest[..1]);
            }
        } else {
            let room = (MAX_ALTERNATIVES / partial.len()).max(1);
            partial = partial
                .iter()
                .flat_map(|skeleton| {
                    options.iter().take(room).map(move |option| format!("{skeleton}{option}"))
                })
                .collect();
        }
        position += consumed;
    }
    let mut finished: Vec<String> = partial.iter().map(|skeleton| finish(skeleton)).collect();
    finished.sort();
    finished.dedup();
    finished
}

/// Endings and doubled letters, once the letters are rewritten.
fn finish(skeleton: &str) -> String {
    let mut collapsed = String::with_capacity(skeleton.len());
    for c in skeleton.chars() {
        if !collapsed.ends_with(c) {
            collapsed.push(c);
        }
    }
    // -off/-ov/-ow, -eff/-ev/-ew: a final f is the German and French spelling of a final v.
    if collapsed.len() > 3 && collapsed.ends_with('f') {
        collapsed.pop();
        collapsed.push('v');
    }
    collapsed
}

/// Similarity of two names in [0, 1]: the best normalised edit similarity (optimal string
/// alignment: insertions, deletions, substitutions and adjacent transpositions) over their
/// skeleton alternatives.
pub fn similarity(a: &str, b: &str) -> f64 {
    skeleton_similarity(&skeletons(a), &skeletons(b))
}

/// Like [`similarity`], on precomputed skeletons.
pub fn skeleton_similarity(a: &[String], b: &[String]) -> f64 {
    let mut best: f64 = 0.0;
    for x in a {
        for y in b {
            if x == y {
                return 1.0;
            }
            // rapidfuzz's bit-parallel OSA: the hot loop of name clustering.
            best = best.max(rapidfuzz::distance::osa::normalized_similarity(x.bytes(), y.bytes()));
        }
    }
    best
}

/// How two names' closest skeletons differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpellingMatch<'a> {
    /// 1 − (weighted edits / longer length), in [0, 1]: insertions, deletions, adjacent
    /// transpositions and substitutions within a sound class cost 1; a substitution across
    /// classes costs 2 (as deleting one letter and inserting another).
    pub similarity: f64,
    /// The closest pair of different skeletons, if the best match is not exact.
    closest: Option<(&'a [u8], &'a [u8])>,
}

impl SpellingMatch<'_> {
    /// Whether the closest match substitutes a letter rather than only dropping, adding or
    /// swapping letters (Uishako and Ushakov differ by dropped letters; Namiev and Zamiev, or
    /// Nuvoev and Nuvuov, by changed ones). Worked out on demand: most callers need only the
    /// similarity.
    pub fn changes_letters(&self) -> bool {
        self.closest
            .is_some_and(|(x, y)| weighted_distance(x, y, |_, _| 1) < weighted_distance(x, y, |_, _| 2))
    }
}

/// Compares two names' skeleton alternatives (see [`SpellingMatch`]). Pairs whose plain edit
/// similarity is below `floor` are not weighed and score 0.
pub fn compare_spellings<'a>(a: &'a [String], b: &'a [String], floor: f64) -> SpellingMatch<'a> {
    // A shared reading is a match whatever the other pairs weigh: look for one before weighing.
    if a.iter().any(|x| b.contains(x)) {
        return SpellingMatch { similarity: 1.0, closest: None };
    }
    let mut best = SpellingMatch { similarity: 0.0, closest: None };
    for x in a {
        for y in b {
            // The plain distance bounds the weighted one from below, and the difference in
            // length bounds the plain one: most pairs stop at one or the other. A pair no more
            // similar than the best so far cannot replace it.
            let below = |similarity: f64| similarity < floor || similarity <= best.similarity;
            let longer = x.len().max(y.len());
            if below(1.0 - x.len().abs_diff(y.len()) as f64 / longer as f64) {
                continue;
            }
            let plain = rapidfuzz::distance::osa::normalized_similarity(x.bytes(), y.bytes());
            if below(plain) {
                continue;
            }
            let (x, y) = (x.as_bytes(), y.as_bytes());
            let weighted =
                weighted_distance(x, y, |p, q| if sound_class(p) == sound_class(q) { 1 } else { 2 });
            let similarity = 1.0 - weighted as f64 / longer as f64;
            if similarity > best.similarity {
                best = SpellingMatch { similarity, closest: Some((x, y)) };
            }
        }
    }
    best
}

/// The sound class of a skeleton letter: letters in one class are confused by transliteration
/// and typing (b/p/f/v, k/g/h, d/t, the sibilants, l/r, m/n, the vowels); others are not.
fn sound_class(letter: u8) -> u8 {
    match letter {
        b'b' | b'p' | b'f' | b'v' => 1,
        b'k' | b'g' | b'H' | b'c' | b'q' => 2,
        b'd' | b't' => 3,
        b's' | b'z' | b'S' | b'Z' | b'C' | b'x' => 4,
        b'l' | b'r' => 5,
        b'm' | b'n' => 6,
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'j' => 7,
        _ => 0,
    }
}

/// Optimal string alignment distance where substituting one letter for another costs
/// `substitution(a, b)` and inserting, deleting or swapping adjacent letters costs 1.
fn weighted_distance(a: &[u8], b: &[u8], substitution: impl Fn(u8, u8) -> usize) -> usize {
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in table.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        table[i * width] = i;
        for j in 1..=b.len() {
            let replace = if a[i - 1] == b[j - 1] { 0 } else { substitution(a[i - 1], b[j - 1]) };
            let mut cost = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cost = cost.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = cost;
        }
    }
    table[a.len() * width + b.len()]
}

/// Grammatical gender of a Slavic surname or the like, from its ending: Zelensky and
/// Zelenska, Navalny and Navalnaya, Ivanov and Ivanova are different people.
pub fn gender_ending(skeleton: &str) -> Option<bool> {
    const FEMININE: &[&str] = &["ova", "eva", "ina", "ska", "skaia", "tska", "aia"];
    const MASCULINE: &[&str] = &["ov", "ev", "in", "ski", "tski", "ii", "i"];
    if FEMININE.iter().any(|ending| skeleton.ends_with(ending)) {
        Some(true)
    } else if MASCULINE.iter().any(|ending| skeleton.ends_with(ending)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_cyrillic_and_diacritics() {
        assert_eq!(fold("Ушаков"), "ushakov");
        assert_eq!(fold("Ušakov"), "ushakov");
        assert_eq!(fold("Zełenski"), "zelenski");
        assert_eq!(fold("Зеленський"), "zelenskiy");
    }

    #[test]
    fn schemes_share_a_skeleton() {
        let shared = |a: &str, b: &str| similarity(a, b) == 1.0;
        assert!(shared("Witkoff", "Vitkoff"));
        assert!(shared("Ushakov", "Uschakow"));
        assert!(shared("Ushakov", "Ouchakov"));
        assert!(shared("Ushakov", "Uszakow"));
        assert!(shared("Zelensky", "Zelenskyy"));
        assert!(shared("Zelensky", "Zelenskiy"));
        assert!(shared("Khrushchev", "Khrouchtchev"));
        assert!(shared("Yuri", "Iouri"));
        assert!(shared("Yuri", "Jurij"));
    }

    #[test]
    fn typos_and_dropped_letters_stay_close() {
        assert!(similarity("Witkoff", "Wiktoff") >= 0.8);
        assert!(similarity("Uixakov", "Ushakov") >= 0.8);
        assert!(similarity("Selenskyj", "Zelensky") >= 0.8);
    }

    #[test]
    fn different_names_stay_apart() {
        assert!(similarity("Putin", "Zelensky") < 0.3);
        assert!(similarity("Ushakov", "Zakharov") < 0.6);
        assert!(similarity("Peskov", "Dmitriev") < 0.3);
    }

    #[test]
    fn a_changed_sound_costs_more_than_a_typo() {
        // (similarity, whether letters changed)
        let compare = |a: &str, b: &str| {
            let (a, b) = (skeletons(a), skeletons(b));
            let found = compare_spellings(&a, &b, 0.0);
            (found.similarity, found.changes_letters())
        };
        let typo = compare("Witkoff", "Wiktoff");
        assert!(typo.0 >= 0.8 && !typo.1, "{typo:?}");
        let dropped = compare("Uishako", "Ushakov");
        assert!(dropped.0 >= 0.6 && !dropped.1, "{dropped:?}");
        for (a, b) in [("Namiev", "Zamiev"), ("Bozeev", "Gozeev"), ("Muraovich", "Mugaovich")] {
            let other = compare(a, b);
            assert!(other.0 < 0.8 && other.1, "{a} {b} {other:?}");
        }
        assert!(compare("Gorbachev", "Gorbachov").1);
        assert_eq!(compare("Zelensky", "Zelenskyy").0, 1.0);
    }

    #[test]
    fn gender_endings() {
        assert_eq!(gender_ending("zelenska"), Some(true));
        assert_eq!(gender_ending("zelenski"), Some(false));
        assert_eq!(gender_ending("vitkov"), Some(false));
        assert_eq!(gender_ending("trump"), None);
    }

    proptest! {
        /// With unit costs the weighted distance is the plain optimal string alignment
        /// distance.
        #[test]
        fn unit_weighted_distance_is_rapidfuzz_osa(a in "[abcde]{0,20}", b in "[abcde]{0,20}") {
            let expected = rapidfuzz::distance::osa::distance(a.bytes(), b.bytes());
            prop_assert_eq!(weighted_distance(a.as_bytes(), b.as_bytes(), |_, _| 1), expected);
        }

        /// Similarity is symmetric, lies in [0, 1], and a name is identical to itself.
        #[test]
        fn similarity_is_a_bounded_symmetric_score(a in "[A-Za-zÀ-ž]{0,12}", b in "\\PC{0,12}") {
            let ab = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert_eq!(ab, similarity(&b, &a));
            prop_assert_eq!(similarity(&a, &a), 1.0);
        }

        /// Skipping pairs by their lengths and by the best so far finds what weighing every
        /// pair whose plain similarity reaches the floor finds.
        #[test]
        fn spelling_match_skips_only_pairs_that_cannot_win(
            a in "[A-Za-zÀ-ž]{1,12}",
            b in "[A-Za-zÀ-ž]{1,12}",
            floor in 0.0f64..1.0,
        ) {
            let (sa, sb) = (skeletons(&a), skeletons(&b));
            let weighed = |x: &String, y: &String| {
                let plain = rapidfuzz::distance::osa::normalized_similarity(x.bytes(), y.bytes());
                let weighted = weighted_distance(x.as_bytes(), y.as_bytes(), |p, q| {
                    if sound_class(p) == sound_class(q) { 1 } else { 2 }
                });
                let similarity = 1.0 - weighted as f64 / x.len().max(y.len()) as f64;
                if x == y { 1.0 } else if plain < floor { 0.0 } else { similarity }
            };
            let expected = sa.iter().flat_map(|x| sb.iter().map(move |y| (x, y))).map(|(x, y)| weighed(x, y)).fold(0.0, f64::max);
            prop_assert_eq!(compare_spellings(&sa, &sb, floor).similarity, expected);
        }

        /// The weighted spelling similarity is symmetric, bounded, reflexive, and never above
        /// the plain one.
        #[test]
        fn spelling_match_is_bounded_symmetric_and_below_plain(a in "[A-Za-zÀ-ž]{1,12}", b in "[A-Za-zÀ-ž]{1,12}") {
            let (sa, sb) = (skeletons(&a), skeletons(&b));
            let ab = compare_spellings(&sa, &sb, 0.0);
            prop_assert!((0.0..=1.0).contains(&ab.similarity));
            prop_assert_eq!(ab.similarity, compare_spellings(&sb, &sa, 0.0).similarity);
            prop_assert!(ab.similarity <= skeleton_similarity(&sa, &sb) + 1e-12);
            prop_assert_eq!(compare_spellings(&sa, &sa, 0.0).similarity, 1.0);
        }
    }
}
