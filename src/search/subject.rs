//! What a definition is about: the term "What is X?" asks to define, and the
//! terms each entry defines (its question's subject when the question asks a
//! definition, and the subject of its answer's first sentence, "X is ...").
//!
//! Interview lists ask plain definitions, and a bank often has several entries
//! that mention a term but only one that says what it is: "What is a generator?"
//! is answered by the generators entry, not by generator expressions or `send()`.
//! Search ranks an entry that defines exactly the asked term a little higher, and
//! confidence reads whether the best hit does. Subjects are compared as sets of
//! analyzed terms (stemmed, stop words out), with the entry's topic name left out
//! on both sides when something else remains ("Docker image" in the docker topic
//! is "image"). Only the shape of the sentence is read; nothing depends on a term.

use super::asks::{Asks, asks, first_sentence};
use tantivy::tokenizer::TextAnalyzer;

use crate::analyzer::{analyzer, terms};
use crate::bank::{Bank, Question};

/// The analyzed terms a definition is about, sorted, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(Vec<String>);

impl Subject {
    fn of(text: &str, analyzer: &mut TextAnalyzer) -> Option<Subject> {
        let mut terms = terms(analyzer, text);
        terms.sort();
        terms.dedup();
        (!terms.is_empty()).then_some(Subject(terms))
    }

    /// Whether the two name the same thing, `topic`'s own terms left out of both
    /// (when anything else is left).
    fn same_as(&self, other: &Subject, topic: &[String]) -> bool {
        self.without(topic) == other.without(topic)
    }

    fn without<'a>(&'a self, topic: &[String]) -> Vec<&'a str> {
        let rest: Vec<&str> = self
            .0
            .iter()
            .filter(|t| !topic.contains(t))
            .map(String::as_str)
            .collect();
        if rest.is_empty() {
            self.0.iter().map(String::as_str).collect()
        } else {
            rest
        }
    }
}

/// The subjects a question asks to define: none unless it asks a definition;
/// the term itself, and the one in parentheses after it ("NAT (network address
/// translation)").
pub fn asked(question: &str) -> Vec<Subject> {
    asked_with(question, &mut analyzer())
}

fn asked_with(question: &str, analyzer: &mut TextAnalyzer) -> Vec<Subject> {
    if asks(question) != Asks::Definition {
        return Vec::new();
    }
    let lower = first_sentence(question)
        .trim()
        .to_lowercase()
        .replace('’', "'");
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    match term_of_definition(lower) {
        Some(term) => subjects_of(term, analyzer),
        None => Vec::new(),
    }
}

/// The term of "what is X", "define X", "what does X mean", "what X is".
fn term_of_definition(question: &str) -> Option<&str> {
    for lead in [
        "what is meant by ",
        "what is ",
        "what are ",
        "what's ",
        "whats ",
        "define ",
    ] {
        if let Some(rest) = question.strip_prefix(lead) {
            return Some(rest);
        }
    }
    let trailing = |lead: &str, tails: &[&str]| {
        let rest = question.strip_prefix(lead)?;
        tails.iter().find_map(|tail| rest.strip_suffix(tail))
    };
    trailing("what does ", &[" stand for", " mean"]).or_else(|| trailing("what ", &[" is", " are"]))
}

/// Words that open a definition's term without being it: "the purpose of DNS"
/// is about DNS.
const HEADS: [&str; 9] = [
    "purpose of ",
    "role of ",
    "meaning of ",
    "use of ",
    "point of ",
    "concept of ",
    "idea of ",
    "definition of ",
    "function of ",
];

/// Where a term ends and what is said about it begins: "a volume in Docker, and
/// why is it used".
const ENDS: [&str; 11] = [
    ",", ";", ":", " and ", " in ", " on ", " for ", " within ", " when ", " used ", " that ",
];

/// The subjects of a term as written: its head words and articles taken off,
/// cut where the term ends, with the words in parentheses as a second subject.
fn subjects_of(term: &str, analyzer: &mut TextAnalyzer) -> Vec<Subject> {
    let mut term = strip_articles(term);
    for head in HEADS {
        if let Some(rest) = term.strip_prefix(head) {
            term = strip_articles(rest);
        }
    }
    let (main, aside) = match term.split_once('(') {
        Some((main, rest)) => (main, rest.split(')').next()),
        None => (term, None),
    };
    let cut = ENDS
        .iter()
        .filter_map(|end| main.find(end))
        .min()
        .unwrap_or(main.len());
    [Some(&main[..cut]), aside]
        .into_iter()
        .flatten()
        .filter_map(|text| Subject::of(text, analyzer))
        .collect()
}

fn strip_articles(text: &str) -> &str {
    let text = text.trim_start();
    ["a ", "an ", "the "]
        .iter()
        .find_map(|article| text.strip_prefix(article))
        .unwrap_or(text)
        .trim_start()
}

/// Verbs that end the subject of a defining sentence: "A volume is ...".
const DEFINING: [&str; 5] = [" is ", " are ", " refers to ", " means ", " stands for "];
/// A defining sentence names its subject within this many words.
const SUBJECT_WORDS: usize = 6;

/// The subjects the first sentence of `answer` defines ("Generators are
/// functions that ..."): what stands before its first defining verb, when that
/// is a short noun phrase.
fn defined_by_answer(answer: &str, analyzer: &mut TextAnalyzer) -> Vec<Subject> {
    let first = answer
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split(". ")
        .next()
        .unwrap_or("")
        .replace(['`', '*'], "")
        .to_lowercase()
        .replace('’', "'");
    let Some(at) = DEFINING.iter().filter_map(|verb| first.find(verb)).min() else {
        return Vec::new();
    };
    let before = &first[..at];
    // "In Python, a generator is ...": the subject follows the last comma.
    let subject = before.rsplit(", ").next().unwrap_or(before);
    if subject.split_whitespace().count() > SUBJECT_WORDS {
        return Vec::new();
    }
    subjects_of(subject, analyzer)
}

/// What each entry of a bank defines, by row, and its topic's terms.
#[derive(Debug, Default)]
pub struct Definitions {
    rows: Vec<(Vec<Subject>, Vec<String>)>,
}

impl Definitions {
    pub fn of(bank: &Bank) -> Definitions {
        // One analyzer for the whole bank: building one is not free, and a
        // server's team bank is read at every start-up.
        let mut analyzer = analyzer();
        Definitions {
            rows: bank
                .questions()
                .iter()
                .map(|q| Self::entry(q, &mut analyzer))
                .collect(),
        }
    }

    fn entry(question: &Question, analyzer: &mut TextAnalyzer) -> (Vec<Subject>, Vec<String>) {
        let mut subjects = asked_with(&question.question, analyzer);
        subjects.extend(defined_by_answer(&question.answer, analyzer));
        (subjects, terms(analyzer, &question.topic))
    }

    /// Whether the entry at `row` defines one of the `asked` subjects.
    pub fn defines(&self, row: usize, asked: &[Subject]) -> bool {
        self.rows.get(row).is_some_and(|(subjects, topic)| {
            subjects
                .iter()
                .any(|s| asked.iter().any(|a| a.same_as(s, topic)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(text: &str) -> Vec<Vec<String>> {
        asked(text).into_iter().map(|s| s.0).collect()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_term_a_definition_asks_for() {
        assert_eq!(subject("What is a generator?"), vec![words(&["generat"])]);
        assert_eq!(
            subject("What is a generator expression in Python?"),
            vec![words(&["express", "generat"])]
        );
        assert_eq!(
            subject("What is NAT (network address translation), and why is it used?"),
            vec![words(&["nat"]), words(&["address", "network", "translat"])]
        );
        assert_eq!(
            subject("What is the purpose of DNS?"),
            vec![words(&["dns"])]
        );
        assert_eq!(subject("What does REST stand for?"), vec![words(&["rest"])]);
        assert_eq!(
            subject("What's a Dockerfile for?"),
            vec![words(&["dockerfil"])]
        );
        assert!(subject("How do you debug a memory leak?").is_empty());
        assert!(subject("What is the difference between TCP and UDP?").is_empty());
    }

    #[test]
    fn the_subject_of_an_answers_first_sentence() {
        let of = |text| -> Vec<Vec<String>> {
            defined_by_answer(text, &mut analyzer())
                .into_iter()
                .map(|s| s.0)
                .collect()
        };
        assert_eq!(
            of("Generators are functions that yield values lazily. More."),
            vec![words(&["generat"])]
        );
        assert_eq!(
            of("In Python, a `generator expression` is a lazy comprehension."),
            vec![words(&["express", "generat"])]
        );
        // A long first clause is not a subject.
        assert!(
            of(
                "Containerization shares the host OS kernel and isolates processes, which is cheap."
            )
            .is_empty()
        );
        assert!(of("Use a volume.").is_empty());
    }

    #[test]
    fn the_topic_name_is_left_out_when_something_else_remains() {
        let topic = words(&["docker"]);
        let image = &asked("What is an image?")[0];
        let docker_image = &asked("What is a Docker image?")[0];
        let docker = &asked("What is Docker?")[0];
        assert!(image.same_as(docker_image, &topic));
        assert!(!docker.same_as(docker_image, &topic));
        assert!(docker.same_as(&asked("What is Docker, and why is it popular?")[0], &topic));
        assert!(!image.same_as(docker_image, &[]));
    }
}
