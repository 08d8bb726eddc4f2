//! The BERT encoder of the embedding model, written out for one text at a time on
//! the CPU: token ids in, the mean of the last layer's token states out.
//!
//! One text needs no padding and no attention mask, so a query of ten tokens
//! costs ten rows of work. The dense layers' weights are kept in half precision
//! ([`HalfMatrix`]), with the query, key and value projections fused into one
//! product. Several texts are spread over threads by the caller, one text per
//! thread.

use safetensors::{Dtype, SafeTensors};

use super::half_matrix::HalfMatrix;
use serde::Deserialize;

/// The parts of a BERT `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub hidden_act: String,
}

fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".to_string()
}

impl BertConfig {
    /// Why this configuration cannot be run, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.hidden_size == 0 || self.num_attention_heads == 0 {
            return Err("hidden_size and num_attention_heads must be above 0".into());
        }
        if self.hidden_size % self.num_attention_heads != 0 {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.hidden_act != "gelu" {
            return Err(format!(
                "hidden_act `{}` is not supported (only gelu)",
                self.hidden_act
            ));
        }
        Ok(())
    }
}

/// A dense layer: `x · weight + bias`, the weight stored inputs × outputs in
/// half precision.
struct Linear {
    weight: HalfMatrix,
    bias: Vec<f32>,
}

impl Linear {
    /// `out = x · weight + bias` for `rows` rows of `x`.
    fn apply(&self, x: &[f32], rows: usize, out: &mut Vec<f32>) {
        out.clear();
        for _ in 0..rows {
            out.extend_from_slice(&self.bias);
        }
        self.weight.mul_add(x, rows, out);
    }
}

/// Layer normalization over each row.
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn apply(&self, x: &mut [f32]) {
        let width = self.weight.len();
        for row in x.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let scale = 1.0 / (variance + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * scale * w + b;
            }
        }
    }
}

struct Layer {
    /// Query, key and value projections side by side (hidden × 3·hidden).
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

/// Buffers reused across the layers of one forward pass.
#[derive(Default)]
pub struct Scratch {
    hidden: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    intermediate: Vec<f32>,
    scores: Vec<f32>,
}

/// The loaded encoder weights.
pub struct Encoder {
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    config: BertConfig,
}

impl Encoder {
    /// Reads the weights from a safetensors file's bytes; the error says which
    /// tensor is missing or has the wrong shape.
    pub fn from_safetensors(bytes: &[u8], config: &BertConfig) -> Result<Encoder, String> {
        config.check()?;
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        let prefix = if tensors.names().iter().any(|n| n.starts_with("bert.")) {
            "bert."
        } else {
            ""
        };
        let get = |name: &str, shape: &[usize]| -> Result<Vec<f32>, String> {
            let full = format!("{prefix}{name}");
            let view = tensors
                .tensor(&full)
                .map_err(|_| format!("no tensor {full}"))?;
            if view.shape() != shape {
                return Err(format!(
                    "{full} has shape {:?}, config.json says {shape:?}",
                    view.shape()
                ));
            }
            if view.dtype() != Dtype::F32 {
                return Err(format!(
                    "{full} is {:?}; only F32 is supported",
                    view.dtype()
                ));
            }
            Ok(view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let h = config.hidden_size;
        let eps = config.layer_norm_eps as f32;
        let norm = |name: &str| -> Result<Norm, String> {
            Ok(Norm {
                weight: get(&format!("{name}.weight"), &[h])?,
                bias: get(&format!("{name}.bias"), &[h])?,
                eps,
            })
        };
        let linear = |names: &[&str], inputs: usize, outputs: usize| -> Result<Linear, String> {
            let mut weight = vec![0.0; inputs * names.len() * outputs];
            let mut bias = Vec::with_capacity(names.len() * outputs);
            let width = names.len() * outputs;
            for (part, name) in names.iter().enumerate() {
                let stored = get(&format!("{name}.weight"), &[outputs, inputs])?;
                for (o, row) in stored.chunks_exact(inputs).enumerate() {
                    for (i, value) in row.iter().enumerate() {
                        weight[i * width + part * outputs + o] = *value;
                    }
                }
                bias.extend(get(&format!("{name}.bias"), &[outputs])?);
            }
            Ok(Linear {
                weight: HalfMatrix::new(&weight, inputs, width),
                bias,
            })
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let at = |part: &str| format!("encoder.layer.{l}.{part}");
            layers.push(Layer {
                qkv: linear(
                    &[
                        &at("attention.self.query"),
                        &at("attention.self.key"),
                        &at("attention.self.value"),
                    ],
                    h,
                    h,
                )?,
                attention_out: linear(&[&at("attention.output.dense")], h, h)?,
                attention_norm: norm(&at("attention.output.LayerNorm"))?,
                intermediate: linear(&[&at("intermediate.dense")], h, config.intermediate_size)?,
                output: linear(&[&at("output.dense")], config.intermediate_size, h)?,
                output_norm: norm(&at("output.LayerNorm"))?,
            });
        }
        Ok(Encoder {
            word: get("embeddings.word_embeddings.weight", &[config.vocab_size, h])?,
            position: get(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type: get(
                "embeddings.token_type_embeddings.weight",
                &[config.type_vocab_size, h],
            )?,
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
            config: config.clone(),
        })
    }

    /// Length of the vectors it makes.
    pub fn hidden_size(&self) -> usize {
        self.config.hidden_size
    }

    /// The mean of the last layer's token states for one tokenized text (not yet
    /// unit length). Ids beyond the vocabulary are an error, never a panic.
    pub fn mean_state(
        &self,
        ids: &[u32],
        type_ids: &[u32],
        scratch: &mut Scratch,
    ) -> Result<Vec<f32>, String> {
        let h = self.config.hidden_size;
        let tokens = ids.len();
        if tokens == 0 || tokens > self.config.max_position_embeddings {
            return Err(format!(
                "{tokens} tokens; the model takes 1 to {}",
                self.config.max_position_embeddings
            ));
        }
        self.embed_tokens(ids, type_ids, &mut scratch.hidden)?;
        for layer in &self.layers {
            self.run_layer(layer, tokens, scratch);
        }
        let mut mean = vec![0.0f32; h];
        for row in scratch.hidden.chunks_exact(h) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        for m in &mut mean {
            *m /= tokens as f32;
        }
        Ok(mean)
    }

    fn embed_tokens(
        &self,
        ids: &[u32],
        type_ids: &[u32],
        out: &mut Vec<f32>,
    ) -> Result<(), String> {
        let h = self.config.hidden_size;
        out.clear();
        for (position, &id) in ids.iter().enumerate() {
            let id = id as usize;
            let kind = type_ids.get(position).copied().unwrap_or(0) as usize;
            if id >= self.config.vocab_size || kind >= self.config.type_vocab_size {
                return Err(format!(
                    "token {id} (type {kind}) is outside the vocabulary"
                ));
            }
            let word = &self.word[id * h..(id + 1) * h];
            let place = &self.position[position * h..(position + 1) * h];
            let kind = &self.token_type[kind * h..(kind + 1) * h];
            out.extend(
                word.iter()
                    .zip(place)
                    .zip(kind)
                    .map(|((w, p), k)| w + p + k),
            );
        }
        self.embedding_norm.apply(out);
        Ok(())
    }

    fn run_layer(&self, layer: &Layer, tokens: usize, s: &mut Scratch) {
        layer.qkv.apply(&s.hidden, tokens, &mut s.qkv);
        self.attend(tokens, s);
        layer
            .attention_out
            .apply(&s.context, tokens, &mut s.projected);
        add(&mut s.projected, &s.hidden);
        layer.attention_norm.apply(&mut s.projected);
        std::mem::swap(&mut s.hidden, &mut s.projected);

        layer
            .intermediate
            .apply(&s.hidden, tokens, &mut s.intermediate);
        for v in &mut s.intermediate {
            *v = gelu(*v);
        }
        layer
            .output
            .apply(&s.intermediate, tokens, &mut s.projected);
        add(&mut s.projected, &s.hidden);
        layer.output_norm.apply(&mut s.projected);
        std::mem::swap(&mut s.hidden, &mut s.projected);
    }

    /// Scaled dot-product attention of every head, from `qkv` into `context`.
    fn attend(&self, tokens: usize, s: &mut Scratch) {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let stride = 3 * h;
        s.context.clear();
        s.context.resize(tokens * h, 0.0);
        s.scores.resize(tokens, 0.0);
        for head in 0..heads {
            let (q_at, k_at, v_at) = (head * d, h + head * d, 2 * h + head * d);
            for i in 0..tokens {
                let q = &s.qkv[i * stride + q_at..i * stride + q_at + d];
                for (j, score) in s.scores.iter_mut().enumerate() {
                    let k = &s.qkv[j * stride + k_at..j * stride + k_at + d];
                    *score = dot(q, k) * scale;
                }
                softmax(&mut s.scores);
                let out = &mut s.context[i * h + head * d..i * h + head * d + d];
                for (j, p) in s.scores.iter().enumerate() {
                    let v = &s.qkv[j * stride + v_at..j * stride + v_at + d];
                    for (o, x) in out.iter_mut().zip(v) {
                        *o += p * x;
                    }
                }
            }
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn add(into: &mut [f32], other: &[f32]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

/// BERT's exact GELU: x · Φ(x).
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * std::f32::consts::FRAC_1_SQRT_2))
}
