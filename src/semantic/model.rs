//! The sentence-embedding model: all-MiniLM-L6-v2 (a 6-layer BERT) run on the CPU
//! by [`super::encoder`], its WordPiece tokenizer, and mean pooling into unit
//! vectors, as sentence-transformers computes them.
//!
//! A model directory holds `config.json`, `tokenizer.json` and `model.safetensors`
//! (see [`super::provision`]). Anything missing, unreadable or inconsistent is a
//! [`ModelError`] naming the file, never a panic.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokenizers::{Tokenizer, TruncationParams};

use super::encoder::{BertConfig, Encoder, Scratch, Tokens};

/// The files a model directory must have.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Longest input in tokens; longer texts are cut (sentence-transformers' setting
/// for this model).
const MAX_TOKENS: usize = 256; // keep PIPELINE in step

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{}: missing (install the model with `interview-bot model install`)", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {what}", path.display())]
    Broken { path: PathBuf, what: String },
    #[error("embedding failed: {0}")]
    Run(String),
}

/// A loaded model, ready to embed text.
pub struct Model {
    encoder: Encoder,
    tokenizer: Tokenizer,
    /// Names the weights, so vectors made by other weights are never mixed in.
    id: String,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.id)
            .field("dimensions", &self.dimensions())
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Loads the model in `dir`.
    pub fn load(dir: &Path) -> Result<Model, ModelError> {
        if !dir.is_dir() {
            return Err(ModelError::Missing {
                path: dir.to_path_buf(),
            });
        }
        let read = |name: &str| -> Result<Vec<u8>, ModelError> {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ModelError::Missing { path },
                _ => ModelError::Broken {
                    path,
                    what: e.to_string(),
                },
            })
        };
        let broken = |name: &str, what: String| ModelError::Broken {
            path: dir.join(name),
            what,
        };
        let config_bytes = read("config.json")?;
        let config: BertConfig = serde_json::from_slice(&config_bytes)
            .map_err(|e| broken("config.json", format!("not a BERT config: {e}")))?;
        config.check().map_err(|e| broken("config.json", e))?;
        let tokenizer_bytes = read("tokenizer.json")?;
        let tokenizer = tokenizer(
            &tokenizer_bytes,
            MAX_TOKENS.min(config.max_position_embeddings),
        )
        .map_err(|e| broken("tokenizer.json", format!("not a tokenizer: {e}")))?;
        let weights = read("model.safetensors")?;
        let id = weights_id(&[&config_bytes, &tokenizer_bytes, &weights]);
        let encoder = Encoder::from_safetensors(&weights, &config).map_err(|e| {
            broken(
                "model.safetensors",
                format!("weights do not fit config.json: {e}"),
            )
        })?;
        Ok(Model {
            encoder,
            tokenizer,
            id,
        })
    }

    /// A short name of these weights and tokenizer (a content hash).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Length of every vector.
    pub fn dimensions(&self) -> usize {
        self.encoder.hidden_size()
    }

    /// Unit vectors for `texts`, in order, one text per thread at a time on
    /// every core. Similar meaning gives a dot product near 1.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(texts.len())
            .max(1);
        let next = AtomicUsize::new(0);
        let done: Mutex<Vec<(usize, Vec<f32>)>> = Mutex::new(Vec::with_capacity(texts.len()));
        std::thread::scope(|scope| -> Result<(), ModelError> {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| -> Result<(), ModelError> {
                        let mut scratch = Scratch::default();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(text) = texts.get(i) else {
                                return Ok(());
                            };
                            let vector = self.embed_with(text, &mut scratch)?;
                            done.lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((i, vector));
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker
                    .join()
                    .map_err(|_| ModelError::Run("an embedding thread panicked".into()))??;
            }
            Ok(())
        })?;
        let mut done = done.into_inner().unwrap_or_else(|p| p.into_inner());
        done.sort_by_key(|(i, _)| *i);
        Ok(done.into_iter().map(|(_, vector)| vector).collect())
    }

    /// One query's vector, on the calling thread.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, ModelError> {
        self.embed_with(text, &mut Scratch::default())
    }

    /// Unit vectors of short texts (queries), in order, made together on the
    /// calling thread: one pass over the weights serves them all
    /// ([`Encoder::mean_states`]), where [`Model::embed_one`] makes a pass for
    /// each. Each vector is the one `embed_one` gives for its text; a text that
    /// cannot be embedded gets its own error and the others their vectors.
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Result<Vec<f32>, ModelError>> {
        let mut results: Vec<Result<Vec<f32>, ModelError>> = Vec::with_capacity(texts.len());
        let mut encodings = Vec::with_capacity(texts.len());
        // Which texts run (their place in `results`), and their encodings.
        let mut running = Vec::with_capacity(texts.len());
        for text in texts {
            let encoded = self
                .tokenizer
                .encode(*text, true)
                .map_err(|e| ModelError::Run(e.to_string()))
                .and_then(|encoding| {
                    self.encoder
                        .check(tokens(&encoding))
                        .map_err(ModelError::Run)
                        .map(|()| encoding)
                });
            match encoded {
                Ok(encoding) => {
                    running.push(results.len());
                    encodings.push(encoding);
                    results.push(Ok(Vec::new()));
                }
                Err(e) => results.push(Err(e)),
            }
        }
        let batch: Vec<Tokens<'_>> = encodings.iter().map(tokens).collect();
        match self.encoder.mean_states(&batch, &mut Scratch::default()) {
            Ok(states) => {
                for (at, state) in running.into_iter().zip(states) {
                    results[at] = Ok(unit(state));
                }
            }
            // Every text was checked, so this is not expected; each gets the error.
            Err(e) => {
                for at in running {
                    results[at] = Err(ModelError::Run(e.clone()));
                }
            }
        }
        results
    }

    fn embed_with(&self, text: &str, scratch: &mut Scratch) -> Result<Vec<f32>, ModelError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| ModelError::Run(e.to_string()))?;
        let state = self
            .encoder
            .mean_state(tokens(&encoding), scratch)
            .map_err(ModelError::Run)?;
        Ok(unit(state))
    }
}

/// The token ids and type ids of an encoding.
fn tokens(encoding: &tokenizers::Encoding) -> Tokens<'_> {
    Tokens {
        ids: encoding.get_ids(),
        type_ids: encoding.get_type_ids(),
    }
}

/// `vector` scaled to length 1.
fn unit(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    for v in &mut vector {
        *v /= norm;
    }
    vector
}

/// The shipped tokenizer pads every input to 128 tokens and cuts there; one text
/// at a time needs no padding, and an answer may use up to [`MAX_TOKENS`].
fn tokenizer(bytes: &[u8], max_tokens: usize) -> Result<Tokenizer, String> {
    let mut tokenizer = Tokenizer::from_bytes(bytes).map_err(|e| e.to_string())?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_tokens,
            ..Default::default()
        }))
        .map_err(|e| e.to_string())?;
    Ok(tokenizer)
}

/// How vectors are made from the model's output; part of the id, so changing it
/// never mixes old vectors with new ones.
const PIPELINE: &str = "mean-pooling;unit-length;max-tokens=256;dense-weights=f16";

fn weights_id(parts: &[&[u8]]) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(PIPELINE.as_bytes());
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    crate::bank::hex(&hasher.finalize())[..16].to_string()
}
