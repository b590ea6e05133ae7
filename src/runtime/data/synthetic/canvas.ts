/** A tiny painter for the synthetic scenes: class index, thing (instance) number and colour per pixel. */
import { SCENE_CLASSES, type SceneClass } from './classes.ts';

/** Writes a colour (0..255 per channel) for pixel (x, y) into `out`. */
export type Shade = (x: number, y: number, out: number[]) => void;

const CLASS_INDEX = new Map<SceneClass, number>(SCENE_CLASSES.map((c, i) => [c, i]));

export class Canvas {
  /** Index into SCENE_CLASSES. */
  readonly cls: Uint8Array;
  /** Instance number within its class (−1: stuff). */
  readonly thing: Int32Array;
  readonly rgb: Float32Array;
  private readonly colour = [0, 0, 0];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.cls = new Uint8Array(width * height);
    this.thing = new Int32Array(width * height).fill(-1);
    this.rgb = new Float32Array(width * height * 3);
  }

  /** Paint pixels x0 ≤ x < x1, y0 ≤ y < y1 (clipped) for which `inside` holds. */
  fill(x0: number, y0: number, x1: number, y1: number, cls: SceneClass, shade: Shade, thing = -1, inside?: (x: number, y: number) => boolean): void {
    const index = CLASS_INDEX.get(cls)!;
    const [xa, xb] = [Math.max(0, Math.floor(x0)), Math.min(this.width, Math.ceil(x1))];
    const [ya, yb] = [Math.max(0, Math.floor(y0)), Math.min(this.height, Math.ceil(y1))];
    const c = this.colour;
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        if (inside && !inside(x, y)) continue;
        const p = y * this.width + x;
        shade(x, y, c);
        this.cls[p] = index;
        this.thing[p] = thing;
        this.rgb[p * 3] = c[0];
        this.rgb[p * 3 + 1] = c[1];
        this.rgb[p * 3 + 2] = c[2];
      }
    }
  }

  /** Paint the ellipse with centre (cx, cy) and radii rx, ry (pixel centres inside it). */
  ellipse(cx: number, cy: number, rx: number, ry: number, cls: SceneClass, shade: Shade, thing = -1): void {
    const inside = (x: number, y: number) => ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1;
    this.fill(cx - rx - 1, cy - ry - 1, cx + rx + 1, cy + ry + 1, cls, shade, thing, inside);
  }
}

/** A flat colour. */
export function flat(colour: readonly number[]): Shade {
  return (_x, _y, out) => {
    out[0] = colour[0];
    out[1] = colour[1];
    out[2] = colour[2];
  };
}

export function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** `colour` scaled by `k` (clamped). */
export function setScaled(out: number[], colour: readonly number[], k: number): void {
  out[0] = clampByte(colour[0] * k);
  out[1] = clampByte(colour[1] * k);
  out[2] = clampByte(colour[2] * k);
}
