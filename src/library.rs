//! The bank and the search index built from it, held together as one
//! [`Library`] so a command always searches the index of the bank it reads.
//! The [`Bot`](crate::bot::Bot) holds the current library and swaps in a new
//! one when the bank is reloaded ([`crate::reload`]); [`BankNow`] and
//! [`SearcherNow`] keep the library they were taken from alive while used.
//! [`Entries`] is what one server sees: the library and that server's own
//! entries ([`crate::team`]).

use std::collections::HashMap;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arc_swap::ArcSwap;

use crate::bank::{self, Bank, Question};
use crate::config::Settings;
use crate::metrics::metrics;
use crate::search::{IndexStatus, Partition, Searcher, Synonyms};

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

/// Every server's own bank, by server id, as it was when taken.
pub type Partitions = HashMap<String, Arc<Partition>>;

/// What one server sees: the shipped bank, then the entries its members
/// added. Another server's entries are never listed or found by
/// [`Entries::get`]; only [`Entries::card`] reaches them, for a learner's
/// own practice card.
#[derive(Clone)]
pub struct Entries {
    pub library: Arc<Library>,
    team: Option<Arc<Partition>>,
    all: Arc<Partitions>,
}

impl Entries {
    /// What `server` sees of `library` and of every server's own bank `all`.
    pub fn new(library: Arc<Library>, all: Arc<Partitions>, server: &str) -> Entries {
        Entries {
            team: all.get(server).cloned(),
            library,
            all,
        }
    }

    /// What every server's own banks `all` and `library` are, seen from no
    /// server yet: [`Entries::for_server`] picks one.
    pub fn unscoped(library: Arc<Library>, all: Arc<Partitions>) -> Entries {
        Entries {
            library,
            team: None,
            all,
        }
    }

    /// What `server` sees of the same library and banks.
    pub fn for_server(&self, server: &str) -> Entries {
        Entries::new(self.library.clone(), self.all.clone(), server)
    }

    /// The shipped bank alone (a place with no own entries).
    pub fn shipped(library: Arc<Library>) -> Entries {
        Entries {
            library,
            team: None,
            all: Arc::default(),
        }
    }

    pub fn bank(&self) -> &Bank {
        &self.library.bank
    }

    pub fn searcher(&self) -> &Searcher {
        &self.library.searcher
    }

    /// This server's own entries, if it has any.
    pub fn team(&self) -> Option<&Partition> {
        self.team.as_deref()
    }

    /// The entry `id`, shipped or this server's.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.library.bank.get(id).or_else(|| self.team()?.get(id))
    }

    /// Whether `id` is one of this server's own entries.
    pub fn is_team(&self, id: &str) -> bool {
        self.team().is_some_and(|team| team.get(id).is_some())
    }

    /// Every entry this server sees: the shipped bank's, then its own.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        let team = self.team().map(|t| t.bank().questions()).unwrap_or(&[]);
        self.library.bank.questions().iter().chain(team)
    }

    /// Every topic with its count of entries, shipped and own together.
    pub fn topics(&self) -> Vec<(String, usize)> {
        bank::topic_counts(self.questions())
    }

    /// Whether a shipped or own entry has `topic`.
    pub fn has_topic(&self, topic: &str) -> bool {
        self.library.bank.has_topic(topic) || self.team().is_some_and(|t| t.bank().has_topic(topic))
    }

    /// The entry of a learner's practice card `id`, wherever it lives: a card
    /// is its learner's, added where they could see the entry, and follows
    /// them (Discord practice spans servers); it is shown to them alone.
    pub fn card(&self, id: &str) -> Option<&Question> {
        self.get(id)
            .or_else(|| self.all.values().find_map(|partition| partition.get(id)))
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
