//! `bank check`: everything the loader found wrong, plus near-duplicate questions
//! (the same question asked twice, in one file or across files), which should become
//! one entry with aliases, and entries too thin to learn from or to be found.

use std::collections::{HashMap, HashSet};

use super::{Bank, Diagnostic, Loaded, Question};
use crate::analyzer::{analyzer, terms};

/// Cosine similarity (question words count double) from which two entries are reported.
pub const NEAR_DUPLICATE: f32 = 0.5;
/// Words in more than this share of questions do not make two questions candidates.
const COMMON_WORD_SHARE: usize = 50;

/// Two entries that look like the same question.
#[derive(Debug, Clone, PartialEq)]
pub struct NearDuplicate {
    pub first: usize,
    pub second: usize,
    pub similarity: f32,
}

/// The loader's diagnostics followed by near-duplicate warnings, in file order.
pub fn check(loaded: &Loaded) -> Vec<Diagnostic> {
    let questions = loaded.bank.questions();
    let mut out = loaded.diagnostics.clone();
    for pair in near_duplicates(&loaded.bank) {
        let (a, b) = (&questions[pair.first], &questions[pair.second]);
        out.push(Diagnostic::warning(
            &b.origin.file,
            b.origin.line,
            format!(
                "`{}` looks like a near-duplicate of `{}` at {} ({:.0}% similar): merge them and keep one phrasing as an alias, or add distinct_from = [\"{}\"]",
                b.id,
                a.id,
                a.origin,
                pair.similarity * 100.0,
                a.id
            ),
        ));
    }
    for q in questions {
        for other in &q.distinct_from {
            if loaded.bank.get(other).is_none() {
                out.push(Diagnostic::warning(
                    &q.origin.file,
                    q.origin.line,
                    format!("distinct_from names `{other}`, which is not in the bank"),
                ));
            }
        }
    }
    out.extend(quiz_options(&loaded.bank, false));
    out.sort_by(|x, y| (&x.file, x.line).cmp(&(&y.file, y.line)));
    out
}

/// Aliases every entry should have: ways people describe the situation or goal.
pub const MIN_ALIASES: usize = 2;
/// Sentences of prose every answer should have: what, then why.
pub const MIN_SENTENCES: usize = 2;

/// Sentences in the prose of `answer` (fenced code left out): ends of
/// sentences are `.`, `!` or `?` before a space or the end, except after
/// abbreviations such as "e.g.", "i.e.", "etc." and "vs.".
fn sentences(answer: &str) -> usize {
    const ABBREVIATIONS: [&str; 4] = ["e.g", "i.e", "etc", "vs"];
    crate::markdown::blocks(answer)
        .iter()
        .filter_map(|block| match block {
            crate::markdown::Block::Prose(text) => Some(text),
            crate::markdown::Block::Code { .. } => None,
        })
        .flat_map(|text| text.split_whitespace())
        .filter(|word| {
            let word = word.trim_end_matches(['"', '\'', ')', '*', '_', '`']);
            let Some(stem) = word.strip_suffix(['.', '!', '?']) else {
                return false;
            };
            !ABBREVIATIONS.contains(&stem.to_lowercase().trim_start_matches('('))
                && !stem.is_empty()
        })
        .count()
}

/// Warnings for entries with fewer than [`MIN_ALIASES`] aliases (people describe what
/// happened to them more often than they name the concept), an answer of fewer than
/// [`MIN_SENTENCES`] sentences, or one shorter than `min_answer_chars` characters (the
/// `bank.min_answer_chars` setting).
pub fn depth(bank: &Bank, min_answer_chars: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for q in bank.questions() {
        let mut warn = |message: String| {
            out.push(Diagnostic::warning(&q.origin.file, q.origin.line, message));
        };
        let id = &q.id;
        let aliases = q.aliases.len();
        if aliases < MIN_ALIASES {
            warn(format!(
                "`{id}` has {aliases} aliases: add at least {MIN_ALIASES} that describe a situation or goal in everyday words"
            ));
        }
        let found = sentences(&q.answer);
        if found < MIN_SENTENCES {
            warn(format!(
                "`{id}` has an answer of {found} sentence(s): add a second paragraph that explains why, not only what"
            ));
        }
        let chars = q.answer.trim().chars().count();
        if chars < min_answer_chars {
            warn(format!(
                "`{id}` has an answer of {chars} characters (bank.min_answer_chars is {min_answer_chars}): explain why, not only what"
            ));
        }
    }
    out
}

/// Entries without a `quiz_option` in a topic used by quizzes: one where some
/// entry has one, or (`all_topics`, for `--quiz`) every topic; errors, since
/// such an option would be cut from the answer and stand out.
pub fn quiz_options(bank: &Bank, all_topics: bool) -> Vec<Diagnostic> {
    let quiz_topics: HashSet<&str> = bank
        .questions()
        .iter()
        .filter(|q| all_topics || q.quiz_option.is_some())
        .map(|q| q.topic.as_str())
        .collect();
    bank.questions()
        .iter()
        .filter(|q| q.quiz_option.is_none() && quiz_topics.contains(q.topic.as_str()))
        .map(|q| {
            Diagnostic::error(
                &q.origin.file,
                q.origin.line,
                format!(
                    "`{}` has no quiz_option, and topic {} is used by quizzes: add a one-line answer of at most {} characters",
                    q.id,
                    q.topic,
                    crate::bank::QUIZ_OPTION_CHARS
                ),
            )
        })
        .collect()
}

/// Pairs of entries whose question and answer words are nearly the same, unless
/// either says it is `distinct_from` the other.
pub fn near_duplicates(bank: &Bank) -> Vec<NearDuplicate> {
    near_duplicates_at(bank, NEAR_DUPLICATE)
}

pub fn near_duplicates_at(bank: &Bank, threshold: f32) -> Vec<NearDuplicate> {
    let questions = bank.questions();
    let mut analyzer = analyzer();
    let docs: Vec<Terms> = questions
        .iter()
        .map(|q| Terms::of(q, &mut analyzer))
        .collect();

    let mut doc_freq: HashMap<&str, usize> = HashMap::new();
    for doc in &docs {
        for word in doc.counts.keys() {
            *doc_freq.entry(word).or_default() += 1;
        }
    }
    let n = questions.len().max(1) as f32;
    let vectors: Vec<HashMap<&str, f32>> =
        docs.iter().map(|doc| doc.weighted(&doc_freq, n)).collect();

    let common = (questions.len() / COMMON_WORD_SHARE).max(20);
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, doc) in docs.iter().enumerate() {
        for word in &doc.question_words {
            if doc_freq[word.as_str()] <= common {
                postings.entry(word).or_default().push(i);
            }
        }
    }
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for ids in postings.values() {
        for (k, &a) in ids.iter().enumerate() {
            for &b in &ids[k + 1..] {
                candidates.insert((a.min(b), a.max(b)));
            }
        }
    }
    let mut out: Vec<NearDuplicate> = candidates
        .into_iter()
        .filter(|&(a, b)| !reviewed_distinct(&questions[a], &questions[b]))
        .filter_map(|(a, b)| {
            let similarity = cosine(&vectors[a], &vectors[b]);
            (similarity >= threshold).then_some(NearDuplicate {
                first: a,
                second: b,
                similarity,
            })
        })
        .collect();
    out.sort_by_key(|p| (p.first, p.second));
    out
}

/// The entries of `banks` that `candidate` (not in them) nearly repeats,
/// most alike first, measured as [`near_duplicates`] measures pairs: words
/// weighted by how rare they are across all of `banks` and the candidate.
pub fn near_duplicates_of<'a>(
    banks: &[&'a Bank],
    candidate: &Question,
    threshold: f32,
) -> Vec<(&'a Question, f32)> {
    let mut analyzer = analyzer();
    let mine = Terms::of(candidate, &mut analyzer);
    let others: Vec<(&Question, Terms)> = banks
        .iter()
        .flat_map(|bank| bank.questions())
        .map(|q| (q, Terms::of(q, &mut analyzer)))
        .collect();
    let mut doc_freq: HashMap<&str, usize> = HashMap::new();
    for terms in others.iter().map(|(_, t)| t).chain([&mine]) {
        for word in terms.counts.keys() {
            *doc_freq.entry(word).or_default() += 1;
        }
    }
    let n = (others.len() + 1) as f32;
    let mine_vector = mine.weighted(&doc_freq, n);
    let mut found: Vec<(&Question, f32)> = others
        .iter()
        .filter(|(_, terms)| {
            terms
                .question_words
                .iter()
                .any(|w| mine.question_words.contains(w))
        })
        .map(|(q, terms)| (*q, cosine(&mine_vector, &terms.weighted(&doc_freq, n))))
        .filter(|(_, similarity)| *similarity >= threshold)
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1));
    found
}

fn reviewed_distinct(a: &Question, b: &Question) -> bool {
    a.distinct_from.contains(&b.id) || b.distinct_from.contains(&a.id)
}

fn cosine(a: &HashMap<&str, f32>, b: &HashMap<&str, f32>) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(w, x)| large.get(w).map(|y| x * y))
        .sum()
}

/// The analyzed words of an entry: question phrasings weigh double.
struct Terms {
    counts: HashMap<String, f32>,
    question_words: HashSet<String>,
}

impl Terms {
    /// The entry's words weighted by how rare they are among `n` entries
    /// (`doc_freq`: in how many each occurs), as a unit vector.
    fn weighted<'a>(&'a self, doc_freq: &HashMap<&str, usize>, n: f32) -> HashMap<&'a str, f32> {
        let mut v: HashMap<&str, f32> = self
            .counts
            .iter()
            .map(|(w, &c)| (w.as_str(), c * (1.0 + n / doc_freq[w.as_str()] as f32).ln()))
            .collect();
        let norm = v
            .values()
            .map(|x| x * x)
            .sum::<f32>()
            .sqrt()
            .max(f32::EPSILON);
        v.values_mut().for_each(|x| *x /= norm);
        v
    }

    fn of(q: &Question, analyzer: &mut tantivy::tokenizer::TextAnalyzer) -> Self {
        let mut counts: HashMap<String, f32> = HashMap::new();
        let mut question_words = HashSet::new();
        for phrasing in q.phrasings() {
            for word in terms(analyzer, phrasing) {
                *counts.entry(word.clone()).or_default() += 2.0;
                question_words.insert(word);
            }
        }
        for word in terms(analyzer, &q.answer) {
            *counts.entry(word).or_default() += 1.0;
        }
        Terms {
            counts,
            question_words,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_file;
    use std::path::Path;

    const THIN_AND_DEEP: &str = r#"[[question]]
id = "t-001"
topic = "t"
question = "What is a thin entry?"
aliases = ["only one way to ask"]
answer = "Short."

[[question]]
id = "t-002"
topic = "t"
question = "What is a deep entry?"
aliases = ["my answer explains itself", "a reader learns why"]
answer = "A deep entry says what and why. It gives a reason a reader can reuse."
"#;

    #[test]
    fn thin_entries_are_warned_about_and_deep_ones_are_not() {
        let (questions, problems) = parse_file(Path::new("t.toml"), THIN_AND_DEEP);
        assert!(problems.is_empty(), "{problems:?}");
        let bank = Bank::new(questions);
        let warnings: Vec<String> = depth(&bank, 20).iter().map(|d| d.to_string()).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings
                .iter()
                .all(|w| w.contains("t.toml:1: warning: `t-001`")),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("has 1 aliases"), "{warnings:?}");
        assert!(warnings[1].contains("1 sentence(s)"), "{warnings:?}");
        assert!(
            warnings[2].contains("answer of 6 characters"),
            "{warnings:?}"
        );
        // The minimum is the setting: a higher one catches the second entry's answer too.
        let strict: Vec<String> = depth(&bank, 200).iter().map(|d| d.to_string()).collect();
        assert!(
            strict
                .iter()
                .any(|w| w.contains("`t-002` has an answer of")),
            "{strict:?}"
        );
        assert!(
            depth(&bank, 0)
                .iter()
                .all(|d| !d.to_string().contains("characters"))
        );
    }

    #[test]
    fn sentences_are_counted_in_prose_only() {
        assert_eq!(sentences("One. Two! Three?"), 3);
        assert_eq!(
            sentences("Use a tool, e.g. pip, i.e. the installer, etc. here."),
            1
        );
        assert_eq!(
            sentences("One sentence.\n\n```python\nx = 1. \ny = 2. \n```"),
            1
        );
        assert_eq!(sentences("A version 1.2 number is not an end"), 0);
    }
}
