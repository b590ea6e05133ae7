/**
 * Numerical parity with PyTorch: each LGGAN node (and a whole tiny generator) runs in tfjs and
 * in the PyTorch reference (fixtures/lggan_reference.py, written from the architecture notes)
 * with the same weights, passed as an official-key .pth written by our writer and imported by
 * our importer. Eval mode: spectral norm uses the stored u, v; batch norm its running statistics.
 * Every tfjs side runs on both Node backends: cpu, and wasm (the CLI's default, set up as the CLI
 * does), whose float32-accumulating reductions are what the norms' staged statistics are for.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDef, TensorType } from '../../../nodes/contract.ts';
import { buildNode, plainSpatialType } from '../../../nodes/testing.test-util.ts';
import type { OfficialEntry } from '../../compiler/official.ts';
import { officialStateDict } from '../../compiler/official.ts';
import { compileProgram } from '../../compiler/program.ts';
import { initNodeBackend, type NodeBackend } from '../../runtime/tf-node.ts';
import { importCheckpointBytes, importStateDict } from './import.ts';
import { permute } from './layout.ts';
import { runTorchScript, torchAvailable } from './python.test-util.ts';
import { readTorchCheckpoint } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorToFloat32 } from './tensor.ts';
import { writeTorchCheckpoint, type TensorToSave } from './write.ts';
import { plausibleStateDict, referenceEntries, registry, resolveShipped, seededRandom } from './graphs.test-util.ts';

const LAYER_TOLERANCE = 1e-5;
const GENERATOR_TOLERANCE = 1e-4;

const BACKENDS: readonly NodeBackend[] = ['cpu', 'wasm'];

/** tfjs outputs by name (NHWC, or rank-3 logits). */
type Outputs = Record<string, { shape: number[]; values: Float32Array }>;

interface Case {
  name: string;
  ours: Record<NodeBackend, Outputs>;
}

/** Runs `f` on each backend, with `inputs` copied onto it; cpu is the backend again afterwards. */
async function onEachBackend(inputs: Record<string, tf.Tensor>, f: (inputs: Record<string, tf.Tensor>) => Outputs): Promise<Record<NodeBackend, Outputs>> {
  const out = {} as Record<NodeBackend, Outputs>;
  try {
    for (const backend of BACKENDS) {
      await initNodeBackend(backend);
      const local = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)]));
      try {
        out[backend] = f(local);
      } finally {
        tf.dispose(Object.values(local));
      }
    }
  } finally {
    await initNodeBackend('cpu');
  }
  return out;
}

const nchw = (t: { shape: number[]; values: Float32Array }) => (t.shape.length === 4 ? permute(t.values, t.shape, [0, 3, 1, 2]) : t.values);
const nchwShape = (shape: number[]) => (shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape);

function randomInput(shape: number[], seed: number, kind: 'values' | 'one-hot' = 'values'): tf.Tensor {
  const random = seededRandom(seed);
  if (kind === 'values') return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, random), shape);
  const [b, h, w, c] = shape;
  const ids = Int32Array.from({ length: b * h * w }, () => Math.floor(((random() + 1) / 2) * c) % c);
  return tf.tidy(() => tf.oneHot(tf.tensor(ids, [b, h, w], 'int32'), c).toFloat());
}

function writeCase(dir: string, name: string, spec: { kind: string; config: object; modulePath?: string; inputs: [string, tf.Tensor][] }, weights: TensorToSave[]): void {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'case.json'), JSON.stringify({ kind: spec.kind, config: spec.config, module_path: spec.modulePath, inputs: spec.inputs.map(([n]) => n) }));
  writeFileSync(join(folder, 'weights.pth'), writeTorchCheckpoint(weights));
  const inputs = spec.inputs.map(([n, t]) => {
    const values = t.dataSync() as Float32Array;
    return { key: n, dtype: 'float32' as const, shape: nchwShape([...t.shape]), values: nchw({ shape: [...t.shape], values }) };
  });
  writeFileSync(join(folder, 'inputs.pth'), writeTorchCheckpoint(inputs));
}

/** Builds a node on each backend, gives it plausible official weights through the importer, runs it, and writes the case for PyTorch. */
async function nodeCase(
  dir: string,
  name: string,
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  inputs: Record<string, tf.Tensor>,
  torch: { kind: string; config: object; modulePath?: string; order: string[] },
  seed: number,
): Promise<Case> {
  const inputTypes: Record<string, TensorType> = {};
  for (const [port, t] of Object.entries(inputs)) {
    const [b, h, w, c] = t.shape;
    const kind = def.type.includes('classification') || port === 'masks' ? 'mask' : port === 'semantic' ? 'semantic' : port === 'local' || port === 'global' ? 'image' : 'feature';
    inputTypes[port] = plainSpatialType(port === 'features' || port === 'x' || port === 'x_encode' || port === 'latent' ? 'feature' : kind, b, h, w, c);
  }
  let weights: TensorToSave[] = [];
  const ours = await onEachBackend(inputs, (local) => {
    const node = buildNode(def, params, inputTypes);
    try {
      const entries: OfficialEntry[] = node.officialKeys.map((k) => ({ ...k, node: name, variableName: k.variable }));
      weights = plausibleStateDict(entries, seed);
      const sd = extractStateDict(readTorchCheckpoint(writeTorchCheckpoint(weights)).root);
      const { weights: imported } = importStateDict(sd, { network: 'G', entries, uncovered: [] }, { format: 'zip' });
      expect(imported.length, `${name}: every variable has an official key`).toBe(node.variables.size);
      for (const w of imported) node.setVariable(w.name, w.values);
      const outputs = node.run(local);
      const values: Outputs = {};
      for (const [port, t] of Object.entries(outputs)) values[port] = { shape: [...t.shape], values: t.dataSync() as Float32Array };
      tf.dispose(Object.values(outputs));
      return values;
    } finally {
      node.dispose();
    }
  });
  writeCase(dir, name, { kind: torch.kind, config: torch.config, modulePath: torch.modulePath, inputs: torch.order.map((p) => [p, inputs[p]]) }, weights);
  return { name, ours };
}

/** A discriminator node run through its network handle on x = condition ‖ image, on each backend; outputs every block of every scale. */
async function discriminatorCase(
  dir: string,
  name: string,
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  condition: tf.Tensor,
  image: tf.Tensor,
  torch: { kind: string; config: object },
  seed: number,
): Promise<Case> {
  const [b, h, w, c] = condition.shape;
  let weights: TensorToSave[] = [];
  const x = tf.concat([condition, image], 3);
  try {
    const ours = await onEachBackend({ x }, (local) => {
      const node = buildNode(def, params, { condition: plainSpatialType('feature', b, h, w, c), image: plainSpatialType('image', b, h, w, 3) });
      try {
        const entries: OfficialEntry[] = node.officialKeys.map((k) => ({ ...k, node: name, variableName: k.variable }));
        weights = plausibleStateDict(entries, seed);
        const sd = extractStateDict(readTorchCheckpoint(writeTorchCheckpoint(weights)).root);
        const { weights: imported } = importStateDict(sd, { network: 'D', entries, uncovered: [] }, { format: 'zip' });
        expect(imported.length, `${name}: every variable has an official key`).toBe(node.variables.size);
        for (const wt of imported) node.setVariable(wt.name, wt.values);
        const result = node.handles.network.apply({ x: local.x }, { training: false });
        const values: Outputs = {};
        result.features.forEach((blocks, s) => blocks.forEach((t, k) => (values[`f${s}_${k}`] = { shape: [...t.shape], values: t.dataSync() as Float32Array })));
        tf.dispose([...result.features.flat(), ...result.outputs]);
        return values;
      } finally {
        node.dispose();
      }
    });
    writeCase(dir, name, { kind: torch.kind, config: torch.config, inputs: [['x', x]] }, weights);
    return { name, ours };
  } finally {
    x.dispose();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return a.length === b.length ? worst : Infinity;
}

/** PyTorch's outputs of a case, NCHW → NHWC. */
function torchOutputs(dir: string, name: string): Map<string, { shape: number[]; values: Float32Array }> {
  const folder = join(dir, name);
  let error = '';
  try {
    error = readFileSync(join(folder, 'error.txt'), 'utf8');
  } catch {
    // no error
  }
  if (error) throw new Error(`PyTorch failed on case ${name}: ${error}`);
  const sd = extractStateDict(readTorchCheckpoint(new Uint8Array(readFileSync(join(folder, 'outputs.pth')))).root);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [key, t] of sd.tensors) {
    const values = tensorToFloat32(t, key);
    out.set(key, t.shape.length === 4 ? { shape: [t.shape[0], t.shape[2], t.shape[3], t.shape[1]], values: permute(values, t.shape, [0, 2, 3, 1]) } : { shape: t.shape, values });
  }
  return out;
}

/** Every port of the case, on every backend, within `tolerance` of PyTorch's output. */
function expectParity(dir: string, c: Case, ports: Record<string, string>, tolerance: number): void {
  const theirs = torchOutputs(dir, c.name);
  for (const backend of BACKENDS) {
    for (const [port, torchName] of Object.entries(ports)) {
      const mine = c.ours[backend][port];
      const other = theirs.get(torchName);
      expect(other, `${c.name}: PyTorch output '${torchName}'`).toBeDefined();
      expect(mine.shape, `${c.name} ${port} on ${backend}`).toEqual(other!.shape);
      const diff = maxAbsDiff(mine.values, other!.values);
      expect(diff, `${c.name} ${port} on ${backend}: max |tfjs − PyTorch|`).toBeLessThanOrEqual(tolerance);
      // Not a vacuous comparison: the outputs carry signal.
      expect(Math.max(...mine.values.map(Math.abs)), `${c.name} ${port} on ${backend} is not all zeros`).toBeGreaterThan(1e-3);
    }
  }
}

const def = (type: string) => registry.get(type)!;

describe.skipIf(!torchAvailable())('numerical parity with PyTorch (eval mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lggan-parity-'));
  const cases = new Map<string, Case>();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const add = (c: Case) => cases.set(c.name, c);
    const semantic = randomInput([1, 16, 16, 4], 1, 'one-hot');
    add(
      await nodeCase(dir, 'encoder', def('lggan/encoder'), { ngf: 2, downsamples: 4, latent_height: 1, latent_width: 1 }, { x: randomInput([1, 32, 32, 4], 2) }, {
        kind: 'encoder', config: { in_nc: 4, ngf: 2, downsamples: 4, latent: [1, 1] }, order: ['x'],
      }, 10),
    );
    add(
      await nodeCase(dir, 'local_trunk', def('lggan/local-trunk'), { blocks: 2, up_channels: 4, out_channels: 2 }, { x_encode: randomInput([1, 4, 4, 8], 3) }, {
        kind: 'local_trunk', config: { channels: 8, blocks: 2, up: 4, out: 2 }, order: ['x_encode'],
      }, 11),
    );
    add(
      await nodeCase(dir, 'spade_resblock_shortcut', def('lggan/spade-resblock'), { out_channels: 4, hidden: 5, official_name: 'up_0' }, { x: randomInput([1, 8, 8, 6], 4), semantic }, {
        kind: 'spade_resblock', config: { fin: 6, fout: 4, label_nc: 4, hidden: 5 }, modulePath: 'up_0', order: ['x', 'semantic'],
      }, 12),
    );
    add(
      await nodeCase(dir, 'spade_resblock_identity', def('lggan/spade-resblock'), { out_channels: 4, hidden: 3, official_name: 'G_middle_1' }, { x: randomInput([1, 4, 4, 4], 5), semantic }, {
        kind: 'spade_resblock', config: { fin: 4, fout: 4, label_nc: 4, hidden: 3 }, modulePath: 'G_middle_1', order: ['x', 'semantic'],
      }, 13),
    );
    add(
      await nodeCase(dir, 'spade', def('lggan/spade-norm'), { hidden: 4, official_name: 'head_0.norm_0' }, { x: randomInput([1, 8, 8, 3], 6), semantic }, {
        kind: 'spade', config: { norm_nc: 3, label_nc: 4, hidden: 4 }, modulePath: 'head_0.norm_0', order: ['x', 'semantic'],
      }, 14),
    );
    add(
      await nodeCase(dir, 'global_generator', def('lggan/global-generator'), { ngf: 1, spade_hidden: 3, upsampling_mode: 'normal', keep_unused_official: true }, { latent: randomInput([1, 1, 1, 16], 7), semantic: randomInput([1, 32, 32, 4], 8, 'one-hot') }, {
        kind: 'global_generator', config: { ngf: 1, label_nc: 4, hidden: 3, more: false }, order: ['latent', 'semantic'],
      }, 15),
    );
    const masks = randomInput([1, 16, 16, 3], 9, 'one-hot');
    const features = randomInput([1, 16, 16, 2], 10);
    for (const algorithm of ['grouped-conv', 'disjoint-masks']) {
      add(
        await nodeCase(dir, `local_generators_${algorithm}`, def('lggan/local-generators'), { combine: 'fusion-conv', algorithm }, { features, masks }, {
          kind: 'local_generators', config: { channels: 2, classes: 3, first_index: 0, fusion: true }, order: ['features', 'masks'],
        }, 16),
      );
    }
    add(
      await nodeCase(dir, 'local_generators_sum', def('lggan/local-generators'), { combine: 'sum', first_index: 1 }, { features, masks }, {
        kind: 'local_generators', config: { channels: 2, classes: 3, first_index: 1, fusion: false }, order: ['features', 'masks'],
      }, 17),
    );
    add(
      await nodeCase(dir, 'classification', def('lggan/classification'), { classes: 3 }, { features, masks }, {
        kind: 'classification', config: { channels: 2, classes: 3 }, order: ['features', 'masks'],
      }, 18),
    );
    add(
      await nodeCase(dir, 'attention_fusion', def('lggan/attention-fusion'), { mode: 'attention', up_channels: 4, branch_channels: 3 }, {
        x_encode: randomInput([1, 4, 4, 6], 11), local: randomInput([1, 16, 16, 3], 12), global: randomInput([1, 16, 16, 3], 13),
      }, { kind: 'attention_fusion', config: { channels: 6, up: 4, branch: 3 }, order: ['x_encode', 'local', 'global'] }, 19),
    );
    const condition = randomInput([1, 32, 32, 4], 14, 'one-hot');
    const image = randomInput([1, 32, 32, 3], 15);
    add(
      await discriminatorCase(dir, 'multiscale_discriminator', def('lggan/multiscale-discriminator'), { num_D: 2, n_layers: 4, ndf: 2 }, condition, image, {
        kind: 'multiscale_discriminator', config: { in_nc: 7, ndf: 2, n_layers: 4, num_d: 2 },
      }, 20),
    );
    const source = randomInput([1, 32, 32, 3], 16);
    add(
      await discriminatorCase(dir, 'patch_discriminator', def('lggan/patch-discriminator'), { ndf: 2, n_layers: 3, sigmoid: true }, source, image, {
        kind: 'patch_discriminator', config: { in_nc: 6, ndf: 2, n_layers: 3 },
      }, 21),
    );
    tf.dispose([semantic, masks, features, condition, image, source]);
    runTorchScript('parity.py', [dir]);
  }, 300_000);

  it('encoder: reflect-padded conv 7×7, stride-2 convs, instance norm, ReLU, nearest latent', () => {
    expectParity(dir, cases.get('encoder')!, { features: 'features', x_encode: 'x_encode', latent: 'latent' }, LAYER_TOLERANCE);
  });
  it('local trunk: reflect-padded residual blocks and transposed convs (output_padding 1) with instance norm', () => {
    expectParity(dir, cases.get('local_trunk')!, { middle: 'middle', features: 'features' }, LAYER_TOLERANCE);
  });
  it('SPADE residual block with a learned shortcut: spectral norm in eval mode, batch-norm running statistics', () => {
    expectParity(dir, cases.get('spade_resblock_shortcut')!, { y: 'y' }, LAYER_TOLERANCE);
  });
  it('SPADE residual block with the identity shortcut', () => {
    expectParity(dir, cases.get('spade_resblock_identity')!, { y: 'y' }, LAYER_TOLERANCE);
  });
  it('SPADE norm', () => {
    expectParity(dir, cases.get('spade')!, { y: 'y' }, LAYER_TOLERANCE);
  });
  it('global SPADE generator (normal upsampling, with the unused fc loaded)', () => {
    expectParity(dir, cases.get('global_generator')!, { image: 'image' }, LAYER_TOLERANCE);
  });
  it.each(['grouped-conv', 'disjoint-masks'])('class-specific generators: masking, reflect-padded 7×7 sub-generators, fusion conv (%s)', (algorithm) => {
    expectParity(dir, cases.get(`local_generators_${algorithm}`)!, { class_images: 'class_images', local: 'local' }, LAYER_TOLERANCE);
  });
  it('class-specific generators summed (cross-view, deconv5_1 …)', () => {
    expectParity(dir, cases.get('local_generators_sum')!, { class_images: 'class_images', local: 'local' }, LAYER_TOLERANCE);
  });
  it('classification module: masked global average pooling and Linear', () => {
    expectParity(dir, cases.get('classification')!, { logits: 'logits' }, LAYER_TOLERANCE);
  });
  it('multi-scale discriminator: spectral-norm convs in eval mode, padding 2, instance norm, count_include_pad=False pooling (every block of both scales)', () => {
    const c = cases.get('multiscale_discriminator')!;
    expect(Object.keys(c.ours.cpu)).toHaveLength(10);
    expectParity(dir, c, Object.fromEntries(Object.keys(c.ours.cpu).map((k) => [k, k])), LAYER_TOLERANCE);
  });
  it('PatchGAN discriminator: instance norm with tracked running statistics in eval mode, sigmoid', () => {
    const c = cases.get('patch_discriminator')!;
    const last = Object.keys(c.ours.cpu).at(-1)!;
    expectParity(dir, c, { [last]: 'out' }, LAYER_TOLERANCE);
  });
  it('attention fusion: transposed convs, 1×1 conv, softmax over the two maps', () => {
    expectParity(dir, cases.get('attention_fusion')!, { image: 'image', attention: 'attention' }, LAYER_TOLERANCE);
  });
});

describe.skipIf(!torchAvailable())('the whole tiny LGGAN generator in both frameworks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lggan-parity-g-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the PyTorch reference builds exactly the official Cityscapes G state_dict (keys, order, shapes)', () => {
    const ours = JSON.parse(runTorchScript('reference_keys.py', []));
    expect(ours).toEqual(referenceEntries('cityscapes_G').map((e) => [e.key, e.shape]));
  });

  it('lggan-cityscapes-tiny (3 classes, ngf 2) on cpu and wasm: final, global, local, attention, class images and logits within 1e-4', async () => {
    const ir = resolveShipped('lggan-cityscapes-tiny.json', { num_classes: 3, ngf: 2, ndf: 2 });
    const weights = plausibleStateDict(officialStateDict(ir, 'G'), 99);
    // Label ids in blocks (every class present) and instance ids splitting one class in two.
    const [h, w] = [64, 128];
    const fed = new Int32Array(h * w * 2);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const label = (Math.floor(x / 16) + Math.floor(y / 16)) % 3;
        fed[(y * w + x) * 2] = label;
        fed[(y * w + x) * 2 + 1] = label === 1 ? 1000 + Math.floor(x / 40) : label;
      }
    const labels = tf.tensor4d(fed, [1, h, w, 2], 'int32');
    const ports = { final: 'fusion:image', global: 'global:image', local: 'local:local', attention: 'fusion:attention', class_images: 'local:class_images', logits: 'classifier:logits' };
    let semantic: tf.Tensor | undefined;
    try {
      const ours = await onEachBackend({ labels }, (feeds) => {
        const program = compileProgram(ir);
        try {
          const { report } = importCheckpointBytes(writeTorchCheckpoint(weights), program);
          expect(report.missing).toEqual([]);
          expect(report.ignored.map((i) => i.key).filter((k) => k.startsWith('fc.'))).toEqual(['fc.weight', 'fc.bias']);
          const results = program.run(feeds, { outputs: [...Object.values(ports), 'labels:semantic'] });
          const values: Outputs = {};
          for (const [name, port] of Object.entries(ports)) values[name] = { shape: [...results[port].shape], values: results[port].dataSync() as Float32Array };
          semantic ??= tf.tensor(results['labels:semantic'].dataSync(), results['labels:semantic'].shape);
          tf.dispose(Object.values(results));
          return values;
        } finally {
          program.dispose();
        }
      });
      writeCase(dir, 'generator', { kind: 'generator', config: { classes: 3, semantic_nc: 4, ngf: 2, hidden: 8, more: true, latent: [1, 2] }, inputs: [['seg', semantic!]] }, weights);
      runTorchScript('parity.py', [dir]);
      expectParity(dir, { name: 'generator', ours }, Object.fromEntries(Object.keys(ports).map((k) => [k, k])), GENERATOR_TOLERANCE);
    } finally {
      tf.dispose([labels, ...(semantic ? [semantic] : [])]);
    }
  }, 300_000);
});
