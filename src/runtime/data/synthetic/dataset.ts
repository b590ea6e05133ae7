/**
 * The embedded default dataset: seeded procedural street scenes, so a graph trains with nothing to
 * download. Sample n of seed s is the same bytes on every run and platform. Label ids are
 * Cityscapes ids by default (the Cityscapes graphs train on it) or compact 0 … K−1; cars and
 * people get distinct instance ids (Cityscapes convention: class id · 1000 + k; stuff pixels hold
 * their class id), so the instance-edge channel has something to show. The cross-view variant adds
 * the aerial view of the same street and the colour / grey (10…60) semantic panels.
 */
import { hashString, uniformStream } from '../../../compiler/rng.ts';
import { augmentationStream, checkIndex, CROSS_VIEW_PANELS, FIELD, fingerprintOf, type Dataset, type DatasetInfo, type Sample, type SampleField } from '../dataset.ts';
import { flipHorizontal, type ImageRaster } from '../raster.ts';
import type { Canvas } from './canvas.ts';
import { ADE20K_CLASSES, CITYSCAPES_COLOURS, classIds, GREY_VALUES, REQUIRED_CLASSES, SCENE_CLASSES, type IdSpace, type SceneClass } from './classes.ts';
import { renderAerial, renderGround } from './render.ts';
import { generateScene } from './scene.ts';

/** Bumped whenever the generator's output changes, so old run records do not claim the new data. */
export const SYNTHETIC_VERSION = 1;

export interface SyntheticSceneOptions {
  /** Sample size (default 64×64). */
  width?: number;
  height?: number;
  /** Number of samples (default 256). */
  count?: number;
  seed?: number;
  /** 'cityscapes' (default): Cityscapes label ids; 'ade20k': ADE20K ids after the official −1 shift; 'compact': 0 … K−1 in SCENE_CLASSES order. */
  idSpace?: IdSpace;
  /** Classes in the scenes (default all; sky, road, building, vegetation and car are required). */
  classes?: readonly SceneClass[];
  /** num_classes the ids must fit (default 35 for Cityscapes ids, 150 for ADE20K, K for compact). */
  numClasses?: number;
  /** 'semantic' (labels → image, default) or 'cross-view' (six panels, as loadCrossView gives). */
  variant?: 'semantic' | 'cross-view';
  /** Instance ids (default true). */
  instances?: boolean;
  /** Random flips when augmenting (default: true for semantic, false for cross-view as --no_flip). */
  flip?: boolean;
}

export interface SyntheticDataset extends Dataset {
  /** Id of each class present. */
  readonly ids: ReadonlyMap<SceneClass, number>;
  /** A sample, synchronously (sample() wraps this). */
  render(index: number, flip?: boolean): Sample;
}

type Resolved = Required<Omit<SyntheticSceneOptions, 'classes'>> & { classes: SceneClass[] };

function resolve(options: SyntheticSceneOptions): Resolved {
  const classes = SCENE_CLASSES.filter((c) => (options.classes ?? SCENE_CLASSES).includes(c));
  for (const c of REQUIRED_CLASSES) if (!classes.includes(c)) throw new RangeError(`synthetic scenes need class '${c}'`);
  const idSpace = options.idSpace ?? 'cityscapes';
  const variant = options.variant ?? 'semantic';
  const resolved: Resolved = {
    width: options.width ?? 64,
    height: options.height ?? 64,
    count: options.count ?? 256,
    seed: options.seed ?? 0,
    idSpace,
    classes,
    numClasses: options.numClasses ?? (idSpace === 'cityscapes' ? 35 : idSpace === 'ade20k' ? ADE20K_CLASSES : classes.length),
    variant,
    instances: options.instances ?? true,
    flip: options.flip ?? variant === 'semantic',
  };
  for (const [k, v] of Object.entries({ width: resolved.width, height: resolved.height, count: resolved.count })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`synthetic scenes: ${k} must be a positive integer, got ${v}`);
  }
  return resolved;
}

function idRaster(canvas: Canvas, value: (cls: SceneClass, thing: number) => number) {
  const data = new Int32Array(canvas.width * canvas.height);
  for (let p = 0; p < data.length; p++) data[p] = value(SCENE_CLASSES[canvas.cls[p]], canvas.thing[p]);
  return { width: canvas.width, height: canvas.height, channels: 1, data };
}

function image(width: number, height: number, colourOf: (p: number, out: Float32Array, at: number) => void): ImageRaster {
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) colourOf(p, data, p * 3);
  for (let i = 0; i < data.length; i++) data[i] = data[i] / 127.5 - 1;
  return { width, height, channels: 3, data };
}

const photo = (c: Canvas) =>
  image(c.width, c.height, (p, out, at) => {
    out[at] = c.rgb[p * 3];
    out[at + 1] = c.rgb[p * 3 + 1];
    out[at + 2] = c.rgb[p * 3 + 2];
  });

const colourSemantics = (c: Canvas) =>
  image(c.width, c.height, (p, out, at) => {
    const rgb = CITYSCAPES_COLOURS[SCENE_CLASSES[c.cls[p]]];
    out[at] = rgb[0];
    out[at + 1] = rgb[1];
    out[at + 2] = rgb[2];
  });

const greyLabels = (c: Canvas) =>
  image(c.width, c.height, (p, out, at) => {
    const v = GREY_VALUES[SCENE_CLASSES[c.cls[p]]];
    out[at] = out[at + 1] = out[at + 2] = v;
  });

export function syntheticScenes(options: SyntheticSceneOptions = {}): SyntheticDataset {
  const o = resolve(options);
  const ids = classIds(o.classes, o.idSpace);
  const enabled = new Set(o.classes);
  const [top, topId] = [...ids].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (topId >= o.numClasses) {
    throw new RangeError(`synthetic scenes: class '${top}' has id ${topId}, beyond num_classes ${o.numClasses}; use idSpace 'compact' for small graphs`);
  }
  const crossView = o.variant === 'cross-view';
  const fields = [FIELD.real, FIELD.labels, ...(o.instances ? [FIELD.instances] : []), ...(crossView ? CROSS_VIEW_PANELS.filter((f) => f !== FIELD.real) : [])];
  const info: DatasetInfo = { layout: 'synthetic-scene', width: o.width, height: o.height, fields, numClasses: o.numClasses, dontcare: false };

  function render(index: number, flip = false): Sample {
    checkIndex(dataset, index);
    const scene = generateScene(uniformStream(hashString(`scene:${o.seed}:${index}`)), enabled);
    const ground = renderGround(scene, o.width, o.height);
    const out: Record<string, SampleField> = {
      [FIELD.real]: photo(ground),
      [FIELD.labels]: idRaster(ground, (c) => ids.get(c)!),
    };
    if (o.instances) out[FIELD.instances] = idRaster(ground, (c, thing) => (thing < 0 ? ids.get(c)! : ids.get(c)! * 1000 + thing));
    if (crossView) {
      const aerial = renderAerial(scene, o.width, o.height);
      out[FIELD.aerial] = photo(aerial);
      out[FIELD.aerialSemantic] = colourSemantics(aerial);
      out[FIELD.groundSemantic] = colourSemantics(ground);
      out[FIELD.aerialGreyLabels] = greyLabels(aerial);
      out[FIELD.greyLabels] = greyLabels(ground);
    }
    if (flip) for (const k of Object.keys(out)) out[k] = flipHorizontal(out[k]);
    return { id: `scene-${index}`, width: o.width, height: o.height, fields: out };
  }

  const dataset: SyntheticDataset = {
    name: crossView ? 'synthetic-cross-view' : 'synthetic-scenes',
    size: o.count,
    fingerprint: `synthetic-scene:${o.count}:${fingerprintOf({ version: SYNTHETIC_VERSION, ...o })}`,
    info,
    ids,
    render,
    async sample(index, sampleOptions = {}) {
      const flip = o.flip && sampleOptions.augment === true && augmentationStream(index, sampleOptions)() < 0.5;
      return render(index, flip);
    },
  };
  return dataset;
}
