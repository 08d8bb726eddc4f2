//! Autocomplete: the questions that match what someone has typed so far, on
//! every keystroke. Words only (never the model), from an in-memory index of
//! each entry's question, aliases, tags and topic, built with the bank's
//! searcher. The last word, while still being typed (no space or punctuation
//! after it), is a prefix: `dock` finds docker, `idempot` idempotency; a
//! finished word matches by its stem, or, when the bank does not have it, by
//! the bank's word within one or two typos (`kubernets`). Questions that match
//! more of the typed words come first, then by how rare and how prominent
//! (question over alias over tag over topic) the matched words are.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use super::analyzer::{analyzer, raw_analyzer, terms};
use super::vocabulary::Speller;
use crate::bank::Bank;

/// How much a word counts where it is found in an entry.
const IN_QUESTION: f32 = 1.0;
const IN_ALIAS: f32 = 0.8;
const IN_TAG: f32 = 0.6;
const IN_TOPIC: f32 = 0.4;
/// A prefix expands to at most this many of the bank's words (the most
/// common first), so one typed letter costs no more than a short word.
const MAX_COMPLETIONS: usize = 64;

/// The suggestion index of one bank (rows are the bank's question order).
pub struct Suggestions {
    /// Per entry: its topic's number.
    topic_of: Vec<u32>,
    topics: Vec<String>,
    /// Analyzed term → its number.
    term_ids: HashMap<String, u32>,
    /// Per term: the entries that have it, each with the best place it has it.
    postings: Vec<Vec<(u32, f32)>>,
    /// Per term: how rare it is (BM25's idf).
    idf: Vec<f32>,
    /// Every word as written (lowercased, folded), sorted, with the term it
    /// analyzes to (none for stop words) and how many entries have it.
    words: Vec<(String, Option<u32>, u32)>,
    speller: Speller,
    analyzer: TextAnalyzer,
    raw: TextAnalyzer,
}

impl Suggestions {
    /// Indexes `bank`'s questions, aliases, tags and topics.
    pub fn new(bank: &Bank) -> Suggestions {
        let mut analyzer = analyzer();
        let mut raw = raw_analyzer();
        let mut topics: Vec<String> = Vec::new();
        let mut topic_ids: HashMap<String, u32> = HashMap::new();
        let mut term_ids: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        // Raw word → (term, entries having it).
        let mut words: HashMap<String, (Option<u32>, u32)> = HashMap::new();
        let mut topic_of = Vec::with_capacity(bank.len());
        for (row, question) in bank.questions().iter().enumerate() {
            let row = row as u32;
            let topic = *topic_ids.entry(question.topic.clone()).or_insert_with(|| {
                topics.push(question.topic.clone());
                topics.len() as u32 - 1
            });
            topic_of.push(topic);
            let fields = std::iter::once((question.question.as_str(), IN_QUESTION))
                .chain(question.aliases.iter().map(|a| (a.as_str(), IN_ALIAS)))
                .chain(question.tags.iter().map(|t| (t.as_str(), IN_TAG)))
                .chain(std::iter::once((question.topic.as_str(), IN_TOPIC)));
            let mut seen_words: Vec<String> = Vec::new();
            for (text, weight) in fields {
                for word in terms(&mut raw, text) {
                    let term = match words.get(&word) {
                        Some((term, _)) => *term,
                        None => {
                            let term = terms(&mut analyzer, &word).into_iter().next().map(|t| {
                                let next = term_ids.len() as u32;
                                *term_ids.entry(t).or_insert_with(|| {
                                    postings.push(Vec::new());
                                    next
                                })
                            });
                            words.insert(word.clone(), (term, 0));
                            term
                        }
                    };
                    if !seen_words.contains(&word) {
                        seen_words.push(word);
                    }
                    let Some(term) = term else { continue };
                    let list = &mut postings[term as usize];
                    match list.last_mut() {
                        Some((last, best)) if *last == row => *best = best.max(weight),
                        _ => list.push((row, weight)),
                    }
                }
            }
            for word in seen_words {
                if let Some(entry) = words.get_mut(&word) {
                    entry.1 += 1;
                }
            }
        }
        let n = bank.len() as f32;
        let idf = postings
            .iter()
            .map(|p| {
                let df = p.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let mut words: Vec<(String, Option<u32>, u32)> = words
            .into_iter()
            .map(|(word, (term, df))| (word, term, df))
            .collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let speller = Speller::new(
            words
                .iter()
                .filter(|(_, term, _)| term.is_some())
                .map(|(w, _, df)| (w.clone(), *df)),
        );
        Suggestions {
            topic_of,
            topics,
            term_ids,
            postings,
            idf,
            words,
            speller,
            analyzer,
            raw,
        }
    }

    /// The bank rows of the questions best matching `typed` (in `topic`, when
    /// given), best first, at most `limit`.
    pub fn rows(&self, typed: &str, topic: Option<&str>, limit: usize) -> Vec<usize> {
        let topic = match topic {
            Some(name) => match self.topics.iter().position(|t| t == name) {
                Some(i) => Some(i as u32),
                None => return Vec::new(),
            },
            None => None,
        };
        let slots = self.slots(typed);
        if slots.is_empty() || limit == 0 {
            return Vec::new();
        }
        let entries = self.topic_of.len();
        let mut score = vec![0f32; entries];
        let mut covered = vec![0u16; entries];
        // The slot that last touched an entry, and what it gave it.
        let mut last = vec![u16::MAX; entries];
        let mut given = vec![0f32; entries];
        let mut touched: Vec<u32> = Vec::new();
        for (s, slot) in slots.iter().enumerate() {
            let s = s as u16;
            for &term in slot {
                let idf = self.idf[term as usize];
                for &(row, weight) in &self.postings[term as usize] {
                    let r = row as usize;
                    if topic.is_some_and(|t| self.topic_of[r] != t) {
                        continue;
                    }
                    let value = idf * weight;
                    if last[r] != s {
                        if covered[r] == 0 {
                            touched.push(row);
                        }
                        last[r] = s;
                        given[r] = value;
                        covered[r] += 1;
                        score[r] += value;
                    } else if value > given[r] {
                        score[r] += value - given[r];
                        given[r] = value;
                    }
                }
            }
        }
        let key = |row: &u32| {
            let r = *row as usize;
            (
                std::cmp::Reverse(covered[r]),
                std::cmp::Reverse(score[r].to_bits()),
                *row,
            )
        };
        if touched.len() > limit {
            touched.select_nth_unstable_by_key(limit - 1, key);
            touched.truncate(limit);
        }
        touched.sort_unstable_by_key(key);
        touched.into_iter().map(|r| r as usize).collect()
    }

    /// What to look for: per typed word that means something, the terms that
    /// match it (the last word's completions when it is still being typed).
    fn slots(&self, typed: &str) -> Vec<Vec<u32>> {
        let mut raw = self.raw.clone();
        let words = terms(&mut raw, typed);
        let typing = typed.chars().last().is_some_and(char::is_alphanumeric);
        let mut slots: Vec<Vec<u32>> = Vec::new();
        let mut prefix = None;
        for (i, word) in words.iter().enumerate() {
            if typing && i + 1 == words.len() {
                prefix = Some(word.as_str());
            } else if let Some(term) = self.finished(word) {
                if !slots.iter().any(|s| s == &[term]) {
                    slots.push(vec![term]);
                }
            }
        }
        if let Some(prefix) = prefix {
            let stop_word = self.analyze(prefix).is_none();
            // A complete stop word ("what is") after other words adds nothing.
            if !stop_word || slots.is_empty() {
                let completions = self.completions(prefix);
                if !completions.is_empty() {
                    slots.push(completions);
                }
            }
        }
        slots
    }

    /// The term a finished word stands for: its stem when the bank has it,
    /// else the bank's word it is a typo of.
    fn finished(&self, word: &str) -> Option<u32> {
        let term = self.analyze(word)?;
        if let Some(&id) = self.term_ids.get(&term) {
            return Some(id);
        }
        let corrected = self.speller.correct(word)?;
        self.term_ids.get(&self.analyze(corrected)?).copied()
    }

    /// The terms of the bank's words that start with `prefix` (the most
    /// common first), with the prefix's own stem; a prefix that begins no word
    /// of the bank is taken for a typo of one.
    fn completions(&self, prefix: &str) -> Vec<u32> {
        let start = self.words.partition_point(|(w, _, _)| w.as_str() < prefix);
        let mut found: Vec<(u32, u32)> = self.words[start..]
            .iter()
            .take_while(|(w, _, _)| w.starts_with(prefix))
            .filter_map(|(_, term, df)| term.map(|t| (t, *df)))
            .collect();
        if found.len() > MAX_COMPLETIONS {
            found.sort_unstable_by_key(|&(t, df)| (std::cmp::Reverse(df), t));
            found.truncate(MAX_COMPLETIONS);
        }
        let mut ids: Vec<u32> = found.into_iter().map(|(t, _)| t).collect();
        if let Some(own) = self.analyze(prefix).and_then(|t| self.term_ids.get(&t)) {
            ids.push(*own);
        }
        if ids.is_empty() {
            ids.extend(self.finished(prefix));
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn analyze(&self, word: &str) -> Option<String> {
        let mut analyzer = self.analyzer.clone();
        terms(&mut analyzer, word).into_iter().next()
    }
}

/// Questions of `bank` matching what someone has typed so far, best first (see
/// [`Suggestions`]): at most `limit`, each cut to `max_chars` characters.
pub fn suggest(
    suggestions: &Suggestions,
    bank: &Bank,
    typed: &str,
    topic: Option<&str>,
    limit: usize,
    max_chars: usize,
) -> Vec<String> {
    suggestions
        .rows(typed, topic, limit)
        .into_iter()
        .filter_map(|row| bank.questions().get(row))
        .map(|q| crate::markdown::truncate(&q.question, max_chars))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Difficulty, Question};

    fn entry(id: &str, topic: &str, question: &str, aliases: &[&str], tags: &[&str]) -> Question {
        Question {
            id: id.into(),
            topic: topic.into(),
            question: question.into(),
            answer: "An answer that is never matched by autocomplete.".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            difficulty: Difficulty::Medium,
            source: None,
            distinct_from: Vec::new(),
            quiz_option: None,
            not_with: Vec::new(),
            origin: Default::default(),
        }
    }

    fn bank() -> Bank {
        Bank::new(vec![
            entry(
                "docker-001",
                "docker",
                "What is the difference between a Docker image and a container?",
                &["image vs container"],
                &["images"],
            ),
            entry(
                "docker-002",
                "docker",
                "How do Docker volumes keep data?",
                &[],
                &["storage"],
            ),
            entry(
                "api-001",
                "api",
                "What is idempotency, and which HTTP methods are idempotent?",
                &["idempotent requests"],
                &["http"],
            ),
            entry(
                "k8s-001",
                "kubernetes",
                "What does Kubernetes do that Docker alone does not?",
                &["orchestration"],
                &[],
            ),
            entry(
                "python-001",
                "python",
                "How does a Python decorator work?",
                &["wrapping functions"],
                &["decorators"],
            ),
            entry(
                "python-002",
                "python",
                "What is a Python docstring for?",
                &[],
                &["documentation"],
            ),
        ])
    }

    fn ids(bank: &Bank, typed: &str, topic: Option<&str>) -> Vec<String> {
        let suggestions = Suggestions::new(bank);
        suggestions
            .rows(typed, topic, 25)
            .into_iter()
            .map(|r| bank.questions()[r].id.clone())
            .collect()
    }

    #[test]
    fn the_word_being_typed_is_a_prefix() {
        let bank = bank();
        let dock = ids(&bank, "dock", None);
        assert_eq!(
            dock[..3],
            ["docker-001", "docker-002", "k8s-001"],
            "{dock:?}"
        );
        assert_eq!(ids(&bank, "idempot", None), ["api-001"]);
        assert_eq!(ids(&bank, "how do python deco", None)[0], "python-001");
        // "doc" begins docker and docstring: both come.
        let doc = ids(&bank, "doc", None);
        assert!(doc.contains(&"python-002".to_string()), "{doc:?}");
        assert!(doc.contains(&"docker-002".to_string()), "{doc:?}");
    }

    #[test]
    fn finished_words_match_by_stem_and_forgive_typos() {
        let bank = bank();
        assert_eq!(ids(&bank, "docker volume ", None)[0], "docker-002");
        assert_eq!(ids(&bank, "kubernets ", None), ["k8s-001"]);
        assert_eq!(ids(&bank, "decorators?", None)[0], "python-001");
        // A finished word is not a prefix: "dock " is no word of the bank.
        assert!(ids(&bank, "dock ", None).is_empty());
    }

    #[test]
    fn more_typed_words_matched_come_first() {
        let bank = bank();
        let found = ids(&bank, "docker image cont", None);
        assert_eq!(found[0], "docker-001", "{found:?}");
        let found = ids(&bank, "what is the docker vol", None);
        assert_eq!(found[0], "docker-002", "{found:?}");
    }

    #[test]
    fn the_topic_filter_is_respected() {
        let bank = bank();
        assert_eq!(ids(&bank, "dock", Some("kubernetes")), ["k8s-001"]);
        assert!(ids(&bank, "dock", Some("python")).is_empty());
        assert!(ids(&bank, "dock", Some("no-such-topic")).is_empty());
    }

    #[test]
    fn stop_words_and_nothing_typed_suggest_nothing() {
        let bank = bank();
        assert!(ids(&bank, "", None).is_empty());
        assert!(ids(&bank, "   ", None).is_empty());
        assert!(ids(&bank, "what is the ", None).is_empty());
        assert!(ids(&bank, "zzzz", None).is_empty());
    }

    #[test]
    fn at_most_limit_each_cut_to_max_chars() {
        let bank = bank();
        let suggestions = Suggestions::new(&bank);
        let found = suggest(&suggestions, &bank, "d", None, 2, 20);
        assert_eq!(found.len(), 2, "{found:?}");
        for text in &found {
            assert!(text.chars().count() <= 20, "{text}");
        }
        let all = suggest(&suggestions, &bank, "what", None, 25, 100);
        assert!(all.len() <= 25);
    }
}
