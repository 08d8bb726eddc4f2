//! Matching by meaning: a sentence-embedding model (all-MiniLM-L6-v2) run in
//! process in plain Rust ([`model`], [`encoder`]), the bank's vectors cached beside the search
//! index ([`vectors`]) and the similarities of a query or an entry to every entry
//! ([`Semantic`]). Search joins these with its word scores; related questions and
//! quiz distractors use them directly.
//!
//! The model is optional: without it (not installed, or broken) the bot says so
//! once in the log and `/ask` works by words alone. [`provision`] installs it
//! (at a first start, [`crate::meaning`] has it do so by itself).

mod encoder;
mod half_matrix;
pub mod model;
pub mod provision;
mod table;
mod vectors;

use std::path::Path;

pub use model::{MODEL_FILES, Model, ModelError};
pub use table::{QueryVector, Semantic, Similarity, TextVectors};
pub use vectors::Embedded;

use crate::bank::Bank;

/// True when `dir` holds every model file (whether they work is for
/// [`Model::load`] to say).
pub fn installed(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|f| dir.join(f).is_file())
}

/// How many of the texts `bank` embeds have vectors cached in `cache_dir` for
/// `model`, and how many there are.
pub fn cached(bank: &Bank, model: &Model, cache_dir: &Path) -> (usize, usize) {
    let texts = table::texts(bank);
    let cache = vectors::VectorCache::open(Some(cache_dir), model);
    let done = texts.iter().filter(|t| cache.get(t).is_some()).count();
    (done, texts.len())
}

/// Loads the model in `model_dir` and embeds `bank`, caching vectors in
/// `cache_dir`. Any failure is logged once and gives `None`: search then works by
/// words alone.
pub fn load(bank: &Bank, model_dir: &Path, cache_dir: Option<&Path>) -> Option<Semantic> {
    let loaded = Model::load(model_dir).and_then(|model| Semantic::build(bank, model, cache_dir));
    match loaded {
        Ok((semantic, embedded)) => {
            if embedded.texts > 0 {
                tracing::info!(
                    "embedded {} texts in {:.1} s ({:.0}/s), reused {}",
                    embedded.texts,
                    embedded.seconds,
                    embedded.texts as f64 / embedded.seconds.max(1e-9),
                    embedded.reused
                );
            }
            Some(semantic)
        }
        Err(e) => {
            tracing::warn!("semantic matching is off, /ask matches words only: {e}");
            None
        }
    }
}
