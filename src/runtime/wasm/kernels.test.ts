/**
 * The wasm training kernels against the cpu backend's, on seeded random shapes: strides 1, 2 and
 * 3, same / valid / explicit padding, odd and even filters. Each case runs the kernel itself
 * (engine.runKernel with the same attrs on both backends), and a few whole gradients run through
 * tf.grad. The process's one engine switches to wasm inside these tests and back to cpu after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { im2colLimits } from './conv-backprop-filter.ts';
import { registerWasmTrainingKernels } from './register.ts';
import { uniformStream } from '../../compiler/rng.ts';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

/** Seeded, so every run checks the same cases. */
const rng = uniformStream;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs a kernel on a backend with inputs made there from the same values; returns the values. */
async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, { values: Float32Array | Int32Array; shape: number[] }>, attrs: object): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(inputs)) tensors[name] = tf.tensor(v.values, v.shape, v.values instanceof Int32Array ? 'int32' : 'float32');
  const dataIds = (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(await out.data()), shape: out.shape };
  out.dispose();
  // Every intermediate the kernel made is freed again.
  expect((tf.engine().backend as unknown as { numDataIds(): number }).numDataIds()).toBe(dataIds);
  tf.dispose(Object.values(tensors));
  return result;
}

function expectClose(actual: { values: Float32Array; shape: number[] }, expected: { values: Float32Array; shape: number[] }, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < expected.values.length; i++) {
    scale = Math.max(scale, Math.abs(expected.values[i]));
    worst = Math.max(worst, Math.abs(actual.values[i] - expected.values[i]));
  }
  expect(worst / scale, `${what}: max |wasm − cpu| / max |cpu|`).toBeLessThanOrEqual(1e-4);
}

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: Pad;
  label: string;
}

/** Random conv geometry: batch 1–2, spatial 3–11, channels 1–5, filter 1–5 (odd and even), strides 1–3. */
function convCases(seed: number, count: number, depthwise: boolean): ConvCase[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const cases: ConvCase[] = [];
  for (let i = 0; i < count; i++) {
    const kh = int(1, 5);
    const kw = int(1, 5);
    const h = int(Math.max(3, kh), 11);
    const w = int(Math.max(3, kw), 11);
    const strides: [number, number] = i % 3 === 0 ? [1, 1] : i % 3 === 1 ? [2, 2] : [int(1, 3), int(1, 3)];
    const modes: Pad[] = ['same', 'valid', [[0, 0], [int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)], [0, 0]]];
    const pad = modes[i % 3 === 2 ? 2 : int(0, 1)];
    const c = int(1, 5);
    const filter: Shape4 = [kh, kw, c, depthwise ? int(1, 3) : int(1, 5)];
    const x: Shape4 = [int(1, 2), h, w, c];
    cases.push({ x, filter, strides, pad, label: `x ${x} filter ${filter} strides ${strides} pad ${JSON.stringify(pad)}` });
  }
  return cases;
}

function randomValues(r: () => number, shape: number[]): Float32Array {
  return Float32Array.from({ length: size(shape) }, () => r() * 2 - 1);
}

function outShape(c: ConvCase, depthwise: boolean): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, depthwise);
  return info.outShape;
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm training kernels match the cpu backend', () => {
  it('Conv2DBackpropInput (dense conv dx, transposed conv forward), small maps (matMul + col2im) and larger ones (polyphase)', async () => {
    const r = rng(11);
    // Maps of ≥ 256 dy pixels at stride 1 take the polyphase path; the random cases are smaller.
    const larger: ConvCase[] = [
      { x: [1, 16, 20, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same', label: 'stride 1, 16×20, same' },
      { x: [2, 17, 17, 2], filter: [4, 2, 2, 3], strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]], label: 'stride 1, 2×17×17, explicit' },
    ];
    for (const c of [...convCases(1, 36, false), ...larger]) {
      const dyShape = outShape(c, false);
      const inputs = { dy: { values: randomValues(r, dyShape), shape: dyShape }, filter: { values: randomValues(r, c.filter), shape: c.filter } };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
      expectClose(await runOn('wasm', 'Conv2DBackpropInput', inputs, attrs), await runOn('cpu', 'Conv2DBackpropInput', inputs, attrs), c.label);
    }
  });

  it('Conv2DBackpropFilter, with all taps in one im2col chunk and with chunks of 1–3 taps', async () => {
    const r = rng(12);
    const limit = im2colLimits.chunkFloats;
    try {
      for (const [i, c] of convCases(2, 36, false).entries()) {
        const dyShape = outShape(c, false);
        const inputs = { x: { values: randomValues(r, c.x), shape: c.x }, dy: { values: randomValues(r, dyShape), shape: dyShape } };
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
        // Every other case splits the taps: chunks of (i mod 3) + 1 windows of [N, C].
        im2colLimits.chunkFloats = i % 2 === 0 ? limit : size(dyShape.slice(0, 3)) * c.x[3] * ((i % 3) + 1);
        expectClose(await runOn('wasm', 'Conv2DBackpropFilter', inputs, attrs), await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs), c.label);
      }
    } finally {
      im2colLimits.chunkFloats = limit;
    }
  });

  it('DepthwiseConv2dNativeBackpropInput and …BackpropFilter (channel multipliers 1–3)', async () => {
    const r = rng(13);
    for (const c of convCases(3, 30, true)) {
      const dyShape = outShape(c, true);
      const dy = { values: randomValues(r, dyShape), shape: dyShape };
      const inputAttrs = { strides: c.strides, pad: c.pad, dilations: [1, 1], inputShape: c.x };
      const inputs = { dy, filter: { values: randomValues(r, c.filter), shape: c.filter } };
      expectClose(await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, inputAttrs), await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', inputs, inputAttrs), `dx ${c.label}`);
      const filterAttrs = { strides: c.strides, pad: c.pad, dilations: [1, 1], filterShape: c.filter };
      const filterInputs = { x: { values: randomValues(r, c.x), shape: c.x }, dy };
      expectClose(await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', filterInputs, filterAttrs), await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', filterInputs, filterAttrs), `dW ${c.label}`);
    }
  });

  it('UnsortedSegmentSum: repeated ids accumulate, ids out of range are dropped, rows of any shape', async () => {
    const r = rng(14);
    const cases: Array<{ x: number[]; ids: number[]; segments: number }> = [
      { x: [6], ids: [0, 2, 2, 1, 0, 2], segments: 3 },
      { x: [5, 3], ids: [4, 4, 4, 0, 1], segments: 6 },
      { x: [4, 2, 3], ids: [1, -1, 7, 1], segments: 2 },
      { x: [3, 2], ids: [-2, 5, 9], segments: 4 },
    ];
    for (const c of cases) {
      const inputs = { x: { values: randomValues(r, c.x), shape: c.x }, segmentIds: { values: Int32Array.from(c.ids), shape: [c.ids.length] } };
      const attrs = { numSegments: c.segments };
      expectClose(await runOn('wasm', 'UnsortedSegmentSum', inputs, attrs), await runOn('cpu', 'UnsortedSegmentSum', inputs, attrs), JSON.stringify(c));
    }
  });
});

describe('BatchMatMul on wasm routes transposes around the slow loop', () => {
  it('every transposeA / transposeB combination, batched and broadcast, equals the cpu product', async () => {
    const r = rng(16);
    const cases: Array<{ a: number[]; b: number[] }> = [
      { a: [1, 5, 7], b: [1, 7, 3] },
      { a: [4, 2, 6], b: [4, 6, 5] },
      { a: [3, 4, 2, 6], b: [1, 6, 3] }, // rank 4 against a broadcast batch of 1
      { a: [1, 9, 1], b: [1, 1, 4] }, // outer product
      { a: [2, 20, 18], b: [2, 18, 24] }, // wide enough that transposes are done explicitly
      { a: [1, 16, 3], b: [1, 3, 1] }, // matrix-vector: stays on tfjs-wasm's loop
    ];
    for (const c of cases) {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const swap = (shape: number[], on: boolean) => (on ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);
        const a = swap(c.a, transposeA);
        const b = swap(c.b, transposeB);
        const inputs = { a: { values: randomValues(r, a), shape: a }, b: { values: randomValues(r, b), shape: b } };
        const attrs = { transposeA, transposeB };
        expectClose(await runOn('wasm', 'BatchMatMul', inputs, attrs), await runOn('cpu', 'BatchMatMul', inputs, attrs), `${JSON.stringify(c)} ${JSON.stringify(attrs)}`);
      }
    }
  });

  it('registering twice does not wrap the wrapper', () => {
    const first = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    registerWasmTrainingKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(first);
  });
});

describe('packed weights are dropped after each conv / matMul while a tape records', () => {
  it('the filter stays intact and reusable: the same conv twice, then read back, under tf.grad and outside', async () => {
    const r = rng(17);
    const x = { values: randomValues(r, [1, 6, 6, 3]), shape: [1, 6, 6, 3] };
    const w = { values: randomValues(r, [3, 3, 3, 4]), shape: [3, 3, 3, 4] };
    const m = { values: randomValues(r, [4, 5]), shape: [4, 5] };
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const [xt, wt, mt] = [tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape), tf.tensor(m.values, m.shape)];
      // Inside the tape: every use of wt and mt drops XNNPACK's operator right after the call.
      const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) => {
        const once = tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same');
        const twice = tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 2, 'valid');
        const fused = tf.matMul(tf.reshape(once, [-1, 4]), mt);
        return tf.add(tf.sum(tf.square(fused)), tf.sum(twice));
      })([xt, wt]);
      const after = tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same'); // outside: the cache may stay
      const out = [...grads, after, wt, mt].map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
      tf.dispose([...grads, after, xt, wt, mt]);
      return out;
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    await tf.setBackend('wasm');
    ['dx', 'dw', 'conv after', 'filter read back', 'matrix read back'].forEach((what, i) => expectClose(wasm[i], cpu[i], what));
  });
});

describe('gradients on wasm', () => {
  /** d/d(x, w, b) of a small conv net on a backend, as plain arrays. */
  async function convNetGrads(backend: 'cpu' | 'wasm', values: Record<string, { values: Float32Array; shape: number[] }>): Promise<Array<{ values: Float32Array; shape: number[] }>> {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const t = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    const grads = tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, wt: tf.Tensor, dw: tf.Tensor) => {
      const a = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'));
      const b = tf.depthwiseConv2d(a, dw as tf.Tensor4D, 1, 'same');
      const c = tf.conv2dTranspose(b, wt as tf.Tensor4D, [1, 8, 8, 3], 2, 'same');
      const d = tf.conv2d(c, w2 as tf.Tensor4D, 1, 'valid');
      const picked = tf.gather(tf.reshape(d, [-1, 2]), tf.tensor1d([0, 3, 3, 5], 'int32'));
      return tf.add(tf.sum(tf.square(d)), tf.sum(picked));
    })([t.x, t.w1, t.w2, t.wt, t.dw]);
    const out = await Promise.all(grads.map(async (g) => ({ values: Float32Array.from(await g.data()), shape: g.shape })));
    tf.dispose([...grads, ...Object.values(t)]);
    expect(tf.memory().numTensors).toBe(before);
    return out;
  }

  it('a conv / depthwise / transposed-conv / gather net has the cpu gradients', async () => {
    const r = rng(15);
    const shapes: Record<string, number[]> = { x: [1, 8, 8, 3], w1: [3, 3, 3, 4], dw: [3, 3, 4, 1], wt: [4, 4, 3, 4], w2: [3, 3, 3, 2] };
    const values = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, { values: randomValues(r, s), shape: s }]));
    const wasm = await convNetGrads('wasm', values);
    const cpu = await convNetGrads('cpu', values);
    Object.keys(shapes).forEach((name, i) => expectClose(wasm[i], cpu[i], `d/d${name}`));
  });
});

// Only unpadded pools: padded ones stay with tfjs-wasm's kernel, and tfjs-cpu's gradient divides
// padded windows by k² (see nodes/core/resample/resample.ts), so the two would not agree anyway.
describe('AvgPoolGrad on wasm', () => {
  it.each([
    { x: [2, 9, 11, 3], filterSize: [3, 3], strides: [2, 2], pad: 'valid' },
    { x: [1, 8, 8, 5], filterSize: [2, 3], strides: [1, 2], pad: 'valid' },
  ])('gives the cpu gradient for $x, filter $filterSize, strides $strides, $pad', async ({ x, filterSize, strides, pad }) => {
    const r = rng(21);
    const input = { values: randomValues(r, x), shape: x };
    const probe = tf.tidy(() => tf.avgPool(tf.zeros(x as [number, number, number, number]) as tf.Tensor4D, filterSize as [number, number], strides as [number, number], pad as 'valid'));
    const dyShape = probe.shape;
    probe.dispose();
    const dy = { values: randomValues(r, dyShape), shape: dyShape };
    const attrs = { filterSize, strides, pad };
    const wasm = await runOn('wasm', 'AvgPoolGrad', { dy, input }, attrs);
    const cpu = await runOn('cpu', 'AvgPoolGrad', { dy, input }, attrs);
    expectClose(wasm, cpu, 'AvgPoolGrad');
  });
});

describe('Slice and SplitV on wasm (read through a heap view)', () => {
  const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
    { shape: [7], begin: [2], size: [3] },
    { shape: [5, 6], begin: [1, 0], size: [3, 6] }, // whole rows: one run
    { shape: [5, 6], begin: [1, 2], size: [3, -1] },
    { shape: [2, 5, 6, 3], begin: [0, 1, 2, 0], size: [2, 3, 2, 3] },
    { shape: [2, 5, 6, 3], begin: [1, 0, 0, 1], size: [1, 5, 6, 1] },
    { shape: [2, 3, 4, 5, 2], begin: [1, 1, 0, 2, 0], size: [1, 2, 4, 3, 2] },
    { shape: [3, 4], begin: [1, 1], size: [0, 2] }, // empty
  ];

  it.each(cases)('slices $shape at $begin, size $size as the cpu backend does', async ({ shape, begin, size }) => {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3);
    const wasm = await runOn('wasm', 'Slice', { x: { values, shape } }, { begin, size });
    const cpu = await runOn('cpu', 'Slice', { x: { values, shape } }, { begin, size });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  it('slices int32 and bool tensors, and refuses a slice past the end', async () => {
    await tf.setBackend('wasm');
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    expect(Array.from(tf.slice(ints, [1, 1], [2, 1]).dataSync())).toEqual([4, 6]);
    const bools = tf.tensor1d([true, false, true, true], 'bool');
    expect(Array.from(tf.slice(bools, [1], [2]).dataSync())).toEqual([0, 1]);
    expect(() => tf.slice(ints, [2, 0], [2, 2])).toThrow();
    tf.dispose([ints, bools]);
  });

  it('concatenates along every axis as the cpu backend does, empty parts and int32 included', async () => {
    for (const [axis, shapes] of [[0, [[1, 3, 2], [2, 3, 2]]], [1, [[2, 1, 2], [2, 0, 2], [2, 4, 2]]], [2, [[2, 3, 1], [2, 3, 3], [2, 3, 2]]]] as const) {
      for (const dtype of ['float32', 'int32'] as const) {
        const results: Record<string, number[]> = {};
        for (const backend of ['wasm', 'cpu'] as const) {
          await tf.setBackend(backend);
          const parts = shapes.map((shape, i) => tf.tensor(Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, j) => j + 100 * i), [...shape], dtype));
          const out = tf.concat(parts, axis);
          results[backend] = [...out.shape, ...out.dataSync()];
          tf.dispose([...parts, out]);
        }
        expect(results.wasm, `axis ${axis} ${dtype}`).toEqual(results.cpu);
      }
    }
  });

  it('splits along every axis into the cpu backend’s parts, sizes given or equal', async () => {
    const shape = [2, 6, 4];
    const values = Float32Array.from({ length: 48 }, (_, i) => i);
    for (const [axis, splits] of [[0, 2], [1, [1, 3, -1]], [2, [2, 2]]] as const) {
      const parts: Record<string, number[][]> = {};
      for (const backend of ['wasm', 'cpu'] as const) {
        await tf.setBackend(backend);
        const x = tf.tensor(values, shape);
        const out = tf.split(x, splits as number | number[], axis);
        parts[backend] = out.map((t) => [...t.shape, ...t.dataSync()]);
        tf.dispose([x, ...out]);
      }
      expect(parts.wasm, `axis ${axis}`).toEqual(parts.cpu);
    }
  });
});
