//! The BERT encoder (`src/semantic/encoder.rs`: half-precision dense weights, an
//! AVX2 kernel, one text at a time) checked in every `cargo test` without the
//! 90 MB model: a tiny BERT made for the test (`common::write_tiny_model`) is
//! loaded through the public API as the product loads a model
//! (`semantic::Model::load`), and its vectors are compared with a plain f64 BERT
//! forward pass written here, fed token ids from the `tokenizers` crate directly.
//! Also: texts over 256 tokens are cut there, [CLS] and [SEP] included, and batch
//! and single embeddings are identical. The check against the real model's
//! reference vectors is `tests/semantic.rs` (it needs the model, so CI).

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{TINY_HEADS, TINY_HIDDEN, TINY_LAYER_NORM_EPS, TINY_LAYERS};
use interview_bot::semantic::Model;
use safetensors::{Dtype, SafeTensors};
use tokenizers::Tokenizer;

/// The product's documented limit: longer texts are cut to this many tokens,
/// [CLS] and [SEP] included (`MAX_TOKENS` in `src/semantic/model.rs`).
const MAX_TOKENS: usize = 256;

/// Largest difference allowed in any component of a unit vector between the
/// product and the reference. The reference multiplies by the same
/// f16-rounded dense weights the product holds, so what remains is f32 against
/// f64 arithmetic: f32 carries about 7 significant digits (unit roundoff 6e-8),
/// sums run over at most 72 terms, and the layer norms and softmax amplify
/// errors a little, so components of about 0.2 should agree to a few 1e-7
/// (measured: at most 1.3e-7 on these texts). 2e-6 leaves some 15 times that,
/// and is still about 100 times below what rounding the weights to f16 alone
/// moves the components (1.3e-4 to 2.7e-4, checked by
/// [`the_tolerance_can_see_f16_rounding`]), so a real mistake in the forward
/// pass cannot hide inside it.
const TOLERANCE: f64 = 2e-6;

const TEXTS: &[&str] = &[
    "How does a TCP handshake work?",
    "Docker containers: run an image, list the ports!",
    "CAFÉ networking is unknownish (zebra) -- what's 1/2?",
    "docker",
    "",
    "Why does the handshake take three steps? The client, the server: a request, \
     then data after the port is known.",
];

/// A BERT forward pass written for clarity, in f64: the weights as stored in
/// `model.safetensors` (the encoder layers' matrices optionally rounded to f16,
/// as the product holds them), the token ids from the tokenizer file.
struct Reference {
    tensors: HashMap<String, Vec<f64>>,
    tokenizer: Tokenizer,
    sep: u32,
}

impl Reference {
    fn load(dir: &Path, round_dense_to_f16: bool) -> Reference {
        let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let mut tensors = HashMap::new();
        for (name, view) in file.tensors() {
            assert_eq!(view.dtype(), Dtype::F32, "{name}");
            let dense = name.starts_with("encoder.") && view.shape().len() == 2;
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| {
                    let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    if dense && round_dense_to_f16 {
                        half::f16::from_f32(v).to_f64()
                    } else {
                        f64::from(v)
                    }
                })
                .collect();
            tensors.insert(name, values);
        }
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).unwrap();
        let sep = tokenizer.token_to_id("[SEP]").unwrap();
        Reference {
            tensors,
            tokenizer,
            sep,
        }
    }

    fn tensor(&self, name: &str) -> &[f64] {
        self.tensors
            .get(name)
            .unwrap_or_else(|| panic!("no tensor {name}"))
    }

    /// The token ids of `text`, [CLS] … [SEP], cut to [`MAX_TOKENS`] by keeping
    /// the first tokens and ending with [SEP].
    fn ids(&self, text: &str) -> Vec<u32> {
        let mut ids = self
            .tokenizer
            .encode(text, true)
            .unwrap()
            .get_ids()
            .to_vec();
        if ids.len() > MAX_TOKENS {
            ids.truncate(MAX_TOKENS - 1);
            ids.push(self.sep);
        }
        ids
    }

    fn embed(&self, text: &str) -> Vec<f64> {
        self.forward(&self.ids(text))
    }

    /// `x · Wᵀ + b` for each row, with `W` stored outputs × inputs (PyTorch's
    /// `Linear`).
    fn linear(&self, name: &str, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let weight = self.tensor(&format!("{name}.weight"));
        let bias = self.tensor(&format!("{name}.bias"));
        let inputs = x[0].len();
        assert_eq!(weight.len(), bias.len() * inputs, "{name}");
        x.iter()
            .map(|row| {
                bias.iter()
                    .enumerate()
                    .map(|(o, b)| {
                        let w = &weight[o * inputs..(o + 1) * inputs];
                        b + row.iter().zip(w).map(|(a, w)| a * w).sum::<f64>()
                    })
                    .collect()
            })
            .collect()
    }

    fn layer_norm(&self, name: &str, x: &mut [Vec<f64>]) {
        let gamma = self.tensor(&format!("{name}.weight"));
        let beta = self.tensor(&format!("{name}.bias"));
        for row in x {
            let n = row.len() as f64;
            let mean = row.iter().sum::<f64>() / n;
            let variance = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            for (i, v) in row.iter_mut().enumerate() {
                *v = (*v - mean) / (variance + TINY_LAYER_NORM_EPS).sqrt() * gamma[i] + beta[i];
            }
        }
    }

    fn forward(&self, ids: &[u32]) -> Vec<f64> {
        let h = TINY_HIDDEN;
        let row = |table: &str, i: usize| self.tensor(table)[i * h..(i + 1) * h].to_vec();
        // Embeddings: word + position + token type (all 0 for one text).
        let mut x: Vec<Vec<f64>> = ids
            .iter()
            .enumerate()
            .map(|(position, &id)| {
                let word = row("embeddings.word_embeddings.weight", id as usize);
                let place = row("embeddings.position_embeddings.weight", position);
                let kind = row("embeddings.token_type_embeddings.weight", 0);
                (0..h).map(|i| word[i] + place[i] + kind[i]).collect()
            })
            .collect();
        self.layer_norm("embeddings.LayerNorm", &mut x);

        let heads = TINY_HEADS;
        let d = h / heads;
        for l in 0..TINY_LAYERS {
            let at = |part: &str| format!("encoder.layer.{l}.{part}");
            let q = self.linear(&at("attention.self.query"), &x);
            let k = self.linear(&at("attention.self.key"), &x);
            let v = self.linear(&at("attention.self.value"), &x);
            let mut context = vec![vec![0.0; h]; ids.len()];
            for head in 0..heads {
                let cols = head * d..(head + 1) * d;
                for i in 0..ids.len() {
                    let scores: Vec<f64> = (0..ids.len())
                        .map(|j| {
                            cols.clone().map(|c| q[i][c] * k[j][c]).sum::<f64>() / (d as f64).sqrt()
                        })
                        .collect();
                    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                    let total: f64 = exps.iter().sum();
                    for c in cols.clone() {
                        context[i][c] = (0..ids.len()).map(|j| exps[j] / total * v[j][c]).sum();
                    }
                }
            }
            let mut attended = self.linear(&at("attention.output.dense"), &context);
            for (a, r) in attended.iter_mut().zip(&x) {
                for (a, r) in a.iter_mut().zip(r) {
                    *a += r;
                }
            }
            self.layer_norm(&at("attention.output.LayerNorm"), &mut attended);

            let mut inner = self.linear(&at("intermediate.dense"), &attended);
            for value in inner.iter_mut().flatten() {
                let z = *value;
                *value = 0.5 * z * (1.0 + libm::erf(z / std::f64::consts::SQRT_2));
            }
            let mut out = self.linear(&at("output.dense"), &inner);
            for (o, r) in out.iter_mut().zip(&attended) {
                for (o, r) in o.iter_mut().zip(r) {
                    *o += r;
                }
            }
            self.layer_norm(&at("output.LayerNorm"), &mut out);
            x = out;
        }
        // Mean pooling over every token, then unit length.
        let mut mean: Vec<f64> = (0..h)
            .map(|i| x.iter().map(|r| r[i]).sum::<f64>() / ids.len() as f64)
            .collect();
        let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        for v in &mut mean {
            *v /= norm;
        }
        mean
    }
}

/// Cosine and largest component difference of two unit vectors.
fn compare(product: &[f32], reference: &[f64]) -> (f64, f64) {
    assert_eq!(product.len(), reference.len());
    let cosine = product
        .iter()
        .zip(reference)
        .map(|(a, b)| f64::from(*a) * b)
        .sum();
    let worst = product
        .iter()
        .zip(reference)
        .map(|(a, b)| (f64::from(*a) - b).abs())
        .fold(0.0, f64::max);
    (cosine, worst)
}

fn tiny_model() -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().unwrap();
    common::write_tiny_model(dir.path());
    let model = Model::load(dir.path()).expect("the tiny model loads");
    assert_eq!(model.dimensions(), TINY_HIDDEN);
    (dir, model)
}

#[test]
fn vectors_match_a_plain_f64_bert() {
    let (dir, model) = tiny_model();
    let reference = Reference::load(dir.path(), true);
    for text in TEXTS {
        let ids = reference.ids(text);
        assert!(
            !text.is_empty() || ids.len() == 2,
            "an empty text is [CLS] [SEP]"
        );
        let product = model.embed_one(text).unwrap();
        let (cosine, worst) = compare(&product, &reference.embed(text));
        assert!(
            cosine >= 0.9999 && worst < TOLERANCE,
            "{text:?} ({} tokens): cosine {cosine}, largest difference {worst:e}",
            ids.len()
        );
    }
    // The words went through the tokenizer as BERT's would: lowercased, the
    // accent stripped, split into word pieces, unknown words as [UNK].
    let tokens = reference
        .tokenizer
        .encode(TEXTS[2], true)
        .unwrap()
        .get_tokens()
        .to_vec();
    for expected in [
        "cafe", "network", "##ing", "un", "##known", "##ish", "[UNK]",
    ] {
        assert!(
            tokens.iter().any(|t| t == expected),
            "{expected}: {tokens:?}"
        );
    }
}

/// The check is fine enough to see the product's one approximation, dense
/// weights held in f16: against a reference with unrounded weights every text
/// differs by well over [`TOLERANCE`] (yet little: cosine still ≥ 0.9999).
#[test]
fn the_tolerance_can_see_f16_rounding() {
    let (dir, model) = tiny_model();
    let unrounded = Reference::load(dir.path(), false);
    for text in TEXTS {
        let (cosine, worst) = compare(&model.embed_one(text).unwrap(), &unrounded.embed(text));
        assert!(cosine >= 0.9999, "{text:?}: cosine {cosine}");
        assert!(
            worst > 10.0 * TOLERANCE,
            "{text:?}: f16 rounding moved components by at most {worst:e}"
        );
    }
}

#[test]
fn long_texts_are_cut_at_256_tokens_with_cls_and_sep() {
    let (dir, model) = tiny_model();
    let reference = Reference::load(dir.path(), true);
    // Single-token words, so n words are n + 2 tokens.
    let pool = [
        "tcp", "udp", "port", "docker", "image", "server", "client", "data", "the", "api",
    ];
    let words = |n: usize| -> String {
        (0..n)
            .map(|i| pool[(i * 7 + i / 10) % pool.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let full = |n: usize| reference.tokenizer.encode(words(n), true).unwrap().len();
    assert_eq!(full(254), MAX_TOKENS);
    assert_eq!(full(400), 402);

    let at = |n: usize| model.embed_one(&words(n)).unwrap();
    let limit = at(254);
    assert_eq!(limit, at(255), "the 255th word is past the limit");
    assert_eq!(limit, at(400), "everything after the limit is dropped");
    assert_ne!(at(253), limit, "the 254th word is within the limit");

    let long = words(400);
    assert_eq!(reference.ids(&long).len(), MAX_TOKENS);
    assert_eq!(reference.ids(&long)[MAX_TOKENS - 1], reference.sep);
    let (cosine, worst) = compare(&at(400), &reference.embed(&long));
    assert!(
        cosine >= 0.9999 && worst < TOLERANCE,
        "cosine {cosine}, largest difference {worst:e}"
    );
    // Uncut, the text means something else: the cut is what makes them agree.
    let uncut = reference.tokenizer.encode(long.as_str(), true).unwrap();
    let (_, uncut_worst) = compare(&at(400), &reference.forward(uncut.get_ids()));
    assert!(uncut_worst > 100.0 * TOLERANCE, "{uncut_worst:e}");
}

#[test]
fn batch_and_single_embeddings_are_identical() {
    let (_dir, model) = tiny_model();
    let mut texts: Vec<&str> = TEXTS.to_vec();
    texts.extend(TEXTS);
    let batch = model.embed(&texts).unwrap();
    assert_eq!(batch.len(), texts.len());
    for (text, vector) in texts.iter().zip(&batch) {
        assert_eq!(vector, &model.embed_one(text).unwrap(), "{text:?}");
        let length: f32 = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((length - 1.0).abs() < 1e-5, "{text:?}: length {length}");
    }
}

/// Texts embedded together in one pass over the weights (`embed_batch`, what a
/// burst of `/ask`s uses) give the vectors they give alone, within 1e-5 (in
/// fact the same numbers); a text the model cannot take fails alone.
#[test]
fn texts_embedded_together_get_the_vectors_they_get_alone() {
    let (_dir, model) = tiny_model();
    let long = "tcp udp port docker image ".repeat(80);
    let mut texts: Vec<&str> = TEXTS.to_vec();
    texts.push(&long);
    texts.extend(TEXTS.iter().rev());
    let together = model.embed_batch(&texts);
    assert_eq!(together.len(), texts.len());
    for (text, vector) in texts.iter().zip(&together) {
        let vector = vector.as_ref().unwrap();
        let alone = model.embed_one(text).unwrap();
        let worst = vector
            .iter()
            .zip(&alone)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst <= 1e-5, "{text:?}: differs by {worst:e}");
        assert_eq!(vector, &alone, "{text:?}");
    }
    assert!(model.embed_batch(&[]).is_empty());
}
