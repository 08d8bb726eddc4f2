//! The index's own words. [`Vocabulary`] knows the analyzed terms and how common
//! each is; [`Speller`] knows the words as written in the bank and replaces a
//! misspelt word with the most common word within one edit, or two for long words
//! ("kubernets" -> "kubernetes"). Spelling works on words as written, because a
//! typo does not stem like the word it spoils.

use std::collections::HashMap;

/// Words shorter than this are never corrected: too many neighbours.
const MIN_TYPO_CHARS: usize = 5;
/// Words at least this long tolerate two edits.
const TWO_EDIT_CHARS: usize = 9;

/// Analyzed terms with their document frequencies, summed over the text fields.
#[derive(Debug, Default)]
pub struct Vocabulary {
    doc_freq: HashMap<String, u32>,
}

impl Vocabulary {
    /// Builds from `(term, document frequency)` pairs; the same term may repeat.
    pub fn new(entries: impl IntoIterator<Item = (String, u32)>) -> Self {
        let mut doc_freq: HashMap<String, u32> = HashMap::new();
        for (word, df) in entries {
            *doc_freq.entry(word).or_default() += df;
        }
        Vocabulary { doc_freq }
    }

    pub fn contains(&self, term: &str) -> bool {
        self.doc_freq.contains_key(term)
    }

    /// In how many indexed field values the term occurs (0 when it does not).
    pub fn doc_freq(&self, term: &str) -> u32 {
        self.doc_freq.get(term).copied().unwrap_or(0)
    }
}

/// The words a query is planned against: the bank's, and a team bank's
/// beside them when the search is in a server that has one (a team's own
/// words are then known, and never "corrected" into the bank's).
#[derive(Debug, Clone, Copy)]
pub struct Lexicon<'a> {
    base: &'a Vocabulary,
    extra: Option<&'a Vocabulary>,
}

impl<'a> Lexicon<'a> {
    pub fn new(base: &'a Vocabulary, extra: Option<&'a Vocabulary>) -> Self {
        Lexicon { base, extra }
    }

    pub fn contains(&self, term: &str) -> bool {
        self.base.contains(term) || self.extra.is_some_and(|v| v.contains(term))
    }

    /// In how many indexed field values of both the term occurs.
    pub fn doc_freq(&self, term: &str) -> u32 {
        self.base.doc_freq(term) + self.extra.map_or(0, |v| v.doc_freq(term))
    }
}

/// Words as written in the bank, for correcting misspellings.
#[derive(Debug, Default)]
pub struct Speller {
    vocabulary: Vocabulary,
    /// Each word and each of its one-deletion variants, to the words it came from.
    deletions: HashMap<String, Vec<u32>>,
    words: Vec<String>,
}

impl Speller {
    /// Builds from `(word, document frequency)` pairs; the same word may repeat.
    pub fn new(entries: impl IntoIterator<Item = (String, u32)>) -> Self {
        let vocabulary = Vocabulary::new(entries);
        let doc_freq = &vocabulary.doc_freq;
        let mut words: Vec<String> = doc_freq.keys().cloned().collect();
        words.sort();
        let mut deletions: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, word) in words.iter().enumerate() {
            let chars = word.chars().count();
            if chars + 1 < MIN_TYPO_CHARS {
                continue;
            }
            let edits = if chars + 2 >= TWO_EDIT_CHARS { 2 } else { 1 };
            for variant in deletions_within(word, edits) {
                let ids = deletions.entry(variant).or_default();
                if ids.last() != Some(&(i as u32)) {
                    ids.push(i as u32);
                }
            }
        }
        Speller {
            vocabulary,
            deletions,
            words,
        }
    }

    /// The indexed word most likely meant by an unknown `word`, if one is close enough.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let chars = word.chars().count();
        if chars < MIN_TYPO_CHARS
            || self.vocabulary.contains(word)
            || word.chars().any(|c| c.is_numeric())
        {
            return None;
        }
        let max_edits = if chars >= TWO_EDIT_CHARS { 2 } else { 1 };
        let probes = deletions_within(word, max_edits);
        let mut best: Option<(usize, u32, &str)> = None;
        for probe in &probes {
            for &id in self
                .deletions
                .get(probe)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let candidate = self.words[id as usize].as_str();
                let edits = strsim::damerau_levenshtein(word, candidate);
                if edits == 0 || edits > max_edits {
                    continue;
                }
                let df = self.vocabulary.doc_freq(candidate);
                let better = match best {
                    None => true,
                    Some((e, d, w)) => {
                        (edits, std::cmp::Reverse(df), candidate) < (e, std::cmp::Reverse(d), w)
                    }
                };
                if better {
                    best = Some((edits, df, candidate));
                }
            }
        }
        best.map(|(_, _, w)| w)
    }
}

/// The word and every string made by deleting up to `edits` of its characters.
fn deletions_within(word: &str, edits: usize) -> Vec<String> {
    let mut all = vec![word.to_string()];
    let mut frontier = vec![word.to_string()];
    for _ in 0..edits {
        frontier = frontier.iter().flat_map(|w| one_deletion(w)).collect();
        frontier.sort();
        frontier.dedup();
        all.extend(frontier.iter().cloned());
    }
    all.sort();
    all.dedup();
    all
}

fn one_deletion(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<String> = (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != skip)
                .map(|(_, c)| c)
                .collect()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        Speller::new(
            [
                ("kubernetes", 3),
                ("container", 40),
                ("contained", 1),
                ("orchestration", 5),
            ]
            .map(|(w, n)| (w.to_string(), n)),
        )
    }

    #[test]
    fn misspelt_words_are_corrected_to_close_common_words() {
        let s = speller();
        assert_eq!(s.correct("kubernetse"), Some("kubernetes"));
        assert_eq!(s.correct("contianer"), Some("container"));
        assert_eq!(
            s.correct("containe"),
            Some("container"),
            "the commoner of two"
        );
        assert_eq!(s.correct("orchestraton"), Some("orchestration"));
        assert_eq!(
            s.correct("orchstraton"),
            Some("orchestration"),
            "two missing letters"
        );
        assert_eq!(
            s.correct("orkestration"),
            Some("orchestration"),
            "two edits"
        );
    }

    #[test]
    fn known_short_and_distant_words_are_left_alone() {
        let s = speller();
        assert_eq!(s.correct("container"), None);
        assert_eq!(s.correct("cont"), None);
        assert_eq!(s.correct("zebra"), None);
        assert_eq!(s.correct("kubrnts"), None, "three edits");
    }
}
