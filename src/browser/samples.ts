/**
 * The images a run shows while it trains: the graph's image outputs (core/output nodes with role
 * 'image': final, global, local in the LGGAN graphs), or else the generated images its first G
 * loss judges (fake0 = final, fake1 = global, fake2 = local). Each is rendered for one fixed input
 * in inference mode, as RGBA bytes ready for `new ImageData(rgba, width, height)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Feeds, Program } from '../compiler/program.ts';
import type { TrainingPlan } from '../runtime/training/plan.ts';
import type { SampleImage } from './protocol.ts';

export interface SampleSource {
  name: string;
  /** What Program.run is asked for: a node id or "node:port". */
  output: string;
}

const MAX_IMAGES = 4;
/** Longest side of a sent image; bigger outputs are scaled down (bilinear). */
export const MAX_SAMPLE_SIDE = 128;
const FAKE_NAMES = ['final', 'global', 'local'];

export function sampleSources(program: Program, plan: TrainingPlan): SampleSource[] {
  const outputs = program.ir.order
    .map((id) => program.ir.nodes.get(id)!)
    .filter((n) => n.node.type === 'core/output' && n.params.role === 'image')
    .map((n) => ({ name: String(n.params.name ?? n.id), output: n.id }));
  if (outputs.length > 0) return outputs.slice(0, MAX_IMAGES);

  for (const loss of plan.g.losses) {
    const fakes = program.ir.doc.edges
      .filter((e) => e.to.node === loss.node && /^fake\d+$/.test(e.to.port))
      .sort((a, b) => Number(a.to.port.slice(4)) - Number(b.to.port.slice(4)));
    if (fakes.length === 0) continue;
    return fakes.slice(0, MAX_IMAGES).map((e, i) => ({ name: FAKE_NAMES[i] ?? e.to.port, output: `${e.from.node}:${e.from.port}` }));
  }
  return [];
}

/** First batch element of a B×H×W×3 image in [-1, 1], as 0…255 values, at most MAX_SAMPLE_SIDE a side. */
function toBytes(image: tf.Tensor): tf.Tensor3D {
  const [, h, w, c] = image.shape;
  let x = tf.slice(image as tf.Tensor4D, [0, 0, 0, 0], [1, h, w, Math.min(c, 3)]);
  const scale = Math.min(1, MAX_SAMPLE_SIDE / Math.max(h, w));
  if (scale < 1) x = tf.image.resizeBilinear(x, [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))]);
  if (x.shape[3] === 1) x = tf.tile(x, [1, 1, 1, 3]);
  return tf.squeeze(tf.clipByValue(tf.mul(tf.add(x, 1), 127.5), 0, 255), [0]);
}

function rgbaOf(rgb: Float32Array | Int32Array | Uint8Array, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = rgb[p * 3];
    rgba[p * 4 + 1] = rgb[p * 3 + 1];
    rgba[p * 4 + 2] = rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** Runs the generator on `feeds` in inference mode and reads the images back (asynchronously). */
export async function renderSamples(program: Program, sources: readonly SampleSource[], feeds: Feeds): Promise<SampleImage[]> {
  if (sources.length === 0) return [];
  const bytes = tf.tidy(() => {
    const values = program.run(feeds, { outputs: sources.map((s) => s.output), training: false });
    return sources.map((s) => toBytes(values[s.output]));
  });
  try {
    const data = await Promise.all(bytes.map((t) => t.data()));
    return sources.map((s, i) => {
      const [height, width] = bytes[i].shape;
      return { name: s.name, width, height, rgba: rgbaOf(data[i] as Float32Array, width, height) };
    });
  } finally {
    tf.dispose(bytes);
  }
}
