//! The question bank: what a question is, and the [`Bank`] that holds them.
//!
//! The bank is data, kept as TOML under `data/bank/` (format in `data/README.md`).
//! [`load`] reads it and reports broken entries as [`Diagnostic`]s without dropping
//! the good ones; [`check`] looks for near-duplicates; [`import`] converts banks
//! from other tools; [`write`] renders questions back into our format.

pub mod check;
mod diagnostic;
pub mod import;
mod load;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use diagnostic::{Diagnostic, Severity};
pub use load::{LoadError, Loaded, bank_files, load, parse_file};

/// How hard a question is; `medium` when a bank does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    #[default]
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

impl FromStr for Difficulty {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "easy" => Ok(Difficulty::Easy),
            "medium" => Ok(Difficulty::Medium),
            "hard" => Ok(Difficulty::Hard),
            other => Err(format!(
                "difficulty must be easy, medium or hard, not `{other}`"
            )),
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an entry was read from, for messages like `data/bank/api.toml:12: ...`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One question of the bank with its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub id: String,
    pub topic: String,
    pub question: String,
    pub answer: String,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    pub source: Option<String>,
    /// Ids of entries that look alike but were reviewed as different questions.
    #[serde(skip)]
    pub distinct_from: Vec<String>,
    /// The answer as a quiz option: one line of at most [`QUIZ_OPTION_CHARS`]
    /// characters that does not name the question's subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiz_option: Option<String>,
    /// Ids of entries whose answers must never be this question's wrong
    /// options (they are right too, or give it away): curated exclusions.
    #[serde(skip)]
    pub not_with: Vec<String>,
    #[serde(skip)]
    pub origin: Origin,
}

/// Longest `quiz_option`.
pub const QUIZ_OPTION_CHARS: usize = 120;

impl Question {
    /// The question followed by its aliases: every phrasing people may use.
    pub fn phrasings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// The questions of a bank, addressable by id, in file order.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
}

impl Bank {
    /// Builds a bank; a later question with an id already present is ignored
    /// (the loader reports such duplicates before they get here).
    pub fn new(questions: Vec<Question>) -> Self {
        let mut bank = Bank::default();
        for question in questions {
            if bank.by_id.contains_key(&question.id) {
                continue;
            }
            bank.by_id.insert(question.id.clone(), bank.questions.len());
            bank.questions.push(question);
        }
        bank
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn get(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// Topics with their question counts, by name.
    pub fn topics(&self) -> Vec<(String, usize)> {
        topic_counts(&self.questions)
    }

    pub fn has_topic(&self, topic: &str) -> bool {
        self.questions.iter().any(|q| q.topic == topic)
    }

    /// A hash of everything search indexes, so a changed bank triggers a rebuild.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for q in &self.questions {
            let fields = [&q.id, &q.topic, &q.question, &q.answer]
                .into_iter()
                .chain(q.aliases.iter())
                .chain(q.tags.iter());
            for field in fields {
                hasher.update(field.as_bytes());
                hasher.update([0u8]);
            }
            hasher.update(q.difficulty.as_str().as_bytes());
            hasher.update(q.source.as_deref().unwrap_or("").as_bytes());
            hasher.update(q.quiz_option.as_deref().unwrap_or("").as_bytes());
            hasher.update([0xffu8]);
        }
        hex(&hasher.finalize())
    }
}

/// Lowercase hexadecimal of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The topics of `questions` with their counts, by name.
pub fn topic_counts<'q>(questions: impl IntoIterator<Item = &'q Question>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for q in questions {
        *counts.entry(q.topic.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect()
}
