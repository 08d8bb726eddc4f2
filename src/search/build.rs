//! Building the index from a bank, on disk or in memory.
//!
//! On disk an index lives in `index/tantivy-<hash>`, named after the bank content
//! (and index format) it was built from, so a process that finds that directory
//! knows it is current. A build goes to a staging directory of its own and is
//! renamed into place; when two processes build at once, the first rename wins and
//! the other uses it. Indexes of older content are then removed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use tantivy::{Index, TantivyDocument, doc};

use super::SearchError;
use super::analyzer::{ANALYZER, RAW_ANALYZER, analyzer, raw_analyzer};
use super::index::Fields;
use crate::bank::Bank;

/// Bumped whenever the schema or the analyzer changes, so old indexes are rebuilt.
const INDEX_FORMAT: &str = "interview-bot-index-8";
const INDEX_PREFIX: &str = "tantivy-";
const STAGING_PREFIX: &str = "tantivy.building-";
/// Staging directories older than this were left by a process that died.
const STALE_STAGING: Duration = Duration::from_secs(3600);
const HASH_FILE: &str = "BANK_HASH";
/// Banks smaller than this (a team bank) are indexed with [`SMALL_BUDGET`]
/// bytes of writer memory, tantivy's least.
const SMALL_BANK: usize = 2_000;
const SMALL_BUDGET: usize = 15_000_000;
/// Banks at least this big show a progress bar while indexing.
const PROGRESS_FROM: usize = 2_000;

/// What a build did.
#[derive(Debug, Clone, Copy)]
pub struct Built {
    pub questions: usize,
    pub elapsed: Duration,
}

/// Where the index for `bank`'s current content lives under `dir`.
pub(crate) struct Location {
    pub path: PathBuf,
    hash: String,
}

impl Location {
    pub fn of(bank: &Bank, dir: &Path) -> Self {
        let hash = format!("{INDEX_FORMAT}:{}", bank.content_hash());
        let short = crate::bank::hex(&sha2_of(&hash))[..16].to_string();
        Location {
            path: dir.join(format!("{INDEX_PREFIX}{short}")),
            hash,
        }
    }

    /// True when the directory holds a finished build of this content.
    pub fn is_current(&self) -> bool {
        std::fs::read_to_string(self.path.join(HASH_FILE)).is_ok_and(|h| h.trim() == self.hash)
    }
}

fn sha2_of(text: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).to_vec()
}

/// Builds the index for `bank` on disk under `dir`, replacing any index of the same
/// content, and removes indexes of older content.
pub fn build(bank: &Bank, dir: &Path) -> Result<Built, SearchError> {
    let location = Location::of(bank, dir);
    let staging = dir.join(format!(
        "{STAGING_PREFIX}{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| SearchError::Io { path, error }
    };
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let built = build_in_dir(bank, &staging, &location.hash);
    let installed = built.and_then(|built| install(&staging, &location).map(|()| built));
    if installed.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    let built = installed?;
    remove_old(dir, &location.path);
    Ok(built)
}

/// Builds the index for `bank` in memory (when the index directory is not writable).
pub(crate) fn build_in_ram(bank: &Bank) -> Result<(Index, Built), SearchError> {
    build_scope_in_ram(bank, GLOBAL_SCOPE)
}

/// The scope of the shipped bank's entries; a team bank's is its server's id.
pub(crate) const GLOBAL_SCOPE: &str = "";

/// Builds the index of `bank` in memory, its entries in `scope` (a team bank's
/// server, see [`super::Partition`]).
pub(crate) fn build_scope_in_ram(bank: &Bank, scope: &str) -> Result<(Index, Built), SearchError> {
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_ram(schema);
    let built = fill(&index, &fields, bank, scope).map_err(|error| SearchError::Index {
        path: PathBuf::from("(memory)"),
        error,
    })?;
    Ok((index, built))
}

pub(crate) fn register_analyzers(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
    index.tokenizers().register(RAW_ANALYZER, raw_analyzer());
}

fn build_in_dir(bank: &Bank, dir: &Path, hash: &str) -> Result<Built, SearchError> {
    let tantivy_err = |error| SearchError::Index {
        path: dir.to_path_buf(),
        error,
    };
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(dir, schema).map_err(tantivy_err)?;
    let built = fill(&index, &fields, bank, GLOBAL_SCOPE).map_err(tantivy_err)?;
    std::fs::write(dir.join(HASH_FILE), hash).map_err(|error| SearchError::Io {
        path: dir.to_path_buf(),
        error,
    })?;
    Ok(built)
}

/// Moves a finished build into place. If another process installed the same
/// content first, its index is kept; a damaged one is replaced.
fn install(staging: &Path, location: &Location) -> Result<(), SearchError> {
    if std::fs::rename(staging, &location.path).is_ok() {
        return Ok(());
    }
    if location.is_current() && super::index::opens(&location.path) {
        std::fs::remove_dir_all(staging).map_err(|error| SearchError::Io {
            path: staging.to_path_buf(),
            error,
        })?;
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&location.path);
    std::fs::rename(staging, &location.path).map_err(|error| SearchError::Io {
        path: location.path.clone(),
        error,
    })
}

/// Removes indexes of other content and staging directories abandoned long ago.
fn remove_old(dir: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let old_index = name.starts_with(INDEX_PREFIX) && path != current;
        let abandoned =
            name.starts_with(STAGING_PREFIX) && crate::files::older_than(&entry, STALE_STAGING);
        if (old_index || abandoned) && path.is_dir() {
            if let Err(e) = std::fs::remove_dir_all(&path) {
                tracing::debug!("cannot remove old index {}: {e}", path.display());
            }
        }
    }
}

fn fill(index: &Index, f: &Fields, bank: &Bank, scope: &str) -> tantivy::Result<Built> {
    let started = Instant::now();
    register_analyzers(index);
    let threads = if bank.len() >= 20_000 { 2 } else { 1 };
    let budget = if bank.len() >= SMALL_BANK {
        100_000_000
    } else {
        SMALL_BUDGET
    };
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(threads, budget * threads)?;
    let progress = progress_bar(bank.len());
    for (row, q) in bank.questions().iter().enumerate() {
        let mut document = doc!(
            f.id => q.id.as_str(),
            f.scope => scope,
            f.row => row as u64,
            f.topic => q.topic.as_str(),
            f.topic_text => q.topic.as_str(),
            f.question => q.question.as_str(),
            f.answer => q.answer.as_str(),
        );
        for alias in &q.aliases {
            document.add_text(f.aliases, alias);
        }
        for tag in &q.tags {
            document.add_text(f.tags, tag);
        }
        let texts = q
            .phrasings()
            .chain([q.answer.as_str()])
            .chain(q.tags.iter().map(String::as_str));
        for text in texts {
            document.add_text(f.words, text);
        }
        writer.add_document(document)?;
        progress.inc(1);
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    progress.finish_and_clear();
    Ok(Built {
        questions: bank.len(),
        elapsed: started.elapsed(),
    })
}

fn progress_bar(len: usize) -> ProgressBar {
    if len < PROGRESS_FROM {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "indexing {bar:40} {pos}/{len} questions ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}
