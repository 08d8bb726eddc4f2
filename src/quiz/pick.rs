//! Choosing a round's questions and their wrong options.
//!
//! Questions: a channel does not see a question again until its pool (the topic,
//! or the whole bank) is used up. Wrong options: answers in the same topic that
//! are close in meaning to the right one (or, without the embedding model, answers
//! of questions search finds similar), so they are plausible; never the same text
//! as the right answer or as each other, nor nearly the same words, nor (with the
//! model) a paraphrase of the right answer or of its question.

use std::collections::HashSet;

use crate::bank::{Bank, Question};
use crate::search::{SearchOptions, Searcher};
use crate::semantic::Semantic;

/// The letters of the four options.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];
/// Options sharing this much of their words count as the same option.
const NEAR_IDENTICAL: f32 = 0.6;
/// Similar questions considered for wrong options.
const CANDIDATES: usize = 20;
/// Wrong options are drawn from this many of the closest answers.
const PLAUSIBLE: usize = 6;
/// Answers this close in meaning say the same thing.
const SAME_ANSWER: f32 = 0.8;
/// Questions this close in meaning ask the same thing.
const SAME_QUESTION: f32 = 0.92;
/// Longest option label; the full answer is shown at the reveal.
const MAX_LABEL_CHARS: usize = 180;

/// Questions for a round of `count` from `pool`, unseen ones first; returns them
/// and the pool questions to forget as seen (the pool was used up).
pub fn questions<'b>(
    pool: &[&'b Question],
    seen: &[String],
    count: usize,
    rng: &mut fastrand::Rng,
) -> (Vec<&'b Question>, Vec<String>) {
    let seen: HashSet<&str> = seen.iter().map(String::as_str).collect();
    let mut unseen: Vec<&Question> = pool
        .iter()
        .copied()
        .filter(|q| !seen.contains(q.id.as_str()))
        .collect();
    rng.shuffle(&mut unseen);
    let mut chosen: Vec<&Question> = unseen.into_iter().take(count).collect();
    let mut forget = Vec::new();
    if chosen.len() < count {
        let taken: HashSet<&str> = chosen.iter().map(|q| q.id.as_str()).collect();
        let mut again: Vec<&Question> = pool
            .iter()
            .copied()
            .filter(|q| !taken.contains(q.id.as_str()))
            .collect();
        rng.shuffle(&mut again);
        forget = pool
            .iter()
            .filter(|q| seen.contains(q.id.as_str()))
            .map(|q| q.id.clone())
            .collect();
        chosen.extend(again.into_iter().take(count - chosen.len()));
    }
    (chosen, forget)
}

/// Four option labels with the right one at a random place, and its letter.
pub fn options(
    question: &Question,
    bank: &Bank,
    searcher: &Searcher,
    rng: &mut fastrand::Rng,
) -> (Vec<String>, String) {
    let right = label(&question.answer);
    let mut chosen: Vec<String> = vec![right.clone()];
    let mut chosen_rows: Vec<usize> = Vec::new();
    let semantic = searcher.semantic();
    let mut candidates = match semantic {
        Some(semantic) => by_meaning(question, bank, semantic, rng),
        None => by_words(question, bank, searcher),
    };
    let mut same_topic: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| q.topic == question.topic && q.id != question.id)
        .collect();
    rng.shuffle(&mut same_topic);
    let mut anywhere: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| q.id != question.id)
        .collect();
    rng.shuffle(&mut anywhere);
    candidates.extend(same_topic);
    candidates.extend(anywhere);
    let this_row = semantic.and_then(|s| s.row_of(&question.id));
    for candidate in candidates {
        if chosen.len() == LETTERS.len() {
            break;
        }
        let option = label(&candidate.answer);
        if chosen.iter().any(|c| alike(c, &option)) {
            continue;
        }
        if let Some(semantic) = semantic {
            let Some(row) = semantic.row_of(&candidate.id) else {
                continue;
            };
            let rows = this_row.iter().chain(&chosen_rows);
            if rows
                .into_iter()
                .any(|&other| paraphrase(semantic, row, other))
            {
                continue;
            }
            chosen_rows.push(row);
        }
        chosen.push(option);
    }
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    rng.shuffle(&mut order);
    let labels: Vec<String> = order.iter().map(|&i| chosen[i].clone()).collect();
    let correct = order.iter().position(|&i| i == 0).unwrap_or(0);
    (labels, LETTERS[correct].to_string())
}

/// Wrong options by meaning: the answers in the topic closest to the right one,
/// a random few of the closest so rounds vary.
fn by_meaning<'b>(
    question: &Question,
    bank: &'b Bank,
    semantic: &Semantic,
    rng: &mut fastrand::Rng,
) -> Vec<&'b Question> {
    let Some(row) = semantic.row_of(&question.id) else {
        return Vec::new();
    };
    let mut near: Vec<&Question> = semantic
        .nearest(row, Semantic::answer_similarity, |other| {
            semantic.topic(other) == question.topic
        })
        .into_iter()
        .take(CANDIDATES)
        .filter_map(|(other, _)| bank.get(semantic.id(other)))
        .collect();
    let plausible = PLAUSIBLE.min(near.len());
    rng.shuffle(&mut near[..plausible]);
    near
}

/// Wrong options by words: answers of questions that search finds similar.
fn by_words<'b>(question: &Question, bank: &'b Bank, searcher: &Searcher) -> Vec<&'b Question> {
    let similar = searcher
        .search(
            &format!("{} {}", question.question, question.tags.join(" ")),
            &SearchOptions {
                topic: Some(question.topic.clone()),
                limit: CANDIDATES,
                exclude: Some(question.id.clone()),
                ..Default::default()
            },
        )
        .map(|found| found.hits)
        .unwrap_or_default();
    similar.iter().filter_map(|h| bank.get(&h.id)).collect()
}

/// True when two entries say the same thing: either answer would be right for
/// the other's question.
fn paraphrase(semantic: &Semantic, a: usize, b: usize) -> bool {
    semantic.answer_similarity(a, b) >= SAME_ANSWER
        || semantic.phrasing_similarity(a, b) >= SAME_QUESTION
}

/// An answer as an option: its first paragraph, cut at a word near the limit.
pub fn label(answer: &str) -> String {
    let first = answer.split("\n\n").next().unwrap_or(answer);
    let flat = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_LABEL_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_LABEL_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// True when two options are the same or share most of their words.
pub fn alike(a: &str, b: &str) -> bool {
    let words = |s: &str| -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        return a == b;
    }
    let shared = a.intersection(&b).count() as f32;
    shared / a.union(&b).count() as f32 >= NEAR_IDENTICAL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short_first_paragraphs() {
        assert_eq!(label("One line.\n\nSecond paragraph."), "One line.");
        let long = "word ".repeat(100);
        let l = label(&long);
        assert!(l.chars().count() <= MAX_LABEL_CHARS + 1);
        assert!(l.ends_with('…'));
    }

    #[test]
    fn alike_options_are_detected() {
        assert!(alike("TCP is reliable.", "TCP is reliable"));
        assert!(alike(
            "TCP is connection oriented and reliable",
            "TCP is reliable and connection oriented"
        ));
        assert!(!alike(
            "TCP is reliable.",
            "UDP is fast and connectionless."
        ));
    }

    fn question(id: &str) -> Question {
        Question {
            id: id.into(),
            topic: "t".into(),
            question: format!("{id}?"),
            answer: format!("{id}."),
            aliases: vec![],
            tags: vec![],
            difficulty: Default::default(),
            source: None,
            distinct_from: vec![],
            origin: Default::default(),
        }
    }

    #[test]
    fn unseen_questions_come_first_and_a_used_up_pool_starts_over() {
        let all: Vec<Question> = ["a", "b", "c"].map(question).to_vec();
        let pool: Vec<&Question> = all.iter().collect();
        let mut rng = fastrand::Rng::with_seed(7);
        let (chosen, forget) = questions(&pool, &["a".into(), "b".into()], 1, &mut rng);
        assert_eq!(chosen[0].id, "c");
        assert!(forget.is_empty());
        let (chosen, forget) = questions(&pool, &["a".into(), "b".into()], 2, &mut rng);
        assert_eq!(chosen[0].id, "c");
        assert_ne!(chosen[1].id, "c");
        assert_eq!(forget, ["a", "b"]);
    }
}
