//! The bank and the search index built from it, held together as one
//! [`Library`] so a command always searches the index of the bank it reads.
//! The [`Bot`](crate::bot::Bot) holds the current library and swaps in a new
//! one when the bank is reloaded ([`crate::reload`]); [`BankNow`] and
//! [`SearcherNow`] keep the library they were taken from alive while used.

use std::ops::Deref;
use std::sync::Arc;

use crate::bank::{self, Bank};
use crate::config::Settings;
use crate::search::Searcher;

/// A bank and its index (with the vectors, when matching by meaning is on).
pub struct Library {
    pub bank: Bank,
    pub searcher: Searcher,
}

/// Why a reloaded bank was not put in use; the bank in use stays.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// Entries with errors, each as `file:line: message`.
    #[error("{}", .0.join("; "))]
    Broken(Vec<String>),
    #[error("{0}")]
    Unreadable(String),
}

impl Library {
    /// Loads the bank (broken entries logged and skipped, as at startup) and
    /// builds or opens its index as `settings` say. Runs for seconds with the
    /// model on: call it off the async runtime.
    pub fn load(settings: &Settings) -> anyhow::Result<Library> {
        let bank = crate::bot::load_bank(&settings.bank.dir)?;
        let searcher = crate::bot::open_searcher(&bank, settings)?;
        Ok(Library { bank, searcher })
    }

    /// Loads the bank and builds (or opens) its index as `settings` say,
    /// refusing a bank with any broken entry: a reload never drops entries
    /// that worked before. Runs for seconds with the model on: call it off the
    /// async runtime.
    pub fn load_checked(settings: &Settings) -> Result<Library, ReloadError> {
        let loaded =
            bank::load(&settings.bank.dir).map_err(|e| ReloadError::Unreadable(e.to_string()))?;
        let errors: Vec<String> = loaded.errors().map(ToString::to_string).collect();
        if !errors.is_empty() {
            return Err(ReloadError::Broken(errors));
        }
        let searcher = crate::bot::open_searcher(&loaded.bank, settings)
            .map_err(|e| ReloadError::Unreadable(format!("{e:#}")))?;
        Ok(Library {
            bank: loaded.bank,
            searcher,
        })
    }
}

/// The bank of the library in use when it was taken.
pub struct BankNow(Arc<Library>);

impl BankNow {
    pub(crate) fn of(library: Arc<Library>) -> Self {
        BankNow(library)
    }
}

impl Deref for BankNow {
    type Target = Bank;

    fn deref(&self) -> &Bank {
        &self.0.bank
    }
}

/// The index of the library in use when it was taken.
pub struct SearcherNow(Arc<Library>);

impl SearcherNow {
    pub(crate) fn of(library: Arc<Library>) -> Self {
        SearcherNow(library)
    }
}

impl Deref for SearcherNow {
    type Target = Searcher;

    fn deref(&self) -> &Searcher {
        &self.0.searcher
    }
}
