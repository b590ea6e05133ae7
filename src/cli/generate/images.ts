/**
 * A generator run's tensors → the files `lggan generate` writes for one label map:
 *   <name>.png                     the final image
 * and with --all:
 *   <name>_<output>.png            every other image output (LGGAN: _global, _local)
 *   <name>_<output>_local.png      a 2-channel attention map as two grey images (LGGAN: channel 0
 *   <name>_<output>_global.png       weights the local image, channel 1 the global one); other
 *                                  channel counts give <name>_<output>_<c>.png
 *   <name>_class_<k>.png           the local generator's image of class-mask channel k, for each k
 *                                  present in the masks (= class id k with one-hot masks)
 */
import type * as tf from '@tensorflow/tfjs-core';
import { tensorToImages, UNIT_RANGE, type ByteImage } from '../../runtime/images/index.ts';
import type { GeneratorOutputs } from '../../compiler/outputs.ts';

export interface NamedImage {
  file: string;
  image: ByteImage;
}

/** Mask channels with at least one pixel set, in image 0 of the batch. */
async function presentChannels(masks: tf.Tensor): Promise<number[]> {
  const [, h, w, k] = masks.shape;
  const values = await masks.data();
  const present: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < h * w; p++) {
      if (values[p * k + c] > 0) {
        present.push(c);
        break;
      }
    }
  }
  return present;
}

/** Image 0 of each requested output, named; `results` holds what outputKeys asked for. */
export async function namedImages(stem: string, o: GeneratorOutputs, results: Record<string, tf.Tensor>, options: { all: boolean }): Promise<NamedImage[]> {
  const first = async (key: string, group: 1 | 3, range?: readonly [number, number]) => (await tensorToImages(results[key], { group, range }))[0];
  const files: NamedImage[] = [{ file: `${stem}.png`, image: (await first(o.final.key, 3))[0] }];
  if (!options.all) return files;
  for (const out of o.images) files.push({ file: `${stem}_${out.name}.png`, image: (await first(out.key, 3))[0] });
  for (const out of o.attention) {
    const maps = await first(out.key, 1, UNIT_RANGE);
    const suffixes = maps.length === 2 ? ['local', 'global'] : maps.map((_, c) => String(c));
    maps.forEach((image, c) => files.push({ file: `${stem}_${out.name}_${suffixes[c]}.png`, image }));
  }
  if (o.classImages) {
    const perClass = await first(o.classImages.key, 3);
    for (const k of await presentChannels(results[o.classImages.masks])) files.push({ file: `${stem}_class_${k}.png`, image: perClass[k] });
  }
  return files;
}

export interface NamedArray {
  file: string;
  data: Float32Array;
  /** H×W×C: image 0 of the batch. */
  shape: number[];
}

/** Image 0 of a B×H×W×C tensor as it is: float32, no clamping or rescaling. */
async function firstOfBatch(t: tf.Tensor): Promise<{ data: Float32Array; shape: number[] }> {
  const [, ...rest] = t.shape;
  const size = rest.reduce((n, d) => n * d, 1);
  const all = await t.data();
  return { data: Float32Array.from(all.subarray(0, size)), shape: rest };
}

/**
 * The --format npy counterpart of namedImages: <name>.npy the final output, with --all also
 * <name>_<output>.npy for the other images and attention maps and <name>_class_images.npy
 * (H×W×3K), each the network's values as computed.
 */
export async function namedArrays(stem: string, o: GeneratorOutputs, results: Record<string, tf.Tensor>, options: { all: boolean }): Promise<NamedArray[]> {
  const files: NamedArray[] = [{ file: `${stem}.npy`, ...(await firstOfBatch(results[o.final.key])) }];
  if (!options.all) return files;
  for (const out of [...o.images, ...o.attention]) files.push({ file: `${stem}_${out.name}.npy`, ...(await firstOfBatch(results[out.key])) });
  if (o.classImages) files.push({ file: `${stem}_class_images.npy`, ...(await firstOfBatch(results[o.classImages.key])) });
  return files;
}
