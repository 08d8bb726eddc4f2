//! Search over the bank: a tantivy index under `index/`, queried with chat text.
//!
//! User text is never parsed as query syntax: the forms of interview-question
//! lists (numbering, markdown, "Can you explain", follow-ups) are taken off first
//! ([`forms`]), for words and meaning alike; then it is analyzed into terms
//! ([`analyzer`]), widened with acronyms and synonyms ([`Synonyms`]), forgiving
//! typos and split words ([`vocabulary`]), and turned into a weighted term query
//! (`query`) where the question and its aliases count more than the answer.
//! Lexical scoring produces candidates; `rescore` ranks the best of them by how
//! much of the query they cover, the place where a second scorer (meaning-based)
//! can join.

pub use crate::analyzer;
mod asks;
mod build;
mod confidence;
pub mod forms;
mod fusion;
mod index;
mod partition;
mod query;
mod rescore;
mod subject;
pub mod suggest;
mod synonyms;
pub mod vocabulary;

use std::path::PathBuf;

pub use asks::{Asks, asks};
pub use build::{Built, build as build_index};
pub use confidence::{Confidence, DEFAULT_MIN_CONFIDENCE, Evidence};
pub use fusion::Signals;
pub use index::{IndexStatus, Searcher, index_status};
pub use partition::{Partition, PartitionError};
pub use synonyms::Synonyms;

/// What went wrong opening or querying the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index {}: {error}", path.display())]
    Index {
        path: PathBuf,
        error: tantivy::TantivyError,
    },
    #[error("index {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("search failed: {0}")]
    Query(#[from] tantivy::TantivyError),
    #[error("synonyms {0}")]
    Synonyms(String),
}

/// Restrictions and paging for one search.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Only questions of this topic.
    pub topic: Option<String>,
    pub limit: usize,
    /// Skip this many best hits ("not it? next match").
    pub offset: usize,
    /// Leave this question out (related questions of an answer).
    pub exclude: Option<String>,
    /// Match words only, without embedding the text (autocomplete, on every keystroke).
    pub words_only: bool,
}

impl SearchOptions {
    pub fn top(limit: usize) -> Self {
        SearchOptions {
            limit,
            ..Default::default()
        }
    }
}

/// One matching question and how well it matched (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    /// What the score was made of, when matching by meaning is on.
    pub signals: Option<Signals>,
}

/// The hits for a query, or why there are none.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// Set when the text had nothing searchable in it.
    pub note: Option<&'static str>,
    /// How sure search is of the best hit (see [`Confidence`]); `None` without hits.
    pub confidence: Option<Confidence>,
    /// The text searched, when [`forms::normalise`] changed what was typed.
    pub normalised: Option<String>,
}
