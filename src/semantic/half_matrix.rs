//! A weight matrix stored in half precision, multiplied by rows of f32
//! activations with f32 sums.
//!
//! Embedding a short query reads every weight of the model once, so its speed
//! is the memory's: half-precision storage halves what is read (21 MB instead of
//! 42 MB for all-MiniLM-L6-v2) at a cost of about 1e-4 in the vectors. The
//! weights are laid out in blocks of [`LANES`] outputs, each block input-major,
//! so a product streams through memory in order. x86-64 CPUs with AVX2, FMA and
//! F16C take the vector path; others the portable one.

use half::f16;

/// Outputs per block: two vectors of eight f32.
const LANES: usize = 16;
/// Activation rows per pass over a block (eight accumulators in registers).
const ROWS: usize = 4;

pub struct HalfMatrix {
    /// `[outputs / LANES][inputs][LANES]` f16 bits, the last block padded with 0.
    blocks: Vec<u16>,
    inputs: usize,
    outputs: usize,
}

impl HalfMatrix {
    /// From f32 weights laid out inputs × outputs (row `k` holds every output's
    /// weight for input `k`).
    pub fn new(weights: &[f32], inputs: usize, outputs: usize) -> HalfMatrix {
        assert_eq!(weights.len(), inputs * outputs, "weight matrix size");
        let block_count = outputs.div_ceil(LANES);
        let mut blocks = vec![0u16; block_count * inputs * LANES];
        for k in 0..inputs {
            for o in 0..outputs {
                let at = (o / LANES) * inputs * LANES + k * LANES + o % LANES;
                blocks[at] = f16::from_f32(weights[k * outputs + o]).to_bits();
            }
        }
        HalfMatrix {
            blocks,
            inputs,
            outputs,
        }
    }

    /// `out[r] += x[r] · self` for `rows` rows (`x` is rows × inputs, `out`
    /// rows × outputs).
    pub fn mul_add(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        assert_eq!(x.len(), rows * self.inputs, "activation size");
        assert_eq!(out.len(), rows * self.outputs, "output size");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            // SAFETY: the CPU has the features the function is compiled for, and
            // the sizes were checked above.
            unsafe { x86::mul_add(self, x, rows, out) };
            return;
        }
        self.mul_add_portable(x, rows, out);
    }

    fn mul_add_portable(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        let weights: Vec<f32> = self
            .blocks
            .iter()
            .map(|&bits| f16::from_bits(bits).to_f32())
            .collect();
        for (b, block) in weights.chunks_exact(self.inputs * LANES).enumerate() {
            let first = b * LANES;
            let width = LANES.min(self.outputs - first);
            for r in 0..rows {
                let mut sums = [0.0f32; LANES];
                for (k, w) in block.chunks_exact(LANES).enumerate() {
                    let v = x[r * self.inputs + k];
                    for (s, w) in sums.iter_mut().zip(w) {
                        *s += v * w;
                    }
                }
                let row = &mut out[r * self.outputs + first..r * self.outputs + first + width];
                for (o, s) in row.iter_mut().zip(sums) {
                    *o += s;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{HalfMatrix, LANES, ROWS};

    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn mul_add(m: &HalfMatrix, x: &[f32], rows: usize, out: &mut [f32]) {
        for (b, block) in m.blocks.chunks_exact(m.inputs * LANES).enumerate() {
            let mut r = 0;
            while r < rows {
                let n = (rows - r).min(ROWS);
                // SAFETY: rows r..r + n exist in x and out (sizes checked by the caller).
                unsafe {
                    match n {
                        4 => pass::<4>(m, block, b, x, r, out),
                        3 => pass::<3>(m, block, b, x, r, out),
                        2 => pass::<2>(m, block, b, x, r, out),
                        _ => pass::<1>(m, block, b, x, r, out),
                    }
                }
                r += n;
            }
        }
    }

    /// Rows `r..r + N` times one block of outputs.
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn pass<const N: usize>(
        m: &HalfMatrix,
        block: &[u16],
        b: usize,
        x: &[f32],
        r: usize,
        out: &mut [f32],
    ) {
        let mut low = [_mm256_setzero_ps(); N];
        let mut high = [_mm256_setzero_ps(); N];
        let weights = block.as_ptr();
        let rows = &x[r * m.inputs..(r + N) * m.inputs];
        let inputs = rows.as_ptr();
        for k in 0..m.inputs {
            // SAFETY: the block holds inputs × LANES values; row r + i of x
            // holds `inputs` values.
            unsafe {
                let w = weights.add(k * LANES);
                let w_low = _mm256_cvtph_ps(_mm_loadu_si128(w.cast()));
                let w_high = _mm256_cvtph_ps(_mm_loadu_si128(w.add(8).cast()));
                for i in 0..N {
                    let v = _mm256_set1_ps(*inputs.add(i * m.inputs + k));
                    low[i] = _mm256_fmadd_ps(v, w_low, low[i]);
                    high[i] = _mm256_fmadd_ps(v, w_high, high[i]);
                }
            }
        }
        let first = b * LANES;
        let width = LANES.min(m.outputs - first);
        for i in 0..N {
            let mut sums = [0.0f32; LANES];
            // SAFETY: sums holds 16 f32.
            unsafe {
                _mm256_storeu_ps(sums.as_mut_ptr(), low[i]);
                _mm256_storeu_ps(sums.as_mut_ptr().add(8), high[i]);
            }
            let at = (r + i) * m.outputs + first;
            for (o, s) in out[at..at + width].iter_mut().zip(sums) {
                *o += s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector path and the portable one agree with a plain f32 product of
    /// the rounded weights, for sizes that leave partial blocks and row groups.
    #[test]
    fn products_match_plain_arithmetic() {
        let (inputs, outputs, rows) = (37, 45, 7);
        let weights: Vec<f32> = (0..inputs * outputs)
            .map(|i| ((i * 7919) % 113) as f32 / 113.0 - 0.5)
            .collect();
        let x: Vec<f32> = (0..rows * inputs)
            .map(|i| ((i * 104_729) % 97) as f32 / 97.0 - 0.5)
            .collect();
        let m = HalfMatrix::new(&weights, inputs, outputs);
        let mut want = vec![1.0f32; rows * outputs];
        for r in 0..rows {
            for o in 0..outputs {
                for k in 0..inputs {
                    let w = f16::from_f32(weights[k * outputs + o]).to_f32();
                    want[r * outputs + o] += x[r * inputs + k] * w;
                }
            }
        }
        let mut fast = vec![1.0f32; rows * outputs];
        m.mul_add(&x, rows, &mut fast);
        let mut portable = vec![1.0f32; rows * outputs];
        m.mul_add_portable(&x, rows, &mut portable);
        for ((w, f), p) in want.iter().zip(&fast).zip(&portable) {
            assert!((w - f).abs() < 1e-4, "vector path {f} vs {w}");
            assert!((w - p).abs() < 1e-4, "portable path {p} vs {w}");
        }
    }
}
