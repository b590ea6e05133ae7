import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { instanceEdges } from '../../../nodes/lggan/generator/semantic-input.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import { compileProgram, type Feeds } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadGraph } from '../../graph/load.ts';
import { FeedError } from './errors.ts';
import { graphInputs, planFeeds, toFeeds, type GraphInput } from './feeds.ts';
import { syntheticScenes } from './synthetic/dataset.ts';

const registry = createRegistry();
const graphsDir = join(import.meta.dirname, '..', '..', '..', 'graphs');

function resolved(file: string): GraphIR {
  const loaded = loadGraph(readFileSync(join(graphsDir, file), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return resolveGraph(loaded.doc, registry);
}

function shapes(feeds: Feeds): Record<string, [number[], string]> {
  return Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, [t.shape, t.dtype]]));
}

let live: Feeds[] = [];
const keep = (f: Feeds) => (live.push(f), f);
afterEach(() => {
  for (const f of live) for (const t of Object.values(f)) t.dispose();
  live = [];
});

function feedError(run: () => unknown): FeedError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    return e as FeedError;
  }
  throw new Error('expected a FeedError');
}

describe('toFeeds', () => {
  it('batches Cityscapes-id scenes for the Cityscapes graph: ids + instance ids B×H×W×2 int32, image B×H×W×3', () => {
    const inputs = graphInputs(resolved('lggan-cityscapes-tiny.json'));
    expect(inputs.map((i) => [i.id, i.kind, i.shape])).toEqual([
      ['labels', 'labels', [1, 64, 128, 2]],
      ['real', 'image', [1, 64, 128, 3]],
    ]);
    const ds = syntheticScenes({ width: 128, height: 64 });
    const samples = [ds.render(0), ds.render(1), ds.render(2)];
    const feeds = keep(toFeeds(samples, inputs));
    expect(shapes(feeds)).toEqual({ labels: [[3, 64, 128, 2], 'int32'], real: [[3, 64, 128, 3], 'float32'] });
    const packed = feeds.labels.arraySync() as number[][][][];
    expect(packed[1][0][0]).toEqual([samples[1].fields.labels.data[0], samples[1].fields.instances.data[0]]);
    const real = feeds.real.dataSync();
    expect(real[64 * 128 * 3 + 5]).toBeCloseTo(samples[1].fields.real.data[5], 6);
  });

  it('feeds the ADE20K graph ids only, and the cross-view graph its four images by node id', () => {
    const ade = graphInputs(resolved('lggan-ade20k-tiny.json'));
    const scenes = syntheticScenes({ width: 64, height: 64, instances: false });
    expect(shapes(keep(toFeeds([scenes.render(0)], ade)))).toEqual({ labels: [[1, 64, 64, 1], 'int32'], real: [[1, 64, 64, 3], 'float32'] });

    const cross = graphInputs(resolved('lggan-crossview-dayton-tiny.json'));
    const views = syntheticScenes({ variant: 'cross-view', width: 64, height: 64 });
    const feeds = keep(toFeeds([views.render(0), views.render(1)], cross));
    expect(Object.keys(feeds).sort()).toEqual(['aerial', 'grey_labels', 'ground_semantic', 'real']);
    for (const t of Object.values(feeds)) expect(t.shape).toEqual([2, 64, 64, 3]);
    expect(feeds.grey_labels.dataSync()[0]).toBeCloseTo(views.render(0).fields.grey_labels.data[0], 6);
  });

  it('one-hot encodes ids for a one-hot semantic input (tiny-pix2pix), with the same edges as the node', () => {
    const inputs = graphInputs(resolved('tiny-pix2pix.json'));
    expect(inputs).toHaveLength(1);
    const ds = syntheticScenes({ idSpace: 'compact', classes: ['sky', 'road', 'building', 'vegetation', 'car', 'sidewalk'], width: 32, height: 32 });
    const feeds = keep(toFeeds([ds.render(0), ds.render(1)], inputs));
    expect(feeds.labels.shape).toEqual([2, 32, 32, 6]);
    const sums = tf.tidy(() => tf.sum(feeds.labels, 3).dataSync());
    expect(Array.from(sums).every((v) => v === 1)).toBe(true);

    const withEdges: GraphInput = { id: 'sem', type: 'core/semantic-input', params: { num_classes: 35, dontcare: false, instance_edge: true }, kind: 'semantic', shape: [1, 32, 32, 36] };
    const city = syntheticScenes({ width: 32, height: 32 }).render(3);
    const oneHot = keep(toFeeds([city], [withEdges])).sem;
    const ours = tf.tidy(() => tf.slice(oneHot, [0, 0, 0, 35], [1, 32, 32, 1]).dataSync());
    const node = tf.tidy(() => instanceEdges(tf.tensor4d(city.fields.instances.data, [1, 32, 32, 1], 'int32')).dataSync());
    expect(Array.from(ours)).toEqual(Array.from(node));
    expect(Array.from(ours).some((v) => v === 1)).toBe(true);
  });

  it('runs a compiled graph forward on dataset feeds', () => {
    const program = compileProgram(resolved('tiny-pix2pix.json'));
    try {
      const ds = syntheticScenes({ idSpace: 'compact', classes: ['sky', 'road', 'building', 'vegetation', 'car', 'sidewalk'], width: 32, height: 32 });
      const feeds = keep(toFeeds([ds.render(0), ds.render(1)], graphInputs(program)));
      const out = program.run(feeds, { outputs: ['fake'] });
      expect(out.fake.shape).toEqual([2, 32, 32, 3]);
      expect(tf.tidy(() => tf.all(tf.isFinite(out.fake)).dataSync()[0])).toBe(1);
      for (const t of Object.values(out)) t.dispose();
    } finally {
      program.dispose();
    }
  });

  it('takes an explicit mapping, and names the input node nothing maps to', () => {
    const cross = graphInputs(resolved('lggan-crossview-dayton-tiny.json'));
    const scenes = syntheticScenes({ width: 64, height: 64 });
    const e = feedError(() => toFeeds([scenes.render(0)], cross));
    expect(e.node).toBe('aerial');
    expect(e.message).toBe("input node 'aerial': no dataset field feeds it (the dataset has real, labels, instances); map one with mapping['aerial'] = '<field>'");
    // Mapped by hand: a semantic-synthesis dataset fed to the cross-view graph (a smoke test of the override).
    const feeds = keep(toFeeds([scenes.render(0)], cross, { mapping: { aerial: 'real', ground_semantic: 'real', grey_labels: 'real' } }));
    expect(Object.keys(feeds).sort()).toEqual(['aerial', 'grey_labels', 'ground_semantic', 'real']);
    expect(feedError(() => planFeeds(cross, ['real'], { nope: 'real' })).message).toContain("the mapping names it, but the graph has no such input node");
    // Two image inputs: only the one named like a field (or 'real') maps.
    const two: GraphInput[] = [
      { id: 'real', type: 'core/image-input', params: {}, kind: 'image', shape: [1, 8, 8, 3] },
      { id: 'sketch', type: 'core/image-input', params: {}, kind: 'image', shape: [1, 8, 8, 3] },
    ];
    expect(feedError(() => planFeeds(two, ['real', 'labels'])).node).toBe('sketch');
    // A graph's only image input takes 'real' whatever its id; noise inputs are skipped.
    const one: GraphInput[] = [
      { id: 'photo_in', type: 'core/image-input', params: {}, kind: 'image', shape: [1, 8, 8, 3] },
      { id: 'z', type: 'core/noise-input', params: {}, kind: 'noise', shape: [1, 64] },
    ];
    expect(planFeeds(one, ['real', 'labels']).map((p) => [p.node, p.fields])).toEqual([['photo_in', ['real']]]);
  });

  it('fails clearly on missing instances, wrong size and ids beyond num_classes', () => {
    const city = graphInputs(resolved('lggan-cityscapes-tiny.json'));
    const noInst = syntheticScenes({ width: 128, height: 64, instances: false }).render(0);
    const e = feedError(() => toFeeds([noInst], city));
    expect(e.node).toBe('labels');
    expect(e.message).toContain('needs field instances (its instance_edge is on, which needs instance ids)');
    const small = syntheticScenes({ width: 64, height: 64 }).render(0);
    expect(feedError(() => toFeeds([small], city)).message).toContain("expects 64×128 (H×W) but sample 'scene-0' is 64×64");
    const pix = graphInputs(resolved('tiny-pix2pix.json'));
    const wrongIds = syntheticScenes({ width: 32, height: 32 }).render(0);
    const e3 = feedError(() => toFeeds([wrongIds], pix));
    expect(e3.message).toContain("sample 'scene-0' has label id 26, beyond the node's num_classes 6");
    const before = tf.memory().numTensors;
    feedError(() => toFeeds([small], city));
    expect(tf.memory().numTensors).toBe(before);
  });
});
