/**
 * Sample grids: rows of equally sized cells (one row per sample, one column per kind of image),
 * separated by a gap, grey cells shown in RGB. A missing cell (undefined) stays background.
 */
import type { ByteImage } from './types.ts';

export interface GridOptions {
  /** Pixels between cells and around the grid (default 2). */
  gap?: number;
  /** Background grey level (default 255: white). */
  background?: number;
}

export function sampleGrid(rows: readonly (readonly (ByteImage | undefined)[])[], options: GridOptions = {}): ByteImage {
  const gap = options.gap ?? 2;
  const cells = rows.flat().filter((c): c is ByteImage => c !== undefined);
  if (cells.length === 0) throw new Error('a sample grid needs at least one image');
  const { width: cw, height: ch } = cells[0];
  const odd = cells.find((c) => c.width !== cw || c.height !== ch);
  if (odd) throw new Error(`grid cells must share one size: ${cw}×${ch} and ${odd.width}×${odd.height}`);
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * (cw + gap) + gap;
  const height = rows.length * (ch + gap) + gap;
  const data = new Uint8Array(width * height * 3).fill(options.background ?? 255);
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (!cell) return;
      const left = gap + c * (cw + gap);
      const top = gap + r * (ch + gap);
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const to = ((top + y) * width + left + x) * 3;
          const from = (y * cw + x) * cell.channels;
          for (let k = 0; k < 3; k++) data[to + k] = cell.data[from + (cell.channels === 3 ? k : 0)];
        }
      }
    }),
  );
  return { width, height, channels: 3, data };
}
