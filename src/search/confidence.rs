//! Whether the best hit answers the query, or the bank has no entry for it.
//!
//! The evidence is read off the query, the best hit and the one after it: how much
//! of the query's words the entry has (words no entry has count as missing, at the
//! weight of the rarest word), how much of the query no entry has at all, how close
//! in meaning the query is to the whole entry and to its closest phrasing, how far
//! ahead of the second hit the first is, and whether the entry's question asks for
//! the same kind of answer (a definition, a comparison, a how-to, a reason: see
//! `asks`). By words only, also how long the query is, how much of the query the
//! entry's question and aliases have and how much of the entry's question the
//! query has. Whether the hit defines the term a definition asks about (`subject`)
//! is reported for explanations and calibration.
//!
//! A logistic combination of them gives a calibrated probability that the best hit
//! is right. By meaning, a query that names a topic ("docker volumes") and one that
//! asks a question have their own coefficients: the same cosine means more for a
//! short topic worded like the bank's phrasings than for a whole interview question.
//! The coefficients are fitted by `tests/calibration/confidence.py` on the fit half
//! of the real interview questions (`tests/fixtures/real_questions/fit.tsv` and its
//! second draw `fit_fresh.tsv`, from sources the bank was not written from) and the
//! dev and held-out query sets (in bank and out of bank), the features and the
//! penalty chosen by cross-validation that leaves out one source at a time. The
//! test half of the real questions is never fitted on; its reliability table is in
//! README.md and BENCHMARKS.md. Nothing in it depends on particular words.

use serde::Serialize;

use super::asks::Asks;

/// What the decision was made from, for the best hit of a query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evidence {
    /// Weighted share of the query's words the entry has (0..1).
    pub coverage: f32,
    /// Weighted share of the query's words that no entry of the bank has (0..1).
    pub unknown: f32,
    /// Cosine of the query to the entry's closest phrasing (question or alias).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phrasing: Option<f32>,
    /// Cosine of the query to question and answer together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<f32>,
    /// How far ahead of the second hit the first is: the difference of fused
    /// scores by meaning, the relative difference of word scores by words only.
    pub gap: f32,
    /// Weighted share of the query's words the entry's question or aliases have
    /// (0..1): `coverage` without the answer.
    pub phrased: f32,
    /// Share of the entry's question words that the query has (0..1).
    pub question_covered: f32,
    /// How many different words were searched for (stop words left out).
    pub words: usize,
    /// What the query asks for: a definition, a comparison, a how-to...
    pub asks: Asks,
    /// What the entry's question asks for.
    pub hit_asks: Asks,
    /// When the query asks a definition: whether the entry defines what it asks
    /// about (`None` for other queries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defines: Option<bool>,
    /// The query names a topic rather than asking a question: no question word
    /// and no question mark ("docker volumes", "sticky sessions load balancer").
    pub bare: bool,
}

impl Evidence {
    /// True when the query asks for a definition, a comparison, a how-to or a
    /// reason and the entry's question asks for something else ("What is a
    /// memory leak?" and "How do you debug a memory leak?").
    pub fn asks_otherwise(&self) -> bool {
        self.asks != Asks::Other && self.hit_asks != self.asks
    }

    /// The query's length as the coefficients take it: ln(1 + words).
    fn length(&self) -> f32 {
        (1.0 + self.words as f32).ln()
    }
}

/// How sure search is that its best hit answers the query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Confidence {
    /// The calibrated probability that the best hit is right (0..1).
    pub value: f32,
    /// True when meaning took part; false when words alone decided.
    pub by_meaning: bool,
    pub evidence: Evidence,
}

/// The default of `search.min_confidence`: a wrong answer stated as fact is taken
/// to cost three times a refusal that offers the right entry as a suggestion, so
/// answer when the probability of being right is at least 3/4.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.75;

/// Coefficients by meaning, for a query that asks a question: bias, coverage,
/// phrasing, entry, gap, unknown, asks otherwise.
const MEANING_QUESTION: [f32; 7] = [-8.44, 0.81, 6.44, 5.49, 5.68, -2.00, -0.18];
/// The same for a bare topic ([`Evidence::bare`]): such queries are short and
/// worded like the bank's own phrasings, and the same evidence means more.
const MEANING_BARE: [f32; 7] = [-4.52, 2.06, 1.86, 5.24, 5.22, 0.15, 0.00];
/// Coefficients by words only: bias, coverage, gap, unknown, asks otherwise,
/// length, question covered, phrased.
const WORDS: [f32; 8] = [-6.60, 2.51, 2.08, -2.96, -1.66, 1.76, 1.36, 2.68];

impl Confidence {
    /// Confidence from the best hit's evidence.
    pub fn of(evidence: Evidence) -> Confidence {
        let e = &evidence;
        let otherwise = if e.asks_otherwise() { 1.0 } else { 0.0 };
        let (logit, by_meaning) = match (e.phrasing, e.entry) {
            (Some(phrasing), Some(entry)) => {
                let c = if e.bare {
                    &MEANING_BARE
                } else {
                    &MEANING_QUESTION
                };
                (
                    c[0] + c[1] * e.coverage
                        + c[2] * phrasing
                        + c[3] * entry
                        + c[4] * e.gap
                        + c[5] * e.unknown
                        + c[6] * otherwise,
                    true,
                )
            }
            _ => (
                WORDS[0]
                    + WORDS[1] * e.coverage
                    + WORDS[2] * e.gap
                    + WORDS[3] * e.unknown
                    + WORDS[4] * otherwise
                    + WORDS[5] * e.length()
                    + WORDS[6] * e.question_covered
                    + WORDS[7] * e.phrased,
                false,
            ),
        };
        Confidence {
            value: 1.0 / (1.0 + (-logit).exp()),
            by_meaning,
            evidence,
        }
    }

    /// True when the best hit may be given as the answer.
    pub fn is_confident(&self, min_confidence: f32) -> bool {
        self.value >= min_confidence
    }

    /// Why the decision went the way it did, in one line.
    pub fn explain(&self, min_confidence: f32) -> String {
        let e = &self.evidence;
        let mut signals = format!(
            "words covered {:.2}, unknown to the bank {:.2}",
            e.coverage, e.unknown
        );
        if let (Some(p), Some(n)) = (e.phrasing, e.entry) {
            signals.push_str(&format!(", meaning to phrasing {p:.2}, to entry {n:.2}"));
        }
        signals.push_str(&format!(", lead over the next hit {:.2}", e.gap));
        if !self.by_meaning {
            signals.push_str(&format!(
                ", question and aliases {:.2}, of the hit's question {:.2}",
                e.phrased, e.question_covered
            ));
        }
        if !self.by_meaning && e.asks_otherwise() {
            signals.push_str(&format!(
                ", asks {} but the hit {}",
                e.asks.describe(),
                e.hit_asks.describe()
            ));
        }
        signals.push_str(&format!(", {} words searched", e.words));
        let verdict = if self.is_confident(min_confidence) {
            "confident"
        } else {
            "not confident"
        };
        format!(
            "{verdict}: {:.2} {} {min_confidence:.2} ({}; {signals})",
            self.value,
            if self.is_confident(min_confidence) {
                ">="
            } else {
                "<"
            },
            if self.by_meaning {
                "by meaning"
            } else {
                "by words only"
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(coverage: f32, gap: f32) -> Evidence {
        Evidence {
            coverage,
            unknown: 0.0,
            phrasing: None,
            entry: None,
            gap,
            phrased: coverage,
            question_covered: 0.5,
            words: 3,
            asks: Asks::Other,
            hit_asks: Asks::Other,
            defines: None,
            bare: true,
        }
    }

    #[test]
    fn more_coverage_is_more_confidence() {
        let low = Confidence::of(words(0.3, 0.2));
        let high = Confidence::of(words(0.9, 0.2));
        assert!(high.value > low.value, "{low:?} {high:?}");
        assert!(!low.by_meaning);
    }

    #[test]
    fn closer_meaning_is_more_confidence() {
        let at = |cosine| {
            Confidence::of(Evidence {
                phrasing: Some(cosine),
                entry: Some(cosine),
                ..words(0.5, 0.05)
            })
        };
        assert!(at(0.8).value > at(0.3).value);
        assert!(at(0.8).by_meaning);
    }

    #[test]
    fn by_words_a_hit_that_asks_something_else_is_less_confidence() {
        let asking = |asks, hit_asks| Evidence {
            asks,
            hit_asks,
            ..words(0.9, 0.2)
        };
        let same = asking(Asks::Definition, Asks::Definition);
        let other = asking(Asks::Definition, Asks::HowTo);
        assert!(!same.asks_otherwise() && other.asks_otherwise());
        assert!(Confidence::of(other).value < Confidence::of(same).value);
        // A query that asks nothing in particular matches any kind of question.
        assert!(!asking(Asks::Other, Asks::HowTo).asks_otherwise());
        let c = Confidence::of(other);
        assert!(
            c.explain(0.75)
                .contains("asks a definition but the hit a how-to"),
            "{}",
            c.explain(0.75)
        );
    }

    #[test]
    fn the_same_closeness_means_more_for_a_bare_topic_than_for_a_question() {
        let of = |bare| {
            Confidence::of(Evidence {
                phrasing: Some(0.6),
                entry: Some(0.5),
                words: 12,
                bare,
                ..super::tests::words(0.8, 0.1)
            })
        };
        assert!(of(true).value > of(false).value);
        assert!(of(false).explain(0.75).ends_with("12 words searched)"));
    }

    #[test]
    fn the_threshold_decides_and_the_explanation_says_so() {
        let c = Confidence::of(words(0.5, 0.1));
        assert!(c.is_confident(c.value));
        assert!(!c.is_confident(c.value + 0.01));
        assert!(c.explain(c.value + 0.01).starts_with("not confident"));
        assert!(c.explain(0.0).starts_with("confident"));
    }
}
