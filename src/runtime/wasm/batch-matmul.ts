/**
 * BatchMatMul on the wasm backend without its slow transposed path. tfjs-wasm hands a product
 * with transposeA or transposeB to a plain loop instead of XNNPACK (measured: ≈ 0.6 GMAC/s against
 * ≈ 9 GMAC/s untransposed for a [9380, 256] · [256, 147] product). Every matMul gradient asks for
 * one (dA = dY·Bᵀ, dB = Aᵀ·dY), so training paid it on every matMul. Here the transposed operand is
 * transposed explicitly (a memory-bound copy) and the product runs untransposed.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM, withKernelCalls } from './kernel-calls.ts';

/** [..., r, c] → [..., c, r]. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * Multiply-adds each element of the transposed operand(s) takes part in: the other operand's free
 * dimension (N for a transposed A [K, M], M for a transposed B [N, K]).
 */
function usesPerTransposedElement(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): number {
  const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  if (transposeA && transposeB) return Math.min(m, n);
  return transposeA ? n : m;
}

/**
 * Below this many uses per element the explicit transpose and XNNPACK's packing (≈ 8 + 15 ns per
 * element, measured on 3×3×1024×1024) cost more than the loop (≈ 1.6 ns per multiply-add) saves:
 * matrix-vector products (spectral norm's power iteration) and tiny maps stay on the loop.
 */
const MIN_USES_TO_TRANSPOSE = 16;

/**
 * A BatchMatMul kernel that calls the backend's own (`original`) with both flags false. It keeps
 * the original's setupFunc, which binds the C++ function when the backend initialises.
 */
export function transposeFreeBatchMatMulConfig(original: KernelConfig): KernelConfig {
  const untransposed: KernelFunc = original.kernelFunc;
  return {
    kernelName: 'BatchMatMul',
    backendName: WASM,
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
      const a = args.inputs.a as TensorInfo;
      const b = args.inputs.b as TensorInfo;
      if (!transposeA && !transposeB) return untransposed(args);
      if (usesPerTransposedElement(a, b, transposeA, transposeB) < MIN_USES_TO_TRANSPOSE) return untransposed(args);
      return withKernelCalls(args.backend, (k) => {
        const inputs = {
          a: transposeA ? k.transpose(a, swapLastTwo(a.shape.length)) : a,
          b: transposeB ? k.transpose(b, swapLastTwo(b.shape.length)) : b,
        };
        // The result is not owned by `k`, so release() leaves it alone.
        return untransposed({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
      });
    },
  };
}
