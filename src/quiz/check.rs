//! `bank check --quiz`: every entry's quiz question rendered with its options,
//! and what would make a quiz untrustworthy: a wrong option close to the
//! question or to the right answer (a second right option), or fewer than
//! three valid wrong options in the entry's topic. The bank is fixed by
//! curating (`not_with`, `distinct_from`, a better `quiz_option`), never by
//! special cases in code.

use crate::bank::{Bank, Diagnostic};
use crate::search::Searcher;

use super::pick::{self, LETTERS};

/// A wrong option scoring for the question within this much of the right
/// answer is reported (wider than the picker's own safety net).
pub const CLOSE_TO_QUESTION: f32 = 0.1;
/// A wrong option's answer this similar to the right answer is reported.
pub const CLOSE_TO_ANSWER: f32 = 0.72;

/// One entry's quiz question as rendered, and its problems.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub id: String,
    pub question: String,
    pub labels: Vec<String>,
    pub correct: String,
    pub problems: Vec<Diagnostic>,
}

/// Renders every entry's quiz question (a fixed seed per entry, so runs
/// compare) and reports its problems.
pub fn check(bank: &Bank, searcher: &Searcher) -> Vec<Rendered> {
    bank.questions()
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut rng = fastrand::Rng::with_seed(i as u64);
            let options = pick::options(q, bank, searcher, &mut rng);
            let mut problems = Vec::new();
            let report = |message: String| Diagnostic::warning(&q.origin.file, q.origin.line, message);
            // The bank's own curation is audited; the model's exclusions at
            // play time are only a safety net (and absent without the model).
            let pool = pick::wrong_options(q, bank, searcher, pick::Judge::Curated);
            let valid = pool.iter().filter(|c| c.question.topic == q.topic).count();
            if valid < LETTERS.len() - 1 {
                problems.push(report(format!(
                    "`{}` has {valid} valid wrong options in topic {}, fewer than 3: options come from other topics",
                    q.id, q.topic
                )));
            }
            // Every option the picker may draw, not only the rendered ones.
            let drawable: Vec<&crate::bank::Question> = pool
                .iter()
                .take(pick::PLAUSIBLE + 2)
                .map(|c| c.question)
                .collect();
            if let Some(semantic) = searcher.semantic() {
                let row = semantic.row_of(&q.id);
                for source in drawable {
                    let (Some(r), Some(o)) = (row, semantic.row_of(&source.id)) else {
                        continue;
                    };
                    let right = semantic.answers_question(r, r);
                    let score = semantic.answers_question(r, o);
                    if score >= right - CLOSE_TO_QUESTION {
                        problems.push(report(format!(
                            "`{}`: wrong option `{}` answers the question almost as well as the right one ({score:.2} vs {right:.2}): if it is right too, add not_with = [\"{}\"]",
                            q.id, source.id, source.id
                        )));
                    }
                    let same = semantic.answer_similarity(r, o);
                    if same >= CLOSE_TO_ANSWER {
                        problems.push(report(format!(
                            "`{}`: wrong option `{}` is close to the right answer ({same:.2}): if it says the same, add not_with = [\"{}\"]",
                            q.id, source.id, source.id
                        )));
                    }
                }
            }
            Rendered {
                id: q.id.clone(),
                question: q.question.clone(),
                labels: options.labels,
                correct: options.correct,
                problems,
            }
        })
        .collect()
}
