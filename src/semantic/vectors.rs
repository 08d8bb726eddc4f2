//! The embedding cache beside the search index: `index/vectors-<model id>.bin`
//! maps the hash of a text to its vector, so re-indexing embeds only texts that
//! changed, and a restart embeds nothing.
//!
//! File layout (little endian): the magic line, the vector length (u32), the count
//! (u64), then per vector a 16-byte text hash and the floats. Files are written
//! whole to a temporary name and renamed, so concurrent writers each leave a
//! complete file; an unreadable or truncated file counts as empty.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::model::{Model, ModelError};
use crate::progress::{Progress, Unit};

const MAGIC: &[u8; 8] = b"IBVEC01\n";
const PREFIX: &str = "vectors-";
/// Embedding this many texts or more shows a progress bar.
const PROGRESS_FROM: usize = 200;
/// Texts embedded between progress updates.
const STEP: usize = 64;
/// A temporary file this old was left by a process that died while writing.
const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(600);

pub(crate) type Key = [u8; 16];

/// The hash a text's vector is kept under.
pub(crate) fn key(text: &str) -> Key {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Vectors of one model, by text hash.
pub(crate) struct VectorCache {
    /// None: nothing is read or kept.
    path: Option<PathBuf>,
    dimensions: usize,
    vectors: HashMap<Key, Vec<f32>>,
}

/// What filling the cache did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Embedded {
    /// Distinct texts embedded now.
    pub texts: usize,
    /// Distinct texts whose vectors were cached.
    pub reused: usize,
    pub seconds: f64,
}

impl VectorCache {
    /// The cache for `model` in `dir` (empty when there is none yet; without a
    /// directory, one that keeps nothing).
    pub fn open(dir: Option<&Path>, model: &Model) -> VectorCache {
        let path = dir.map(|dir| dir.join(format!("{PREFIX}{}.bin", model.id())));
        let vectors = match &path {
            None => HashMap::new(),
            Some(path) => read(path, model.dimensions()).unwrap_or_else(|e| {
                if path.exists() {
                    tracing::warn!("ignoring embedding cache {}: {e}", path.display());
                }
                HashMap::new()
            }),
        };
        VectorCache {
            path,
            dimensions: model.dimensions(),
            vectors,
        }
    }

    /// Keeps `vector` as the vector of `text` (made earlier by the same model).
    pub fn insert(&mut self, text: &str, vector: Vec<f32>) {
        self.vectors.insert(key(text), vector);
    }

    pub fn get(&self, text: &str) -> Option<&[f32]> {
        self.vectors.get(&key(text)).map(Vec::as_slice)
    }

    /// Embeds the `texts` not cached yet.
    pub fn fill(&mut self, model: &Model, texts: &[&str]) -> Result<Embedded, ModelError> {
        let started = Instant::now();
        let mut seen = HashSet::new();
        let distinct: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| seen.insert(key(t)))
            .collect();
        let missing: Vec<&str> = distinct
            .iter()
            .copied()
            .filter(|t| !self.vectors.contains_key(&key(t)))
            .collect();
        let progress = match missing.len() < PROGRESS_FROM {
            true => Progress::hidden(),
            false => Progress::new("embedding the bank", missing.len() as u64, Unit::Texts),
        };
        for chunk in missing.chunks(STEP) {
            let vectors = model.embed(chunk).inspect_err(|_| progress.finish(false))?;
            for (text, vector) in chunk.iter().zip(vectors) {
                self.vectors.insert(key(text), vector);
            }
            progress.inc(chunk.len() as u64);
        }
        progress.finish(true);
        Ok(Embedded {
            texts: missing.len(),
            reused: distinct.len() - missing.len(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Writes the vectors of `texts` (and no others) to disk, and removes the
    /// caches of other models. Failing to write only costs time at the next start.
    pub fn save(&self, texts: &[&str]) {
        self.save_only(texts);
        if let Some(path) = &self.path {
            remove_other_models(path);
        }
    }

    /// Writes the vectors of `texts` (and no others) to disk.
    pub fn save_only(&self, texts: &[&str]) {
        let Some(path) = &self.path else { return };
        let keep: HashSet<Key> = texts.iter().map(|t| key(t)).collect();
        if let Err(e) = self.write(path, &keep) {
            tracing::warn!(
                "cannot keep embeddings in {} ({e}); they will be computed again at the next start",
                path.display()
            );
        }
    }

    fn write(&self, path: &Path, keep: &HashSet<Key>) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temporary =
            path.with_extension(format!("tmp-{}-{}", std::process::id(), fastrand::u64(..)));
        let written = (|| {
            let mut out = BufWriter::new(std::fs::File::create(&temporary)?);
            out.write_all(MAGIC)?;
            out.write_all(&(self.dimensions as u32).to_le_bytes())?;
            let kept: Vec<(&Key, &Vec<f32>)> = self
                .vectors
                .iter()
                .filter(|(k, _)| keep.contains(*k))
                .collect();
            out.write_all(&(kept.len() as u64).to_le_bytes())?;
            for (k, vector) in kept {
                out.write_all(k)?;
                for value in vector {
                    out.write_all(&value.to_le_bytes())?;
                }
            }
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

fn read(path: &Path, dimensions: usize) -> Result<HashMap<Key, Vec<f32>>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let rest = bytes.strip_prefix(MAGIC).ok_or("not an embedding cache")?;
    let (dims, rest) = rest.split_at_checked(4).ok_or("truncated")?;
    let (count, mut rest) = rest.split_at_checked(8).ok_or("truncated")?;
    let dims = u32::from_le_bytes(dims.try_into().map_err(|_| "truncated")?) as usize;
    if dims != dimensions {
        return Err(format!(
            "vectors of {dims} numbers, the model makes {dimensions}"
        ));
    }
    let count = u64::from_le_bytes(count.try_into().map_err(|_| "truncated")?) as usize;
    let record = 16 + 4 * dims;
    if rest.len() != count.saturating_mul(record) {
        return Err("truncated".into());
    }
    let mut vectors = HashMap::with_capacity(count);
    while let Some((one, more)) = rest.split_at_checked(record) {
        let (k, values) = one.split_at(16);
        let vector = values
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        vectors.insert(k.try_into().map_err(|_| "truncated")?, vector);
        rest = more;
    }
    Ok(vectors)
}

/// Caches are per model; those of other models are dead weight, and so are
/// temporary files a killed process left (older than [`STALE_TEMPORARY`]).
fn remove_other_models(current: &Path) {
    let Some(dir) = current.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let other_model = name.ends_with(".bin") && path != current;
        let stale = name.contains(".tmp-") && crate::files::older_than(&entry, STALE_TEMPORARY);
        if name.starts_with(PREFIX) && (other_model || stale) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
