//! A team bank's part of search: the entries one server added ([`crate::team`]),
//! with an index and vectors of their own, searched beside the shipped bank's
//! in that server only ([`super::Searcher::search_in`]).
//!
//! Each server's entries are one partition, so a search scans the shipped
//! bank and one server's entries, never another's; an edit rebuilds only its
//! server's partition (a few hundred entries at most: milliseconds for the
//! index, and only texts never embedded before go through the model).

use std::sync::Arc;

use tantivy::{IndexReader, ReloadPolicy};

use super::SearchError;
use super::asks::{Asks, asks};
use super::build::build_scope_in_ram;
use super::index::{Fields, read_terms};
use super::subject::{Definitions, Subject};
use super::suggest::Suggestions;
use super::vocabulary::Vocabulary;
use crate::bank::{Bank, Question};
use crate::semantic::{Model, ModelError, Semantic, TextVectors};

/// One server's team bank, indexed and (with a model) embedded.
pub struct Partition {
    scope: String,
    bank: Bank,
    reader: IndexReader,
    fields: Fields,
    vocabulary: Vocabulary,
    semantic: Option<Semantic>,
    asks: Vec<Asks>,
    definitions: Definitions,
    suggestions: Suggestions,
}

impl std::fmt::Debug for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partition")
            .field("scope", &self.scope)
            .field("entries", &self.bank.len())
            .field("meaning", &self.semantic.is_some())
            .finish_non_exhaustive()
    }
}

impl Partition {
    /// Indexes `bank`, the entries of server `scope`, and embeds them with
    /// `model` (none: found by words only), taking the vectors of texts
    /// `known` has (embedding and adding the others).
    pub fn build(
        scope: &str,
        bank: Bank,
        meaning: Option<(Arc<Model>, &mut TextVectors)>,
    ) -> Result<Partition, PartitionError> {
        let (index, _) = build_scope_in_ram(&bank, scope)?;
        let fields = Fields::from_index(&index)?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::from)?;
        let vocabulary = Vocabulary::new(
            read_terms(&reader, &fields.vocabulary_fields()).map_err(SearchError::from)?,
        );
        let semantic = match meaning {
            Some((model, known)) => Some(Semantic::build_from(&bank, model, known)?),
            None => None,
        };
        Ok(Partition {
            scope: scope.to_string(),
            asks: bank.questions().iter().map(|q| asks(&q.question)).collect(),
            definitions: Definitions::of(&bank),
            suggestions: Suggestions::new(&bank),
            bank,
            reader,
            fields,
            vocabulary,
            semantic,
        })
    }

    /// The server whose entries these are.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn get(&self, id: &str) -> Option<&Question> {
        self.bank.get(id)
    }

    pub fn len(&self) -> usize {
        self.bank.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bank.is_empty()
    }

    /// Autocomplete's index of these entries.
    pub fn suggestions(&self) -> &Suggestions {
        &self.suggestions
    }

    /// The vectors of these entries, when matching by meaning is on.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    /// The vectors of these entries' texts, to rebuild without embedding
    /// them again (empty without vectors).
    pub fn text_vectors(&self, model: &Model) -> TextVectors {
        match &self.semantic {
            Some(semantic) => TextVectors::of(semantic, &self.bank),
            None => TextVectors::open(None, model),
        }
    }

    pub(crate) fn reader(&self) -> &IndexReader {
        &self.reader
    }

    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    pub(crate) fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub(crate) fn id(&self, row: usize) -> &str {
        &self.bank.questions()[row].id
    }

    pub(crate) fn topic(&self, row: usize) -> &str {
        &self.bank.questions()[row].topic
    }

    pub(crate) fn asks(&self, row: usize) -> Asks {
        self.asks.get(row).copied().unwrap_or(Asks::Other)
    }

    pub(crate) fn defines(&self, row: usize, asked: &[Subject]) -> bool {
        self.definitions.defines(row, asked)
    }
}

/// Why a team bank could not be indexed or embedded.
#[derive(Debug, thiserror::Error)]
pub enum PartitionError {
    #[error("cannot index the team bank: {0}")]
    Index(#[from] SearchError),
    #[error("cannot embed the team bank: {0}")]
    Embed(#[from] ModelError),
}
