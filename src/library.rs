//! The bank and the search index built from it, held together as one
//! [`Library`] so a command always searches the index of the bank it reads.
//! The [`Bot`](crate::bot::Bot) holds the current library and swaps in a new
//! one when the bank is reloaded ([`crate::reload`]); [`BankNow`] and
//! [`SearcherNow`] keep the library they were taken from alive while used.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arc_swap::ArcSwap;

use crate::bank::{self, Bank};
use crate::config::Settings;
use crate::metrics::metrics;
use crate::search::{IndexStatus, Searcher, Synonyms};

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
        let bank = load_bank(&settings.bank.dir)?;
        let searcher = open_searcher(&bank, settings)?;
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
        let searcher = open_searcher(&loaded.bank, settings)
            .map_err(|e| ReloadError::Unreadable(format!("{e:#}")))?;
        Ok(Library {
            bank: loaded.bank,
            searcher,
        })
    }
}

/// The library in use, and the one way to put another in its place: held by
/// the [`Bot`](crate::bot::Bot) and given to what loads libraries
/// ([`crate::reload`], [`crate::meaning`]), so nothing needs the whole bot to
/// swap the bank.
pub struct Shelf {
    current: ArcSwap<Library>,
    /// Held while a new library is loaded, so loads run one at a time.
    loading: tokio::sync::Mutex<()>,
}

impl Shelf {
    pub fn new(library: Library) -> Self {
        metrics().bank(library.bank.len());
        Shelf {
            current: ArcSwap::from_pointee(library),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    /// The bank and its index as they are now, consistent with each other; a
    /// swap does not change a library already taken.
    pub fn library(&self) -> Arc<Library> {
        self.current.load_full()
    }

    /// Puts `library` in use from now on; work already running finishes with
    /// the one it took.
    pub fn swap(&self, library: Library) {
        metrics().bank(library.bank.len());
        self.current.store(Arc::new(library));
    }

    /// Held while a new library is loaded, so loads run one at a time.
    pub fn loading(&self) -> &tokio::sync::Mutex<()> {
        &self.loading
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

/// Loads the bank, logging each broken entry; fails only when nothing can be read.
pub fn load_bank(dir: &Path) -> anyhow::Result<Bank> {
    let loaded = bank::load(dir).with_context(|| "cannot read the question bank")?;
    for problem in &loaded.diagnostics {
        if problem.is_error() {
            tracing::warn!("{problem} (entry skipped)");
        }
    }
    Ok(loaded.bank)
}

/// Opens the index for `bank`, rebuilding it when the bank changed.
pub fn open_searcher(bank: &Bank, settings: &Settings) -> anyhow::Result<Searcher> {
    let synonyms = Synonyms::load(&settings.bank.synonyms, &mut crate::analyzer::analyzer())?;
    let (searcher, status) = Searcher::open_or_build(bank, &settings.index.dir, synonyms)
        .with_context(|| {
            format!(
                "cannot open the search index in {}",
                settings.index.dir.display()
            )
        })?;
    if let IndexStatus::Rebuilt(built) = status {
        tracing::info!(
            "indexed {} questions in {:.2}s (the bank changed)",
            built.questions,
            built.elapsed.as_secs_f64()
        );
    }
    let semantic = settings
        .model
        .enabled
        .then(|| crate::semantic::load(bank, &settings.model.dir, Some(&settings.index.dir)))
        .flatten();
    Ok(searcher.with_semantic(semantic))
}
