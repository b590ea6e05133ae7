/**
 * Label maps in the Generate tab: an Int32 id per pixel, painted with round brushes, shown in the
 * palette's colours, filled, and read from an uploaded grey PNG (ids as pixel values, 255 = unknown).
 * Pure functions over IdMap, unit-tested; the canvas only shows what they return.
 */
import type { ClassPalette } from '../../runtime/data/browser-palettes.ts';
import type { DecodedImage } from '../../runtime/data/image-decoder.ts';
import { toIdMap } from '../../runtime/data/image-decoder.ts';
import { convertLabels } from '../../runtime/data/labels.ts';
import type { IdMap } from '../../browser/generate-protocol.ts';

export function blankMap(width: number, height: number, fill: number): IdMap {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`a label map needs a size of at least 1×1, got ${width}×${height}`);
  return { width, height, data: new Int32Array(width * height).fill(fill) };
}

/** Paints a disc of `radius` pixels (radius 0: one pixel) centred on (cx, cy), in place; returns the pixels changed. */
export function paintDisc(map: IdMap, cx: number, cy: number, radius: number, id: number): number {
  let changed = 0;
  const r = Math.max(0, radius);
  for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(map.height - 1, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(map.width - 1, Math.ceil(cx + r)); x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 > r * r + 1e-9) continue;
      const p = y * map.width + x;
      if (map.data[p] !== id) {
        map.data[p] = id;
        changed++;
      }
    }
  }
  return changed;
}

/** Paints discs along the segment from (x0, y0) to (x1, y1), so fast strokes leave no gaps. */
export function paintLine(map: IdMap, x0: number, y0: number, x1: number, y1: number, radius: number, id: number): number {
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / Math.max(0.5, radius / 2)));
  let changed = 0;
  for (let i = 0; i <= steps; i++) changed += paintDisc(map, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, radius, id);
  return changed;
}

/** RGBA bytes of the map in the palette's colours (unknown and out-of-range ids black). */
export function colourise(map: IdMap, palette: ClassPalette): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(map.width * map.height * 4);
  for (let p = 0; p < map.data.length; p++) {
    const c = palette.classes[map.data[p]]?.colour ?? [0, 0, 0];
    rgba[p * 4] = c[0];
    rgba[p * 4 + 1] = c[1];
    rgba[p * 4 + 2] = c[2];
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** Distinct ids in the map with their pixel counts, most frequent first. */
export function classCounts(map: IdMap): { id: number; pixels: number }[] {
  const counts = new Map<number, number>();
  for (const v of map.data) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([id, pixels]) => ({ id, pixels })).sort((a, b) => b.pixels - a.pixels || a.id - b.id);
}

/**
 * An uploaded label map (decoded PNG) → model ids: a grey PNG whose values are ids 0 … numClasses−1,
 * 255 meaning unknown (→ numClasses). Errors are DatasetErrors naming the file (colour PNG, JPEG,
 * ids beyond num_classes).
 */
export function labelMapFromImage(image: DecodedImage, file: string, numClasses: number): IdMap {
  const ids = convertLabels(toIdMap(image, file), { numClasses }, file);
  return { width: ids.width, height: ids.height, data: ids.data as Int32Array<ArrayBuffer> };
}

export interface PresentClass {
  id: number;
  /** The palette's name, or 'unknown' for the don't-care id and ids the palette does not have. */
  name: string;
  colour: readonly [number, number, number];
  /** Share of the map's pixels, 0…1. */
  share: number;
}

/** The classes painted in the map, most pixels first, named and coloured as the palette shows them. */
export function presentClasses(map: IdMap, palette: ClassPalette): PresentClass[] {
  const total = Math.max(1, map.data.length);
  return classCounts(map).map(({ id, pixels }) => {
    const known = palette.classes[id];
    return { id, name: known && id !== palette.unknownId ? known.name : 'unknown', colour: known?.colour ?? [0, 0, 0], share: pixels / total };
  });
}

/** "62 %", "< 1 %": a share as the class list shows it. */
export function shareText(share: number): string {
  const percent = Math.round(share * 100);
  return percent === 0 && share > 0 ? '< 1 %' : `${percent} %`;
}
