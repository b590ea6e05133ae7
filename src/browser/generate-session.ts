/**
 * Generation in a worker: one compiled generator (batch 1) with initial or checkpoint weights, run
 * in inference mode on label maps. Outputs are those `lggan generate --all` writes: the final image,
 * the other image outputs, the attention maps and the local generator's per-class images (classes
 * present in the map only). The input is a label map, or a sample of a run's dataset (the run
 * panel's "inspect sample": the sample's own fields are fed, and its condition and real image come
 * back beside the outputs). Free of worker globals, so it runs under vitest on tfjs-cpu.
 */
import { compileDocument, orThrow, resolveDocument } from '../compiler/open-program.ts';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, type NodeRegistry } from '../../nodes/index.ts';
import { generatorOutputs, type GeneratorOutputs } from '../compiler/outputs.ts';
import type { Feeds, Program } from '../compiler/program.ts';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { canonicalJson } from '../graph/hash.ts';
import { dataNeeds, loadDropped } from '../runtime/data/browser-dataset.ts';
import { FIELD, type Dataset, type Sample, type SampleField } from '../runtime/data/dataset.ts';
import { isIdRaster } from '../runtime/data/raster.ts';
import { graphInputs, toFeeds, type GraphInput } from '../runtime/data/feeds.ts';
import { resizeNearest } from '../runtime/data/resample.ts';
import { CROSS_VIEW_GROUPS, paletteFor } from '../runtime/data/browser-palettes.ts';
import { rasterToImage, tensorToImages, UNIT_RANGE } from '../runtime/images/convert.ts';
import type { ByteImage } from '../runtime/images/types.ts';
import type { BackendChoice, BackendSetting } from './backend.ts';
import { parseBackendSetting } from './backend.ts';
import { datasetFor } from './data.ts';
import { RunSetupError, toRunError } from './errors.ts';
import type {
  GeneratedMessage,
  GeneratePageMessage,
  GenerateRequest,
  GenerateSampleRequest,
  GenerateWorkerMessage,
  GeneratorInfo,
  InspectedSample,
  LoadRequest,
} from './generate-protocol.ts';
import { storableDataset, type DatasetSpec, type SampleImage } from './protocol.ts';

export interface GenerateHost {
  post(message: GenerateWorkerMessage, transfer?: Transferable[]): void;
  selectBackend(setting: BackendSetting): Promise<BackendChoice>;
  registry?: NodeRegistry;
  now?: () => number;
}

/** Inputs a label map (and, for cross-view, an aerial photo) can provide. */
const FROM_LABEL_MAPS = new Set(['labels', 'semantic', 'noise']);
const CROSS_VIEW_FIELDS = new Set(['aerial', FIELD.groundSemantic, FIELD.greyLabels]);

interface Loaded {
  program: Program;
  outputs: GeneratorOutputs;
  /** The inputs the outputs depend on (what is fed). */
  inputs: GraphInput[];
  /** Every input of the graph (what a dataset is fitted to, as a training run fits it). */
  allInputs: GraphInput[];
  info: GeneratorInfo;
  /** Datasets of generate-sample requests, by their spec without files. */
  datasets: Map<string, Dataset>;
}

function rgbaOf(image: ByteImage, name: string): SampleImage {
  const n = image.width * image.height;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = image.data[p * image.channels + (image.channels === 3 ? c : 0)];
    rgba[p * 4 + 3] = 255;
  }
  return { name, width: image.width, height: image.height, rgba };
}

/** Cross-view fields from group ids 0…5: the ground colour semantic map and the grey label image, both in [-1, 1]. */
export function crossViewFields(ids: Int32Array, width: number, height: number): Record<string, SampleField> {
  const colour = new Float32Array(ids.length * 3);
  const grey = new Float32Array(ids.length * 3);
  for (let p = 0; p < ids.length; p++) {
    const group = CROSS_VIEW_GROUPS[Math.min(Math.max(ids[p], 0), CROSS_VIEW_GROUPS.length - 1)];
    for (let c = 0; c < 3; c++) {
      colour[p * 3 + c] = group.colour[c] / 127.5 - 1;
      grey[p * 3 + c] = group.grey / 127.5 - 1;
    }
  }
  return {
    [FIELD.groundSemantic]: { width, height, channels: 3, data: colour },
    [FIELD.greyLabels]: { width, height, channels: 3, data: grey },
  };
}

/** Label ids in the colours the Generate tab's palette shows (unknown ids black). */
function colouriseIds(ids: Int32Array, width: number, height: number, numClasses: number): SampleImage {
  const palette = paletteFor(numClasses, false);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < ids.length; p++) {
    const c = palette.classes[ids[p]]?.colour ?? [0, 0, 0];
    rgba.set([c[0], c[1], c[2], 255], p * 4);
  }
  return { name: 'condition', width, height, rgba };
}

export class GenerateSession {
  private loaded: Loaded | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly registry: NodeRegistry;
  private readonly now: () => number;

  constructor(private readonly host: GenerateHost) {
    this.registry = host.registry ?? createRegistry();
    this.now = host.now ?? (() => performance.now());
  }

  /** Requests are handled one at a time, in order. Settles when this one is done. */
  handle(message: GeneratePageMessage): Promise<void> {
    this.queue = this.queue.then(async () => {
      try {
        if (message.type === 'load') await this.load(message);
        else await this.generate(message);
      } catch (e) {
        this.host.post({ type: 'error', id: message.id, error: toRunError(e) });
      }
    });
    return this.queue;
  }

  dispose(): void {
    this.loaded?.program.dispose();
    this.loaded = undefined;
  }

  private async load(message: LoadRequest): Promise<void> {
    let setting: BackendSetting;
    try {
      setting = parseBackendSetting(message.backend);
    } catch (e) {
      throw new RunSetupError('spec', (e as Error).message);
    }
    const choice = await this.host.selectBackend(setting);
    const resolved = orThrow(resolveDocument({ value: message.graph }, { registry: this.registry, batch: 1 }));
    this.dispose(); // the previous program goes before the next one allocates
    const { doc, program } = orThrow(compileDocument(resolved));
    try {
      const outputs = generatorOutputs(program);
      const allInputs = graphInputs(program);
      const inputs = allInputs.filter((i) => outputs.inputs.includes(i.id));
      const crossView = inputs.some((i) => CROSS_VIEW_FIELDS.has(i.id));
      const other = inputs.find((i) => !FROM_LABEL_MAPS.has(i.kind) && !(crossView && CROSS_VIEW_FIELDS.has(i.id)));
      if (other) throw new RunSetupError('graph', `the generator also reads input '${other.id}' (${other.kind}), which a label map cannot provide`);
      const spatial = inputs.find((i) => i.kind !== 'noise' && i.shape.length === 4);
      if (!spatial) throw new RunSetupError('graph', 'the generator reads no label input');
      const labelInput = inputs.find((i) => i.kind === 'labels' || i.kind === 'semantic');
      const numClasses = crossView ? CROSS_VIEW_GROUPS.length : Number(labelInput?.params.num_classes ?? program.ir.template.num_classes);
      const notes: string[] = [];
      let weights: Extract<GenerateWorkerMessage, { type: 'loaded' }>['weights'] = { source: 'initial' };
      if (message.checkpoint) {
        const report = loadCheckpoint(program, message.checkpoint, { mode: 'partial', networks: outputs.networks });
        if (report.missing.length > 0 || report.misshaped.length > 0) {
          const lines = [`the checkpoint does not fit this graph's generator (networks ${outputs.networks.join(', ')}):`];
          if (report.missing.length > 0) lines.push(`  missing (${report.missing.length}): ${report.missing.slice(0, 12).join(', ')}${report.missing.length > 12 ? ', …' : ''}`);
          for (const m of report.misshaped.slice(0, 12)) lines.push(`  misshaped: '${m.name}' is [${m.expected.join(', ')}] in the graph but [${m.got.join(', ')}] in the file`);
          throw new RunSetupError('checkpoint', lines.join('\n'));
        }
        if (report.unexpected.length > 0) notes.push(`the checkpoint also holds ${report.unexpected.length} variables this graph does not have (ignored)`);
        if (report.sameGraph === false) notes.push(`the checkpoint was made for another version of the graph ('${report.record?.graphName}'); its generator variables fit`);
        weights = { source: 'checkpoint', step: report.record?.step ?? null, graphName: report.record?.graphName ?? null };
      }
      const info: GeneratorInfo = {
        height: spatial.shape[1],
        width: spatial.shape[2],
        numClasses,
        crossView,
        images: [outputs.final.name, ...outputs.images.map((o) => o.name)],
        attention: outputs.attention.map((o) => o.name),
        perClass: outputs.classImages !== undefined,
      };
      this.loaded = { program, outputs, inputs, allInputs, info, datasets: new Map() };
      this.host.post({ type: 'loaded', id: message.id, backend: choice.backend, attempts: choice.attempts, graphName: doc.meta.name, generator: info, weights, notes });
    } catch (e) {
      if (this.loaded?.program !== program) program.dispose();
      throw e;
    }
  }

  /** The sample a label map gives, at the generator's size (nearest resize keeps ids ids). */
  private sampleOf(message: GenerateRequest, loaded: Loaded, notes: string[]): Sample {
    const { width, height, numClasses, crossView } = loaded.info;
    let labels = { width: message.labels.width, height: message.labels.height, channels: 1, data: message.labels.data };
    if (labels.data.length !== labels.width * labels.height) throw new RunSetupError('spec', `the label map has ${labels.data.length} values for ${labels.width}×${labels.height}`);
    if (labels.width !== width || labels.height !== height) {
      notes.push(`the label map is ${labels.width}×${labels.height}; resized (nearest) to the generator's ${width}×${height}`);
      labels = resizeNearest(labels, width, height);
    }
    for (const v of labels.data) {
      if (v < 0 || v > numClasses) throw new RunSetupError('spec', `the label map holds id ${v}, beyond the generator's ${numClasses} classes (0 … ${numClasses - 1}, ${numClasses} = unknown)`);
    }
    const fields: Record<string, SampleField> = { [FIELD.labels]: labels, [FIELD.instances]: labels };
    if (crossView) {
      Object.assign(fields, crossViewFields(labels.data, width, height));
      const aerial = new Float32Array(width * height * 3);
      if (message.aerial) {
        const a = message.aerial;
        const src = { width: a.width, height: a.height, channels: 3, data: Float32Array.from({ length: a.width * a.height * 3 }, (_, i) => a.rgba[Math.floor(i / 3) * 4 + (i % 3)] / 127.5 - 1) };
        fields.aerial = a.width === width && a.height === height ? src : resizeNearest(src, width, height);
      } else {
        notes.push('no aerial photo given: a mid-grey image stands in');
        fields.aerial = { width, height, channels: 3, data: aerial };
      }
    }
    return { id: 'drawn', width, height, fields };
  }

  /** A run's dataset fitted to the loaded graph (cached per spec while the graph stays loaded). */
  private async datasetOf(spec: DatasetSpec, loaded: Loaded): Promise<Dataset> {
    const key = canonicalJson(storableDataset(spec));
    const cached = loaded.datasets.get(key);
    if (cached) return cached;
    let dataset: Dataset;
    if (spec.kind === 'synthetic') {
      try {
        dataset = datasetFor(loaded.allInputs, spec);
      } catch (e) {
        throw new RunSetupError('spec', `the synthetic dataset cannot feed this graph: ${(e as Error).message}`);
      }
    } else if (spec.kind === 'files') {
      if (!spec.dropped) throw new RunSetupError('spec', `the files of dataset '${spec.name}' are not here: drop the folder or archive again`);
      let needs;
      try {
        needs = dataNeeds(loaded.allInputs, loaded.program.ir.template);
      } catch (e) {
        throw new RunSetupError('spec', (e as Error).message);
      }
      dataset = (await loadDropped(spec.dropped, spec.layout, needs)).dataset;
    } else {
      throw new RunSetupError('spec', `dataset.kind must be 'synthetic' or 'files', got ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
    }
    loaded.datasets.set(key, dataset);
    return dataset;
  }

  /** Sample `index` of the request's dataset, unaugmented, with its condition and real image as RGBA. */
  private async datasetSample(message: GenerateSampleRequest, loaded: Loaded): Promise<{ sample: Sample; inspected: InspectedSample }> {
    const dataset = await this.datasetOf(message.dataset, loaded);
    const { index } = message;
    if (!Number.isSafeInteger(index) || index < 0 || index >= dataset.size) {
      throw new RunSetupError('spec', `sample ${JSON.stringify(index)} is not in dataset '${dataset.name}': it has ${dataset.size} samples (0 … ${dataset.size - 1})`);
    }
    const sample = await dataset.sample(index);
    const inspected: InspectedSample = { index, count: dataset.size };
    const labels = sample.fields[FIELD.labels];
    const semantic = sample.fields[FIELD.groundSemantic];
    if (loaded.info.crossView && semantic && !isIdRaster(semantic)) inspected.condition = rgbaOf(rasterToImage(semantic), 'condition');
    else if (labels && isIdRaster(labels)) inspected.condition = colouriseIds(labels.data, labels.width, labels.height, loaded.info.numClasses);
    const real = sample.fields[FIELD.real];
    if (real && !isIdRaster(real)) inspected.real = rgbaOf(rasterToImage(real), 'real');
    return { sample, inspected };
  }

  private async generate(message: GenerateRequest | GenerateSampleRequest): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) throw new RunSetupError('spec', 'no generator is loaded: send a load request first');
    const started = this.now();
    const notes: string[] = [];
    const { program, outputs, inputs } = loaded;
    let sample: Sample;
    let inspected: InspectedSample | undefined;
    if (message.type === 'generate') sample = this.sampleOf(message, loaded, notes);
    else ({ sample, inspected } = await this.datasetSample(message, loaded));
    const feeds: Feeds = toFeeds([sample], inputs);
    const keys = [outputs.final.key, ...outputs.images.map((o) => o.key), ...outputs.attention.map((o) => o.key)];
    if (outputs.classImages) keys.push(outputs.classImages.key, outputs.classImages.masks);
    // Yield before the forward pass, so the worker answers its port between requests.
    await tf.nextFrame();
    let results: Record<string, tf.Tensor>;
    try {
      results = program.run(feeds, { outputs: keys, training: false });
    } finally {
      tf.dispose(Object.values(feeds));
    }
    try {
      const first = async (key: string, group: 1 | 3, range?: readonly [number, number]) => (await tensorToImages(results[key], { group, range }))[0];
      const images = [rgbaOf((await first(outputs.final.key, 3))[0], outputs.final.name)];
      for (const o of outputs.images) images.push(rgbaOf((await first(o.key, 3))[0], o.name));
      const attention: SampleImage[] = [];
      for (const o of outputs.attention) {
        const maps = await first(o.key, 1, UNIT_RANGE);
        const names = maps.length === 2 ? ['local', 'global'] : maps.map((_, c) => String(c));
        maps.forEach((m, c) => attention.push(rgbaOf(m, `${o.name} ${names[c]}`)));
      }
      const perClass: GeneratedMessage['perClass'] = [];
      if (outputs.classImages) {
        const classImages = await first(outputs.classImages.key, 3);
        const masks = results[outputs.classImages.masks];
        const [, h, w, k] = masks.shape;
        const values = await masks.data();
        for (let c = 0; c < k; c++) {
          for (let p = 0; p < h * w; p++) {
            if (values[p * k + c] > 0) {
              perClass.push({ classId: c, image: rgbaOf(classImages[c], `class ${c}`) });
              break;
            }
          }
        }
      }
      const all = [...images, ...attention, ...perClass.map((p) => p.image)];
      const reply: GeneratedMessage = { type: 'generated', id: message.id, images, attention, perClass, notes, ms: this.now() - started };
      if (inspected) {
        reply.sample = inspected;
        for (const extra of [inspected.condition, inspected.real]) if (extra) all.push(extra);
      }
      this.host.post(reply, all.map((i) => i.rgba.buffer));
    } finally {
      tf.dispose(Object.values(results));
    }
  }
}
