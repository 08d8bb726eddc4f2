//! Joining the two ways of matching into one order: word scores (from
//! [`super::rescore`]) and meaning (the cosines of [`crate::semantic`]).
//!
//! Every entry of the bank is a candidate: meaning is computed for all of them,
//! words only for the best lexical ones. The word score is taken relative to the
//! best one of the query, so it says "as good a word match as there is" rather
//! than a BM25 number that grows with the query's length.
//!
//! The score is meaning plus a share of the word score, and the share shrinks as
//! the query grows: in "inheritance" or "non-root container" the exact words are
//! most of what the person said, in a whole sentence the meaning is. Measured on
//! the dev and held-out query sets (BENCHMARKS.md), this beats meaning alone,
//! words alone and rank fusion of the two. The word score counts as far as the
//! query's words are in the entry's question and aliases, and an entry that
//! defines the term a definition asks about ([`super::subject`]) gets a little
//! more: both measured on real interview questions (BENCHMARKS.md, issue 22).

use serde::Serialize;

use super::rescore::Scored;
use crate::semantic::Similarity;

/// What one hit's score was made of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Signals {
    /// The word score over the best word score of the query (0 if not a word match).
    pub words: f32,
    /// Cosine to the closest of question and aliases.
    pub phrasing: f32,
    /// Cosine to the answer.
    pub answer: f32,
    /// Cosine to question and answer together.
    pub entry: f32,
    /// Weighted share of the query's words the entry has (0 when it was not
    /// rescored by words), as [`super::Evidence::coverage`] reads it for the best hit.
    pub coverage: f32,
    /// The same share in the entry's question and aliases only.
    pub phrased: f32,
    /// Share of the entry's question words that the query has.
    pub question_covered: f32,
    /// The query asks a definition and the entry defines what it asks about
    /// (see [`super::subject`]).
    pub defines: bool,
}

/// A ranked entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fused {
    pub row: usize,
    pub score: f32,
    pub signals: Signals,
}

/// An entry that matches no word needs this much meaning to be shown at all.
const MEANING_FLOOR: f32 = 0.35;
/// The share of the word score: `WORDS_BASE + WORDS_PER_QUERY_WORD / query words`.
const WORDS_BASE: f32 = 0.15;
const WORDS_PER_QUERY_WORD: f32 = 0.4;
/// A phrasing (question or alias) alone is weaker evidence than the whole entry.
const PHRASING_DISCOUNT: f32 = 0.1;
/// What defining the asked term is worth against only mentioning it.
const DEFINES_BONUS: f32 = 0.06;

/// The entries kept by `keep`, best first: rows with a `lexical` score (row,
/// rescored by words) and rows close enough in meaning to a query of
/// `query_words` words.
pub(crate) fn rank(
    lexical: &[(usize, Scored)],
    similarities: &[Similarity],
    query_words: usize,
    keep: impl Fn(usize) -> bool,
    defines: impl Fn(usize) -> bool,
) -> Vec<Fused> {
    let words_weight = WORDS_BASE + WORDS_PER_QUERY_WORD / query_words.max(1) as f32;
    let best = lexical
        .iter()
        .map(|(_, s)| s.score)
        .fold(0.0f32, f32::max)
        .max(f32::MIN_POSITIVE);
    let mut words: Vec<Option<&Scored>> = vec![None; similarities.len()];
    for (row, scored) in lexical {
        if let Some(w) = words.get_mut(*row) {
            *w = Some(scored);
        }
    }
    let mut fused: Vec<Fused> = similarities
        .iter()
        .enumerate()
        .filter(|(row, _)| keep(*row))
        .filter_map(|(row, s)| {
            let lexical = words[row];
            let signals = Signals {
                words: lexical.map_or(0.0, |l| l.score / best),
                phrasing: s.phrasing,
                answer: s.answer,
                entry: s.entry,
                coverage: lexical.map_or(0.0, |l| l.coverage),
                phrased: lexical.map_or(0.0, |l| l.phrased),
                question_covered: lexical.map_or(0.0, |l| l.question_covered),
                defines: defines(row),
            };
            let meaning = meaning(&signals);
            (signals.words > 0.0 || meaning >= MEANING_FLOOR).then_some(Fused {
                row,
                score: meaning
                    + words_weight * phrased_words(&signals)
                    + if signals.defines { DEFINES_BONUS } else { 0.0 },
                signals,
            })
        })
        .collect();
    fused.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.row.cmp(&b.row)));
    fused
}

/// The word score, as far as the query's words are in the entry's question and
/// aliases: words found only in its answer say less about what it is about
/// ("security best practices" is not about API keys because that answer says both).
fn phrased_words(s: &Signals) -> f32 {
    s.words * s.phrased
}

/// How close in meaning: to the whole entry, or a little less to one phrasing.
fn meaning(s: &Signals) -> f32 {
    s.entry.max(s.phrasing - PHRASING_DISCOUNT)
}

/// Words in chat text, as the fusion counts them.
pub(crate) fn count_words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}
