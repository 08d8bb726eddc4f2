//! Choosing a round's questions and their wrong options.
//!
//! Questions: a channel does not see a question again until its pool (the topic,
//! or the whole bank) is used up. Options are entries' `quiz_option` lines.
//! Wrong options: answers in the same topic that are close in meaning to the
//! right one (or, without the embedding model, answers of questions search finds
//! similar), so they are plausible; the closest topics lend some when a topic
//! has too few. Meaning compares what answers say first (their leads, see
//! [`crate::semantic::Semantic`]): later paragraphs explain and would make every
//! answer of a topic look alike. Exactly one option is right: a wrong one never answers the
//! question about as well as the right answer, never says the same as it, never
//! shares a specific tag with it, and never is one the bank excludes for it
//! (`not_with`, `distinct_from`).

use std::collections::HashSet;

use crate::bank::{Bank, Question};
use crate::library::Entries;
use crate::search::{SearchOptions, Searcher};
use crate::semantic::Semantic;

/// The letters of the four options.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];
/// Options sharing this much of their words count as the same option.
const NEAR_IDENTICAL: f32 = 0.6;
/// Similar questions considered for wrong options.
const CANDIDATES: usize = 20;
/// A search hit scoring within this share of the question's own entry
/// answers it too (a server's own entries, which the model does not judge).
const OWN_SCORE_MARGIN: f32 = 0.1;
/// Wrong options are drawn from this many of the most plausible answers.
pub const PLAUSIBLE: usize = 8;
/// An answer scoring for a question within this much of the right answer
/// answers it too.
const ANSWERS_TOO_MARGIN: f32 = 0.05;
/// A tag on at most one in this many entries of a topic names a subject.
const SPECIFIC_TAG_SHARE: usize = 25;
/// Neighbours that measure how much an answer resembles its whole topic.
const HUB_NEIGHBOURS: usize = 10;
/// Answers this close in meaning say the same thing.
const SAME_ANSWER: f32 = 0.8;
/// Questions this close in meaning ask the same thing.
const SAME_QUESTION: f32 = 0.92;
/// Longest option label cut from an answer without a `quiz_option`; the
/// full answer is shown at the reveal.
const MAX_LABEL_CHARS: usize = crate::bank::QUIZ_OPTION_CHARS;

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

/// A question's four options (the right one at a random place), its letter,
/// and whether some wrong options came from other topics (its own had too few).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub labels: Vec<String>,
    pub correct: String,
    pub borrowed: bool,
}

/// Four options for `question`: its `quiz_option` and three wrong ones drawn
/// from [`wrong_options`], plausible ones first but spread so no answer is
/// filler again and again.
pub fn options(
    question: &Question,
    bank: &Bank,
    searcher: &Searcher,
    rng: &mut fastrand::Rng,
) -> Options {
    options_without(question, bank, searcher, &HashSet::new(), rng)
}

/// [`options`], never drawing a wrong option from the entries in `left_out`
/// (those reported as having two right answers).
pub fn options_without(
    question: &Question,
    bank: &Bank,
    searcher: &Searcher,
    left_out: &HashSet<String>,
    rng: &mut fastrand::Rng,
) -> Options {
    let mut pool = wrong_options(question, bank, searcher, Judge::Model);
    pool.retain(|c| !left_out.contains(&c.question.id));
    assemble(question, &pool, searcher, rng)
}

/// Four options for `question`, one of a server's own entries (`entries`
/// shows them): wrong ones from the entries search finds for its question in
/// that server, its own topic first, then any other entry search did not
/// find. An entry search ranks about as high as the question's own (within
/// [`OWN_SCORE_MARGIN`]) answers it too and is no option; nor is one in
/// `left_out`.
pub fn team_options(
    question: &Question,
    entries: &Entries,
    left_out: &HashSet<String>,
    rng: &mut fastrand::Rng,
) -> Options {
    let right = option_of(question);
    let usable = |q: &Question| !left_out.contains(&q.id) && !alike(&right, &option_of(q));
    let text = format!("{} {}", question.question, question.aliases.join(" "));
    // Entries search puts close to (or above) the question's own: never options.
    let mut close: HashSet<String> = HashSet::from([question.id.clone()]);
    let mut found = |topic: Option<String>| -> Vec<Candidate<'_>> {
        let options = SearchOptions {
            topic,
            limit: CANDIDATES + 1,
            ..Default::default()
        };
        let hits = entries
            .searcher()
            .search_in(&text, &options, None, entries.team())
            .map(|found| found.hits)
            .unwrap_or_default();
        // Without its own entry among the hits, every hit may answer it.
        let own = hits.iter().find(|h| h.id == question.id).map(|h| h.score);
        let (near, far): (Vec<_>, Vec<_>) = hits
            .iter()
            .partition(|h| own.is_none_or(|own| h.score >= own - OWN_SCORE_MARGIN * own.abs()));
        close.extend(near.iter().map(|h| h.id.clone()));
        far.iter()
            .filter_map(|h| {
                Some(Candidate {
                    question: entries.get(&h.id)?,
                    plausible: h.score,
                })
            })
            .filter(|c| usable(c.question))
            .collect()
    };
    let mut pool = found(Some(question.topic.clone()));
    if pool.len() < LETTERS.len() - 1 {
        pool.extend(found(None));
    }
    let mut have: HashSet<String> = HashSet::new();
    pool.retain(|c| have.insert(c.question.id.clone()) && !close.contains(&c.question.id));
    if pool.len() < LETTERS.len() - 1 {
        pool.extend(
            entries
                .questions()
                .filter(|q| !have.contains(&q.id) && !close.contains(&q.id) && usable(q))
                .map(|q| Candidate {
                    question: q,
                    plausible: f32::MIN,
                }),
        );
    }
    assemble(question, &pool, entries.searcher(), rng)
}

/// The options of `question`: its own and three of `pool` (most plausible
/// first), the few most plausible in random order, never two alike or
/// excluded from one question.
fn assemble(
    question: &Question,
    pool: &[Candidate<'_>],
    searcher: &Searcher,
    rng: &mut fastrand::Rng,
) -> Options {
    let mut chosen: Vec<&Question> = Vec::new();
    let mut borrowed = false;
    // The most plausible few of the topic, in random order, then the rest.
    let (mut near, rest): (Vec<_>, Vec<_>) =
        pool.iter().enumerate().partition(|(i, _)| *i < PLAUSIBLE);
    rng.shuffle(&mut near);
    for (_, candidate) in near.into_iter().chain(rest) {
        if chosen.len() + 1 == LETTERS.len() {
            break;
        }
        let option = option_of(candidate.question);
        let clash = chosen.iter().any(|c| {
            alike(&option_of(c), &option) || excluded(c, candidate.question, searcher, Judge::Model)
        });
        if clash {
            continue;
        }
        borrowed |= candidate.question.topic != question.topic;
        chosen.push(candidate.question);
    }
    let mut labels: Vec<String> = vec![option_of(question)];
    labels.extend(chosen.iter().map(|q| option_of(q)));
    let mut order: Vec<usize> = (0..labels.len()).collect();
    rng.shuffle(&mut order);
    let correct = order.iter().position(|&i| i == 0).unwrap_or(0);
    Options {
        labels: order.iter().map(|&i| labels[i].clone()).collect(),
        correct: LETTERS[correct].to_string(),
        borrowed,
    }
}

/// An entry's text as an option: its `quiz_option`, else its answer's first
/// paragraph cut near the limit.
pub fn option_of(q: &Question) -> String {
    q.quiz_option.clone().unwrap_or_else(|| label(&q.answer))
}

/// A possible wrong option, with how plausible it is (higher is closer).
#[derive(Debug, Clone)]
pub struct Candidate<'b> {
    pub question: &'b Question,
    pub plausible: f32,
}

/// Every entry whose option may be a wrong option for `question`, most
/// plausible first: the same topic, then the closest topics by meaning when
/// the topic has fewer than three. An entry is never a wrong option when it
/// answers the question (it scores for the question almost as high as the
/// right answer), says the same as the right answer, shares a specific tag
/// with it, or either entry names the other in `not_with` or `distinct_from`.
pub fn wrong_options<'b>(
    question: &Question,
    bank: &'b Bank,
    searcher: &Searcher,
    judge: Judge,
) -> Vec<Candidate<'b>> {
    let right = option_of(question);
    let specific = specific_tags(question, bank);
    let valid = |other: &Question| {
        other.id != question.id
            && !excluded(question, other, searcher, judge)
            && !other.tags.iter().any(|t| specific.contains(t.as_str()))
            && !alike(&right, &option_of(other))
    };
    let ranked = |same_topic: bool| -> Vec<Candidate<'b>> {
        let in_scope = |q: &Question| (q.topic == question.topic) == same_topic;
        match searcher.semantic() {
            Some(semantic) => by_meaning(question, bank, semantic, &in_scope),
            None => by_words(question, bank, searcher, same_topic),
        }
        .into_iter()
        .filter(|c| in_scope(c.question) && valid(c.question))
        .collect()
    };
    let mut pool = ranked(true);
    if pool.len() < LETTERS.len() - 1 {
        pool.extend(ranked(false));
    }
    pool
}

/// Who decides that two entries must not be options of one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// The bank's curation only (`not_with`, `distinct_from`): what `bank
    /// check --quiz` audits, and all a quiz has without the model.
    Curated,
    /// The curation, and the model as a safety net.
    Model,
}

/// True when `a` and `b` must not be options of one question: curated
/// (`not_with`, `distinct_from`, either way) or, with the model judging, one
/// answers the other's question about as well as its own answer, or they say
/// the same.
pub fn excluded(a: &Question, b: &Question, searcher: &Searcher, judge: Judge) -> bool {
    let names =
        |x: &Question, y: &Question| x.not_with.contains(&y.id) || x.distinct_from.contains(&y.id);
    if names(a, b) || names(b, a) {
        return true;
    }
    if judge == Judge::Curated {
        return false;
    }
    let Some(semantic) = searcher.semantic() else {
        return false;
    };
    let (Some(ra), Some(rb)) = (semantic.row_of(&a.id), semantic.row_of(&b.id)) else {
        return false;
    };
    paraphrase(semantic, ra, rb) || answers_too(semantic, ra, rb) || answers_too(semantic, rb, ra)
}

/// True when entry `other`'s answer answers `question`'s question nearly as
/// well as (or better than) its own answer.
pub fn answers_too(semantic: &Semantic, question: usize, other: usize) -> bool {
    semantic.answers_question(question, other)
        >= semantic.answers_question(question, question) - ANSWERS_TOO_MARGIN
}

/// Tags of `question` that few entries of its topic share: entries with one
/// of them are about the same thing, so they are no wrong options for it.
fn specific_tags<'q>(question: &'q Question, bank: &Bank) -> HashSet<&'q str> {
    let in_topic: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| q.topic == question.topic)
        .collect();
    let most = (in_topic.len() / SPECIFIC_TAG_SHARE).max(1);
    question
        .tags
        .iter()
        .filter(|t| **t != question.topic)
        .filter(|t| in_topic.iter().filter(|q| q.tags.contains(t)).count() <= most)
        .map(String::as_str)
        .collect()
}

/// Candidates by meaning: answers close to the right one, less their
/// closeness to everything (hub answers that resemble all of the topic
/// would otherwise be filler in every question).
fn by_meaning<'b>(
    question: &Question,
    bank: &'b Bank,
    semantic: &Semantic,
    in_scope: &dyn Fn(&Question) -> bool,
) -> Vec<Candidate<'b>> {
    let Some(row) = semantic.row_of(&question.id) else {
        return Vec::new();
    };
    let scoped = |other: usize| bank.get(semantic.id(other)).is_some_and(in_scope);
    let mut near: Vec<Candidate<'b>> = semantic
        .nearest(row, Semantic::answer_similarity, scoped)
        .into_iter()
        .filter_map(|(other, similarity)| {
            let hub = semantic
                .nearest(other, Semantic::answer_similarity, scoped)
                .iter()
                .take(HUB_NEIGHBOURS)
                .map(|(_, s)| *s)
                .sum::<f32>()
                / HUB_NEIGHBOURS as f32;
            Some(Candidate {
                question: bank.get(semantic.id(other))?,
                plausible: similarity - hub / 2.0,
            })
        })
        .collect();
    near.sort_by(|a, b| b.plausible.total_cmp(&a.plausible));
    near
}

/// Candidates by words: answers of questions that search finds similar,
/// then the rest of the scope.
fn by_words<'b>(
    question: &Question,
    bank: &'b Bank,
    searcher: &Searcher,
    same_topic: bool,
) -> Vec<Candidate<'b>> {
    let similar = searcher
        .search(
            &format!("{} {}", question.question, question.tags.join(" ")),
            &SearchOptions {
                topic: same_topic.then(|| question.topic.clone()),
                limit: CANDIDATES,
                exclude: Some(question.id.clone()),
                ..Default::default()
            },
        )
        .map(|found| found.hits)
        .unwrap_or_default();
    let mut out: Vec<Candidate<'b>> = similar
        .iter()
        .filter_map(|h| bank.get(&h.id))
        .map(|q| Candidate {
            question: q,
            plausible: 1.0,
        })
        .collect();
    let seen: HashSet<String> = out.iter().map(|c| c.question.id.clone()).collect();
    out.extend(
        bank.questions()
            .iter()
            .filter(|q| !seen.contains(&q.id))
            .map(|q| Candidate {
                question: q,
                plausible: 0.0,
            }),
    );
    out
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
            quiz_option: None,
            not_with: vec![],
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
