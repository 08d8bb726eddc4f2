//! What a question asks for: a definition ("What is X?"), a comparison ("X vs
//! Y"), a how-to ("How do you X?") or a reason ("Why X?"), read off the shape of
//! its first sentence.
//!
//! Confidence compares the query's kind with the best hit's question: "What is a
//! memory leak?" answered by "How do you debug a memory leak?" is a neighbour, not
//! the answer. Only question words and a few words that say "compare" are looked
//! at; nothing depends on a topic.

use serde::Serialize;

/// The kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Asks {
    /// "What is X?", "What are X?", "Define X", "What does X mean / stand for?"
    Definition,
    /// "What is the difference between X and Y?", "X vs Y", "How does X compare to Y?"
    Comparison,
    /// "How do you X?", "How does X work?", "How to X"
    HowTo,
    /// "Why X?"
    Reason,
    /// Anything else: "When…", "Which…", "Can X…", a bare topic.
    Other,
}

impl Asks {
    /// The kind in words, for explanations: "a definition", "a how-to".
    pub fn describe(self) -> &'static str {
        match self {
            Asks::Definition => "a definition",
            Asks::Comparison => "a comparison",
            Asks::HowTo => "a how-to",
            Asks::Reason => "a reason",
            Asks::Other => "something else",
        }
    }
}

/// Words that make a question a comparison wherever they stand.
const COMPARING: &[&str] = &[
    "compare",
    "compared",
    "compares",
    "comparing",
    "comparison",
    "differ",
    "difference",
    "differences",
    "different",
    "differs",
    "versus",
    "vs",
];

/// What `question` asks for. Only its first sentence is read (a follow-up such as
/// "What is it used for?" does not change what the question is about).
pub fn asks(question: &str) -> Asks {
    let first = first_sentence(question);
    let words: Vec<String> = first
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect();
    let word = |i: usize| words.get(i).map_or("", String::as_str);
    if words.iter().any(|w| COMPARING.contains(&w.as_str())) {
        return Asks::Comparison;
    }
    match (word(0), word(1)) {
        ("what", "is" | "are") | ("what's", _) | ("define", _) => Asks::Definition,
        // "What does X mean?", "What is meant by X", "what a X is" (left by "Explain what a X is").
        ("what", _)
            if matches!(
                words.last().map(String::as_str),
                Some("mean" | "is" | "are")
            ) =>
        {
            Asks::Definition
        }
        ("what", _) if words.ends_with(&["stand".to_string(), "for".to_string()]) => {
            Asks::Definition
        }
        ("how", _) => Asks::HowTo,
        ("why", _) => Asks::Reason,
        _ => Asks::Other,
    }
}

/// The first sentence of a question: up to its first '?', '!' or line end.
pub(super) fn first_sentence(question: &str) -> &str {
    question
        .split(['?', '!', '\n'])
        .find(|s| s.chars().any(char::is_alphanumeric))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions() {
        for q in [
            "What is a memory leak?",
            "what are decorators",
            "What's a closure, and how/why would you use one?",
            "What’s PEP 8?",
            "Define idempotency.",
            "What does REST stand for? What does it mean?",
            "What does idempotent mean?",
            "what a \"single point of failure\" is.",
        ] {
            assert_eq!(asks(q), Asks::Definition, "{q}");
        }
    }

    #[test]
    fn comparisons_win_over_the_question_word() {
        for q in [
            "What is the difference between TCP and UDP?",
            "How does Docker Swarm compare to Kubernetes?",
            "list vs tuple",
            "How do processes differ from threads?",
            "Why is a thread different from a process?",
        ] {
            assert_eq!(asks(q), Asks::Comparison, "{q}");
        }
    }

    #[test]
    fn how_tos_reasons_and_the_rest() {
        assert_eq!(asks("How do you debug a memory leak?"), Asks::HowTo);
        assert_eq!(asks("how does DNS work"), Asks::HowTo);
        assert_eq!(asks("Why is UDP faster than TCP?"), Asks::Reason);
        assert_eq!(asks("When would you use ALB?"), Asks::Other);
        assert_eq!(asks("docker volumes"), Asks::Other);
        assert_eq!(asks(""), Asks::Other);
        assert_eq!(asks("???"), Asks::Other);
    }

    #[test]
    fn only_the_first_sentence_counts() {
        assert_eq!(
            asks("What is a generator? How do you write one?"),
            Asks::Definition
        );
        assert_eq!(
            asks("How do you write a generator? What is it?"),
            Asks::HowTo
        );
    }
}
