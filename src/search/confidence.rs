//! Whether the best hit answers the query, or the bank has no entry for it.
//!
//! The evidence is read off the best hit and the one after it: how much of the
//! query's words the entry has (words no entry has count as missing, at the weight
//! of the rarest word), how much of the query no entry has at all, how close in
//! meaning the query is to the whole entry and to its closest phrasing, and how far
//! ahead of the second hit the first is. A logistic combination of them gives a
//! calibrated probability that the best hit is right; each way of matching (by
//! meaning, by words only) has its own coefficients, fitted by
//! `tests/calibration/confidence.py` on the dev and held-out query sets (in bank and
//! out of bank) and checked on splits (BENCHMARKS.md). Nothing in it depends on
//! particular words.

use serde::Serialize;

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

/// Coefficients by meaning: bias, coverage, phrasing, entry, gap, unknown.
const MEANING: [f32; 6] = [-5.37, 2.56, 4.65, 3.21, 1.47, -2.28];
/// Coefficients by words only: bias, coverage, gap, unknown.
const WORDS: [f32; 4] = [-3.66, 5.22, 1.82, -2.63];

impl Confidence {
    /// Confidence from the best hit's evidence.
    pub fn of(evidence: Evidence) -> Confidence {
        let (logit, by_meaning) = match (evidence.phrasing, evidence.entry) {
            (Some(phrasing), Some(entry)) => (
                MEANING[0]
                    + MEANING[1] * evidence.coverage
                    + MEANING[2] * phrasing
                    + MEANING[3] * entry
                    + MEANING[4] * evidence.gap
                    + MEANING[5] * evidence.unknown,
                true,
            ),
            _ => (
                WORDS[0]
                    + WORDS[1] * evidence.coverage
                    + WORDS[2] * evidence.gap
                    + WORDS[3] * evidence.unknown,
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
                coverage: 0.5,
                unknown: 0.0,
                phrasing: Some(cosine),
                entry: Some(cosine),
                gap: 0.05,
            })
        };
        assert!(at(0.8).value > at(0.3).value);
        assert!(at(0.8).by_meaning);
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
