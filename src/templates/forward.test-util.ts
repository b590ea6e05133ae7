/**
 * Shared by forward-*.test.ts: every tiny shipped graph runs forward: shapes as inferred, finite values, attention maps that sum
 * to 1 per pixel, and class-specific generators that see nothing outside their class.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { sampleFeeds } from '../compiler/sample-inputs.ts';
import { loadGraph } from '../graph/load.ts';

const graphsDir = join(import.meta.dirname, '..', '..', 'graphs');
const registry = createRegistry();
/** The tiny shipped graphs; `which` splits them so two test files can run them in parallel. */
export function tinyGraphs(which: 'tasks' | 'ablations'): string[] {
  return readdirSync(graphsDir).filter((f) => f.endsWith('-tiny.json') && f.startsWith('ablation-') === (which === 'ablations'));
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

export function describeForward(files: string[]): void {
  describe.each(files)('%s forward', (file) => {
    it('gives the inferred shapes, finite values, and well-formed attention and class outputs', () => {
      const loaded = loadGraph(readFileSync(join(graphsDir, file), 'utf8'), { registry });
      if (!loaded.ok) throw new Error(`${file} does not load`);
      const ir = resolveGraph(loaded.doc, registry);
      const program = compileProgram(ir);
      const feeds = sampleFeeds(program, 1);
      const before = tf.memory().numTensors;
      const outputNodes = program.sinkNodes.filter((n) => n.node.type === 'core/output').map((n) => n.id);
      const extra = ir.nodes.has('local') ? ['local:class_images', 'masks:masks'] : [];
      const out = program.run(feeds, { outputs: [...outputNodes, ...extra] });
      try {
        for (const id of outputNodes) {
          const expected = ir.nodes.get(id)!.inputs.value.shape.map((d) => d.value);
          expect(out[id].shape, id).toEqual(expected);
          expect(tf.tidy(() => tf.all(tf.isFinite(out[id])).dataSync()[0]), `${id} finite`).toBe(1);
          if (ir.nodes.get(id)!.params.role === 'image') expect(maxAbs(out[id]), `${id} in [-1, 1]`).toBeLessThanOrEqual(1);
        }
        if (out.out_attention) {
          const deviation = tf.tidy(() => maxAbs(tf.sub(tf.sum(out.out_attention, -1), 1)));
          expect(deviation).toBeLessThan(1e-5);
        }
        if (extra.length) checkClassImagesSeeOnlyTheirClass(program, out['local:class_images'], out['masks:masks']);
      } finally {
        tf.dispose(out);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(Object.values(feeds));
        program.dispose();
      }
    });
  });
}

/**
 * Where no pixel of class k lies within the 7×7 window, the sub-generator's input F ⊙ M_k is all
 * zero, so its output must be exactly tanh(bias_k).
 */
function checkClassImagesSeeOnlyTheirClass(program: ReturnType<typeof compileProgram>, classImages: tf.Tensor, masks: tf.Tensor): void {
  const classes = masks.shape[3]!;
  const firstIndex = program.ir.nodes.get('local')!.params.first_index as number;
  let checkedPixels = 0;
  for (let k = 0; k < classes; k++) {
    const bias = program.variables.get(`local.deconv5_${firstIndex + k}.bias`)!;
    const [far, deviation] = tf.tidy(() => {
      const mask = tf.slice(masks, [0, 0, 0, k], [-1, -1, -1, 1]) as tf.Tensor4D;
      const near = tf.maxPool(mask, 7, 1, 'same');
      const outside = tf.sub(1, near); // 1 where the 7×7 window holds no class-k pixel
      const image = tf.slice(classImages, [0, 0, 0, 3 * k], [-1, -1, -1, 3]);
      const diff = tf.mul(tf.abs(tf.sub(image, tf.tanh(bias))), outside);
      return [tf.sum(outside).dataSync()[0], tf.max(diff).dataSync()[0]];
    });
    checkedPixels += far;
    expect(deviation, `class ${k}`).toBeLessThan(1e-6);
  }
  expect(checkedPixels).toBeGreaterThan(0);
}
