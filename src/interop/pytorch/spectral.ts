/**
 * Spectral-norm state of official checkpoints, on PyTorch-layout values (float64 accumulation):
 * - folding (weight_orig, weight_u, weight_v) into the weight PyTorch uses in eval mode,
 *   W / σ with σ = uᵀ·mat(W)·v and the stored u, v (no power iteration in eval);
 * - the weight_v that a pre-1.0 checkpoint lacks (it stored weight_orig, weight_u and the
 *   normalised `weight`): v = σ·mat(W)ᵀu / ‖mat(W)ᵀu‖², with σ the least-squares ratio of
 *   weight_orig to weight. Then uᵀ·mat(W)·v = σ, so eval gives exactly the stored weight, and a
 *   training step's first power iteration (v ← normalize(mat(W)ᵀu)) proceeds as PyTorch's would.
 * mat(W) is W with the spectral-norm dimension first: dim 0, or dim 1 for ConvTranspose2d.
 */
import type { OfficialKey } from '../../../nodes/contract.ts';
import { TorchCheckpointError } from './errors.ts';
import { permute } from './layout.ts';

/** mat(W) as a row-major [rows, cols] array. */
function weightMatrix(weight: Float32Array, shape: readonly number[], layout: OfficialKey['layout']): { rows: number; cols: number; data: Float32Array } {
  if (layout === 'conv2d-transpose') {
    const data = permute(weight, shape, [1, 0, 2, 3]);
    return { rows: shape[1], cols: weight.length / shape[1], data };
  }
  return { rows: shape[0], cols: weight.length / shape[0], data: weight };
}

/** The lengths of weight_u (rows of mat(W)) and weight_v (its columns) for a weight of PyTorch shape `shape`. */
export function spectralVectorLengths(shape: readonly number[], layout: OfficialKey['layout']): { u: number; v: number } {
  const rows = layout === 'conv2d-transpose' ? shape[1] : shape[0];
  const total = shape.reduce((n, d) => n * d, 1);
  return { u: rows, v: rows > 0 ? total / rows : 0 };
}

function check(length: number, expected: number, what: string): void {
  if (length !== expected) throw new TorchCheckpointError(`${what} has ${length} elements, the weight needs ${expected}`);
}

/** σ = uᵀ·mat(W)·v. */
export function spectralSigma(weight: Float32Array, shape: readonly number[], layout: OfficialKey['layout'], u: Float32Array, v: Float32Array, what: string): number {
  const m = weightMatrix(weight, shape, layout);
  check(u.length, m.rows, `${what}: weight_u`);
  check(v.length, m.cols, `${what}: weight_v`);
  let sigma = 0;
  for (let r = 0; r < m.rows; r++) {
    let row = 0;
    for (let c = 0; c < m.cols; c++) row += m.data[r * m.cols + c] * v[c];
    sigma += u[r] * row;
  }
  return sigma;
}

/** The eval-mode weight W / (uᵀ·mat(W)·v). */
export function foldSpectralNorm(weight: Float32Array, shape: readonly number[], layout: OfficialKey['layout'], u: Float32Array, v: Float32Array, what: string): Float32Array {
  const sigma = spectralSigma(weight, shape, layout, u, v, what);
  if (!Number.isFinite(sigma) || sigma === 0) throw new TorchCheckpointError(`${what}: σ = uᵀWv is ${sigma}, the stored spectral-norm vectors are unusable`);
  return weight.map((w) => w / sigma);
}

/** weight_v for a checkpoint that stored the normalised `weight` instead (see the module comment). */
export function deriveWeightV(weightOrig: Float32Array, shape: readonly number[], layout: OfficialKey['layout'], u: Float32Array, normalized: Float32Array, what: string): Float32Array {
  check(normalized.length, weightOrig.length, `${what}: weight`);
  let cross = 0;
  let square = 0;
  for (let i = 0; i < weightOrig.length; i++) {
    cross += weightOrig[i] * normalized[i];
    square += normalized[i] * normalized[i];
  }
  const sigma = cross / square;
  if (!Number.isFinite(sigma) || sigma <= 0) throw new TorchCheckpointError(`${what}: weight_orig is not a positive multiple of weight (ratio ${sigma}), so weight_v cannot be rebuilt`);
  const m = weightMatrix(weightOrig, shape, layout);
  check(u.length, m.rows, `${what}: weight_u`);
  const t = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) t[c] += m.data[r * m.cols + c] * u[r];
  const norm2 = t.reduce((n, x) => n + x * x, 0);
  if (norm2 === 0) throw new TorchCheckpointError(`${what}: mat(W)ᵀu is zero, so weight_v cannot be rebuilt`);
  return Float32Array.from(t, (x) => (x * sigma) / norm2);
}
