//! The sentence-embedding model: all-MiniLM-L6-v2 (a 6-layer BERT) run on the CPU
//! with candle, its WordPiece tokenizer, and mean pooling into unit vectors, as
//! sentence-transformers computes them.
//!
//! A model directory holds `config.json`, `tokenizer.json` and `model.safetensors`
//! (see [`super::provision`]). Anything missing, unreadable or inconsistent is a
//! [`ModelError`] naming the file, never a panic.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// The files a model directory must have.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Longest input in tokens; longer texts are cut (sentence-transformers' setting
/// for this model).
const MAX_TOKENS: usize = 256; // keep PIPELINE in step
/// Texts embedded in one forward pass.
const BATCH: usize = 32;

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
    bert: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    /// Names the weights, so vectors made by other weights are never mixed in.
    id: String,
    dimensions: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.id)
            .field("dimensions", &self.dimensions)
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
        let config: Config = serde_json::from_slice(&config_bytes)
            .map_err(|e| broken("config.json", format!("not a BERT config: {e}")))?;
        let dimensions = config.hidden_size;
        if dimensions == 0 {
            return Err(broken("config.json", "hidden_size is 0".into()));
        }
        let tokenizer_bytes = read("tokenizer.json")?;
        let tokenizer = tokenizer(&tokenizer_bytes)
            .map_err(|e| broken("tokenizer.json", format!("not a tokenizer: {e}")))?;
        let weights = read("model.safetensors")?;
        let id = weights_id(&[&config_bytes, &tokenizer_bytes, &weights]);
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|e| broken("model.safetensors", format!("not safetensors: {e}")))?;
        let bert = BertModel::load(vb, &config).map_err(|e| {
            broken(
                "model.safetensors",
                format!("weights do not fit config.json: {e}"),
            )
        })?;
        Ok(Model {
            bert,
            tokenizer,
            device,
            id,
            dimensions,
        })
    }

    /// A short name of these weights and tokenizer (a content hash).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Length of every vector.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Unit vectors for `texts`, in order. Similar meaning gives a dot product
    /// near 1.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        // Batches of similar length waste less work on padding.
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, vector) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    /// One query's vector.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, ModelError> {
        let mut vectors = self.embed_batch(&[text])?;
        vectors
            .pop()
            .ok_or_else(|| ModelError::Run("no output".into()))
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let run = |e: &dyn std::fmt::Display| ModelError::Run(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| run(&e))?;
        let rows = encodings.len();
        let width = encodings.first().map_or(0, |e| e.get_ids().len());
        let flat = |part: fn(&tokenizers::Encoding) -> &[u32]| -> Vec<u32> {
            encodings.iter().flat_map(|e| part(e).to_vec()).collect()
        };
        let tensor = |values: Vec<u32>| {
            Tensor::from_vec(values, (rows, width), &self.device).map_err(|e| run(&e))
        };
        let ids = tensor(flat(tokenizers::Encoding::get_ids))?;
        let types = tensor(flat(tokenizers::Encoding::get_type_ids))?;
        let mask = tensor(flat(tokenizers::Encoding::get_attention_mask))?;
        let pooled = (|| -> candle_core::Result<Vec<Vec<f32>>> {
            let hidden = self.bert.forward(&ids, &types, Some(&mask))?;
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9, f32::MAX)?;
            let mean = summed.broadcast_div(&counts)?;
            let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
            mean.broadcast_div(&norms)?.to_vec2::<f32>()
        })();
        pooled.map_err(|e| run(&e))
    }
}

/// The shipped tokenizer pads every input to 128 tokens and cuts there; a query
/// needs no padding and an answer may use up to [`MAX_TOKENS`].
fn tokenizer(bytes: &[u8]) -> Result<Tokenizer, String> {
    let mut tokenizer = Tokenizer::from_bytes(bytes).map_err(|e| e.to_string())?;
    tokenizer.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::BatchLongest,
        ..Default::default()
    }));
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: MAX_TOKENS,
            ..Default::default()
        }))
        .map_err(|e| e.to_string())?;
    Ok(tokenizer)
}

/// How vectors are made from the model's output; part of the id, so changing it
/// never mixes old vectors with new ones.
const PIPELINE: &str = "mean-pooling;unit-length;max-tokens=256";

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
