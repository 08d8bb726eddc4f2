//! The BERT encoder of the embedding model, written out for the CPU: token ids
//! in, the mean of the last layer's token states out.
//!
//! No text is padded and none needs an attention mask, so a query of ten tokens
//! costs ten rows of work. The dense layers' weights are kept in half precision
//! ([`HalfMatrix`]), with the query, key and value projections fused into one
//! product. Several texts can go through one pass together
//! ([`Encoder::mean_states`]): their token rows are stacked through the dense
//! layers, which read every weight once for all of them (what a short query
//! costs is mostly that read), while attention and the mean stay within each
//! text; each text's state is the same as alone. Long texts (the bank's) are
//! rather spread over threads by the caller, one text per thread.

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

/// One tokenized text: its token ids and token type ids (missing type ids are 0).
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    pub ids: &'a [u32],
    pub type_ids: &'a [u32],
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

    /// Why `tokens` cannot be run: none, more than the model's positions, or an
    /// id (or type id) beyond the vocabulary.
    pub fn check(&self, tokens: Tokens<'_>) -> Result<(), String> {
        let count = tokens.ids.len();
        if count == 0 || count > self.config.max_position_embeddings {
            return Err(format!(
                "{count} tokens; the model takes 1 to {}",
                self.config.max_position_embeddings
            ));
        }
        for (position, &id) in tokens.ids.iter().enumerate() {
            let kind = tokens.type_ids.get(position).copied().unwrap_or(0) as usize;
            if id as usize >= self.config.vocab_size || kind >= self.config.type_vocab_size {
                return Err(format!(
                    "token {id} (type {kind}) is outside the vocabulary"
                ));
            }
        }
        Ok(())
    }

    /// The mean of the last layer's token states for one tokenized text (not yet
    /// unit length). Ids beyond the vocabulary are an error, never a panic.
    pub fn mean_state(
        &self,
        tokens: Tokens<'_>,
        scratch: &mut Scratch,
    ) -> Result<Vec<f32>, String> {
        let mut states = self.mean_states(&[tokens], scratch)?;
        Ok(states.remove(0))
    }

    /// [`Encoder::mean_state`] of several texts in one pass over the weights:
    /// their token rows are stacked through every dense layer, while attention
    /// and the mean stay within each text (no padding, no mask). Each text's
    /// numbers go through the very operations, in the same order, as when it
    /// is run alone, so its state is the same. Any text that
    /// [`Encoder::check`] refuses makes the whole call an error: check them
    /// first to run the others.
    pub fn mean_states(
        &self,
        texts: &[Tokens<'_>],
        scratch: &mut Scratch,
    ) -> Result<Vec<Vec<f32>>, String> {
        for &tokens in texts {
            self.check(tokens)?;
        }
        let h = self.config.hidden_size;
        let lengths: Vec<usize> = texts.iter().map(|t| t.ids.len()).collect();
        let rows: usize = lengths.iter().sum();
        scratch.hidden.clear();
        for &tokens in texts {
            self.embed_tokens(tokens, &mut scratch.hidden);
        }
        self.embedding_norm.apply(&mut scratch.hidden);
        for layer in &self.layers {
            self.run_layer(layer, rows, &lengths, scratch);
        }
        let mut means = Vec::with_capacity(texts.len());
        let mut first = 0;
        for &length in &lengths {
            let mut mean = vec![0.0f32; h];
            for row in scratch.hidden[first * h..(first + length) * h].chunks_exact(h) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            for m in &mut mean {
                *m /= length as f32;
            }
            means.push(mean);
            first += length;
        }
        Ok(means)
    }

    /// Appends the embeddings of checked `tokens` (before the norm) to `out`.
    fn embed_tokens(&self, tokens: Tokens<'_>, out: &mut Vec<f32>) {
        let h = self.config.hidden_size;
        for (position, &id) in tokens.ids.iter().enumerate() {
            let id = id as usize;
            let kind = tokens.type_ids.get(position).copied().unwrap_or(0) as usize;
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
    }

    /// One layer over `tokens` rows: texts of `lengths` tokens, one after another.
    fn run_layer(&self, layer: &Layer, tokens: usize, lengths: &[usize], s: &mut Scratch) {
        layer.qkv.apply(&s.hidden, tokens, &mut s.qkv);
        s.context.clear();
        s.context.resize(tokens * self.config.hidden_size, 0.0);
        let mut first = 0;
        for &length in lengths {
            self.attend(first, length, s);
            first += length;
        }
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

    /// Scaled dot-product attention of every head among the `tokens` rows of one
    /// text starting at row `first`, from `qkv` into `context` (zeroed).
    fn attend(&self, first: usize, tokens: usize, s: &mut Scratch) {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let stride = 3 * h;
        let qkv = &s.qkv[first * stride..(first + tokens) * stride];
        let context = &mut s.context[first * h..(first + tokens) * h];
        let scores = &mut s.scores;
        scores.clear();
        scores.resize(tokens, 0.0);
        for head in 0..heads {
            let (q_at, k_at, v_at) = (head * d, h + head * d, 2 * h + head * d);
            for i in 0..tokens {
                let q = &qkv[i * stride + q_at..i * stride + q_at + d];
                for (j, score) in scores.iter_mut().enumerate() {
                    let k = &qkv[j * stride + k_at..j * stride + k_at + d];
                    *score = dot(q, k) * scale;
                }
                softmax(scores);
                let out = &mut context[i * h + head * d..i * h + head * d + d];
                for (j, p) in scores.iter().enumerate() {
                    let v = &qkv[j * stride + v_at..j * stride + v_at + d];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A small BERT with made-up weights. Widths not multiples of the weight
    /// blocks (16 outputs), so the padded last block is exercised too.
    fn encoder() -> Encoder {
        let config = BertConfig {
            vocab_size: 50,
            hidden_size: 40,
            num_hidden_layers: 2,
            num_attention_heads: 4,
            intermediate_size: 72,
            max_position_embeddings: 64,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            hidden_act: "gelu".into(),
        };
        let mut seed = 0x9e37_79b9_u32;
        let mut values = |n: usize, scale: f32| -> Vec<f32> {
            (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    (seed as f32 / u32::MAX as f32 - 0.5) * scale
                })
                .collect()
        };
        let (h, inner) = (config.hidden_size, config.intermediate_size);
        let mut linear = |inputs: usize, outputs: usize| Linear {
            weight: HalfMatrix::new(&values(inputs * outputs, 0.4), inputs, outputs),
            bias: values(outputs, 0.1),
        };
        let norm = || Norm {
            weight: vec![1.0; h],
            bias: vec![0.0; h],
            eps: 1e-12,
        };
        let layers = (0..config.num_hidden_layers)
            .map(|_| Layer {
                qkv: linear(h, 3 * h),
                attention_out: linear(h, h),
                attention_norm: norm(),
                intermediate: linear(h, inner),
                output: linear(inner, h),
                output_norm: norm(),
            })
            .collect();
        Encoder {
            word: values(config.vocab_size * h, 2.0),
            position: values(config.max_position_embeddings * h, 2.0),
            token_type: values(config.type_vocab_size * h, 2.0),
            embedding_norm: norm(),
            layers,
            config,
        }
    }

    /// Texts of 1 to 13 tokens, so row groups of the matrix kernel (4 rows)
    /// straddle texts.
    fn texts() -> Vec<(Vec<u32>, Vec<u32>)> {
        [1usize, 2, 3, 5, 7, 9, 13, 4, 1, 6]
            .iter()
            .enumerate()
            .map(|(t, &n)| {
                let ids = (0..n).map(|i| ((t * 31 + i * 7) % 50) as u32).collect();
                (ids, vec![(t % 2) as u32; n])
            })
            .collect()
    }

    fn tokens(text: &(Vec<u32>, Vec<u32>)) -> Tokens<'_> {
        Tokens {
            ids: &text.0,
            type_ids: &text.1,
        }
    }

    /// Texts embedded together give the vectors they give alone (within 1e-5;
    /// in fact the same numbers, as every text goes through the same
    /// operations in the same order).
    #[test]
    fn a_batch_gives_each_text_its_own_state() {
        let encoder = encoder();
        let texts = texts();
        let alone: Vec<Vec<f32>> = texts
            .iter()
            .map(|t| {
                encoder
                    .mean_state(tokens(t), &mut Scratch::default())
                    .unwrap()
            })
            .collect();
        let batch: Vec<Tokens<'_>> = texts.iter().map(tokens).collect();
        let mut scratch = Scratch::default();
        let together = encoder.mean_states(&batch, &mut scratch).unwrap();
        assert_eq!(together.len(), texts.len());
        for (i, (a, b)) in alone.iter().zip(&together).enumerate() {
            let worst = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f32::max);
            assert!(worst <= 1e-5, "text {i}: differs by {worst:e}");
            assert_eq!(a, b, "text {i}");
        }
        // The scratch buffers of a bigger batch do not leak into a smaller one.
        let again = encoder.mean_states(&batch[3..5], &mut scratch).unwrap();
        assert_eq!(again, together[3..5]);
        // The states differ from text to text: the check can see a mix-up.
        assert_ne!(together[0], together[1]);
    }

    #[test]
    fn a_text_the_model_cannot_take_is_an_error_for_the_batch() {
        let encoder = encoder();
        let texts = texts();
        let empty = (Vec::new(), Vec::new());
        let unknown = (vec![3, 50], vec![0, 0]);
        for bad in [&empty, &unknown] {
            assert!(encoder.check(tokens(bad)).is_err());
            let batch = [tokens(&texts[0]), tokens(bad)];
            assert!(
                encoder
                    .mean_states(&batch, &mut Scratch::default())
                    .is_err()
            );
        }
        assert!(encoder.check(tokens(&texts[0])).is_ok());
    }
}
