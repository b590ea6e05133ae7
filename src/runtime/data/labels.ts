/**
 * Label-id conventions of the official loaders, with a range check that names the file:
 * - Cityscapes / generic: ids 0 … num_classes−1; 255 ("unknown") becomes num_classes (SPADE's
 *   `label[label == 255] = label_nc`), so with no don't-care channel it one-hot encodes to zeros.
 * - ADE20K: shifted by −1; the original 0 ("unknown") becomes num_classes, the don't-care channel.
 */
import { DatasetError } from './errors.ts';
import type { IdRaster } from './raster.ts';

export interface LabelRule {
  numClasses: number;
  /** ADE20K's shift: raw k → k − 1, raw 0 → numClasses. */
  shift?: boolean;
  /** Raw value meaning unknown, mapped to numClasses (default 255; null: none). */
  unknown?: number | null;
}

/** Raw ids → model ids, or a DatasetError naming the file, the largest id found and num_classes. */
export function convertLabels(raw: IdRaster, rule: LabelRule, file: string): IdRaster {
  const { numClasses, shift = false } = rule;
  const unknown = rule.unknown === undefined ? 255 : rule.unknown;
  const maxValid = shift ? numClasses : numClasses - 1;
  const out = new Int32Array(raw.data.length);
  let worst = -1;
  for (let i = 0; i < out.length; i++) {
    const v = raw.data[i];
    if (v === unknown) out[i] = numClasses;
    else if (v > maxValid || v < 0) worst = Math.max(worst, v);
    else out[i] = shift ? (v === 0 ? numClasses : v - 1) : v;
  }
  if (worst >= 0) {
    const valid = shift
      ? `raw ids 0…${numClasses} (0 = unknown, k = class k−1)`
      : `ids 0…${numClasses - 1}`;
    const unknownNote = unknown === null ? '' : `, and ${unknown} = unknown`;
    throw new DatasetError('label-range', file, `label ids go up to ${worst}, beyond num_classes ${numClasses} (valid: ${valid}${unknownNote})`);
  }
  return { ...raw, data: out };
}
