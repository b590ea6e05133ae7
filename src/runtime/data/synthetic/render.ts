/**
 * Rendering a Scene: the ground view (street-level photo and its labels) and the aerial view (a
 * top-down map of the same street). Textures are procedural (value noise), so every pixel of a
 * class has that class's look: blue sky gradient, grey road with dashed lane marks, facades with
 * window grids, noisy green foliage, car bodies with cabin glass and dark wheels.
 */
import { Canvas, clampByte, flat, setScaled, type Shade } from './canvas.ts';
import { grain, valueNoise } from './noise.ts';
import type { Building, Car, Person, Rgb, Scene } from './scene.ts';

const ROAD: Rgb = [78, 78, 84];
const LANE: Rgb = [226, 226, 218];
const WALK: Rgb = [176, 170, 164];
const TRUNK: Rgb = [96, 66, 40];
const POLE: Rgb = [126, 126, 132];
const GLASS: Rgb = [52, 64, 86];
const TYRE: Rgb = [24, 24, 26];
const SKIN: Rgb = [226, 186, 150];
const TROUSERS: Rgb = [40, 46, 72];

function skyShade(horizonPx: number, seed: number): Shade {
  return (x, y, out) => {
    const t = Math.min(1, y / Math.max(1, horizonPx));
    const n = (valueNoise(seed, x, y, 8) - 0.5) * 10;
    out[0] = clampByte(64 + 96 * t + n);
    out[1] = clampByte(116 + 84 * t + n);
    out[2] = clampByte(196 + 44 * t + n);
  };
}

function foliage(seed: number): Shade {
  return (x, y, out) => {
    const n = 0.65 * valueNoise(seed, x, y, 3) + 0.35 * grain(seed, x, y);
    out[0] = clampByte(40 + 50 * n);
    out[1] = clampByte(92 + 80 * n);
    out[2] = clampByte(26 + 30 * n);
  };
}

function roadShade(seed: number, lane: (x: number, y: number) => boolean): Shade {
  return (x, y, out) => {
    if (lane(x, y)) return setScaled(out, LANE, 0.95 + 0.05 * grain(seed, x, y));
    setScaled(out, ROAD, 0.88 + 0.2 * grain(seed, x, y));
  };
}

function walkShade(seed: number, tile: number): Shade {
  return (x, y, out) => {
    const joint = x % tile === 0 || y % tile === 0;
    setScaled(out, WALK, (joint ? 0.82 : 0.96) + 0.08 * grain(seed, x, y));
  };
}

/** Facade with a grid of windows; window glass reflects a little sky. */
function facade(b: Building, px0: number, px1: number, pTop: number, pBottom: number, seed: number, height: number): Shade {
  const cellW = Math.max(3, (px1 - px0) / b.windowCols);
  const cellH = Math.max(3, height / b.windowRows);
  return (x, y, out) => {
    const u = ((x - px0) % cellW) / cellW;
    const v = ((y - pTop) % cellH) / cellH;
    const belowTop = y - pTop >= cellH * 0.5 && pBottom - y > cellH;
    if (belowTop && u > 0.25 && u < 0.75 && v > 0.3 && v < 0.8) {
      const k = 0.9 + 0.3 * (1 - v);
      out[0] = clampByte(GLASS[0] * k);
      out[1] = clampByte(GLASS[1] * k);
      out[2] = clampByte(GLASS[2] * k + 20);
      return;
    }
    setScaled(out, b.facade, 0.86 + 0.2 * valueNoise(seed, x, y, 5));
  };
}

function paintCar(canvas: Canvas, car: Car, index: number, W: number, H: number): void {
  const x0 = Math.round(car.x0 * W);
  const x1 = Math.max(x0 + 6, Math.round(car.x1 * W));
  const base = Math.round(car.base * H);
  const h = Math.max(4, Math.round(car.height * H));
  const w = x1 - x0;
  const top = base - h;
  const waist = base - h * 0.55;
  const body: Shade = (_x, y, out) => setScaled(out, car.body, 0.7 + 0.45 * ((base - y) / h));
  // Cabin: a trapezoid over the body, glass with a body-coloured pillar frame.
  const inset = (y: number) => w * (0.16 + 0.12 * ((waist - y) / (waist - top)));
  const cabin: Shade = (x, y, out) => {
    const frame = x - x0 < inset(y) + 1 || x1 - x < inset(y) + 1 || Math.abs(x - (x0 + x1) / 2) < 0.5;
    if (frame) setScaled(out, car.body, 0.8);
    else setScaled(out, GLASS, 1.1);
  };
  canvas.fill(x0, top, x1, waist, 'car', cabin, index, (x, y) => x >= x0 + inset(y) && x < x1 - inset(y));
  canvas.fill(x0, waist, x1, base - h * 0.12, 'car', body, index);
  const r = Math.max(1, h * 0.2);
  const cy = base - r;
  for (const at of [0.22, 0.78]) {
    const cx = x0 + w * at;
    const wheel: Shade = (x, y, out) => setScaled(out, Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r * 0.45 ? POLE : TYRE, 1);
    canvas.ellipse(cx, cy, r, r, 'car', wheel, index);
  }
}

function paintPerson(canvas: Canvas, p: Person, index: number, W: number, H: number): void {
  const h = Math.max(5, Math.round(p.height * H));
  const w = Math.max(2, Math.round(h * 0.32));
  const cx = Math.round(p.x * W);
  const base = Math.round(p.base * H);
  const top = base - h;
  const head = Math.max(1, h * 0.11);
  canvas.ellipse(cx, top + head, head, head, 'person', flat(SKIN), index);
  canvas.fill(cx - w / 2, top + 2 * head, cx + w / 2, top + h * 0.58, 'person', (_x, y, out) => setScaled(out, p.shirt, 1 - 0.2 * ((y - top) / h)), index);
  canvas.fill(cx - w / 2 + w * 0.1, top + h * 0.58, cx + w / 2 - w * 0.1, base, 'person', flat(TROUSERS), index);
}

/** The street seen from the ground. */
export function renderGround(scene: Scene, W: number, H: number): Canvas {
  const canvas = new Canvas(W, H);
  const seed = scene.textureSeed;
  const horizon = Math.round(scene.horizon * H);
  const roadTop = Math.round(scene.roadTop * H);
  const roadBottom = Math.round(scene.roadBottom * H);

  canvas.fill(0, 0, W, horizon, 'sky', skyShade(horizon, seed));
  scene.buildings.forEach((b, i) => {
    const [x0, x1, top] = [Math.round(b.x0 * W), Math.round(b.x1 * W), Math.round(b.top * H)];
    canvas.fill(x0, top, x1, horizon, 'building', facade(b, x0, x1, top, horizon, seed + i, H));
  });

  const laneY = (roadTop + roadBottom) / 2;
  const laneHalf = Math.max(0.5, H * 0.008);
  const period = scene.laneDash * 1.8;
  const lane = (x: number, y: number) => Math.abs(y + 0.5 - laneY) <= laneHalf && ((x / W + scene.lanePhase) % period) < scene.laneDash;
  const tile = Math.max(3, Math.round(H / 16));
  if (scene.classes.has('sidewalk')) {
    canvas.fill(0, horizon, W, roadTop, 'sidewalk', walkShade(seed, tile));
    canvas.fill(0, roadBottom, W, H, 'sidewalk', walkShade(seed, tile));
  }
  canvas.fill(0, roadTop, W, roadBottom, 'road', roadShade(seed, lane));

  for (const t of scene.trees) {
    const cx = t.x * W;
    const r = Math.max(2, t.radius * H);
    const cy = t.crownY * H;
    const trunk = Math.max(1, W * 0.012);
    canvas.fill(cx - trunk / 2, cy, cx + trunk / 2, Math.max(horizon + 1, roadTop - 1), 'vegetation', flat(TRUNK));
    canvas.ellipse(cx, cy, r * 1.1, r, 'vegetation', foliage(seed + 7));
  }
  for (const p of scene.poles) {
    const x = Math.round(p.x * W);
    const half = Math.max(0.5, W * 0.005);
    canvas.fill(x - half, p.top * H, x + half, Math.max(horizon + 1, roadTop - 1), 'pole', flat(POLE));
  }
  scene.cars.forEach((c, i) => paintCar(canvas, c, i, W, H));
  scene.persons.forEach((p, i) => paintPerson(canvas, p, i, W, H));
  return canvas;
}

/**
 * The same street from above: building roofs along the top, the far sidewalk with tree crowns and
 * pole feet, the road with its lane marks and the cars at their depth, the near sidewalk with
 * people, then a verge of grass (vegetation).
 */
export function renderAerial(scene: Scene, W: number, H: number): Canvas {
  const canvas = new Canvas(W, H);
  const seed = scene.textureSeed ^ 0x9e3779b9;
  const walks = scene.classes.has('sidewalk');
  const [roofBottom, roadTop, roadBottom, walkBottom] = (walks ? [0.3, 0.38, 0.78, 0.86] : [0.3, 0.3, 0.86, 0.86]).map((f) => Math.round(f * H));

  canvas.fill(0, 0, W, roofBottom, 'vegetation', foliage(seed));
  scene.buildings.forEach((b, i) => {
    const [x0, x1] = [Math.round(b.x0 * W), Math.round(b.x1 * W)];
    const ridge = roofBottom * 0.45;
    canvas.fill(x0, 0, x1 - 1, roofBottom - 1, 'building', (x, y, out) =>
      setScaled(out, b.facade, (Math.abs(y - ridge) < 1 ? 0.55 : y < ridge ? 0.72 : 0.85) + 0.15 * valueNoise(seed + i, x, y, 4)),
    );
  });
  const tile = Math.max(3, Math.round(H / 16));
  if (walks) {
    canvas.fill(0, roofBottom, W, roadTop, 'sidewalk', walkShade(seed, tile));
    canvas.fill(0, roadBottom, W, walkBottom, 'sidewalk', walkShade(seed, tile));
  }
  const laneY = (roadTop + roadBottom) / 2;
  const laneHalf = Math.max(0.5, H * 0.008);
  const period = scene.laneDash * 1.8;
  const lane = (x: number, y: number) => Math.abs(y + 0.5 - laneY) <= laneHalf && ((x / W + scene.lanePhase) % period) < scene.laneDash;
  canvas.fill(0, roadTop, W, roadBottom, 'road', roadShade(seed, lane));
  canvas.fill(0, walkBottom, W, H, 'vegetation', foliage(seed + 3));

  // Depth of a ground-view y in the road → aerial y in the road band.
  const depth = (y: number) => roadTop + (roadBottom - roadTop) * ((y - scene.roadTop) / Math.max(1e-6, scene.roadBottom - scene.roadTop));
  scene.cars.forEach((c, i) => {
    const [x0, x1] = [Math.round(c.x0 * W), Math.max(Math.round(c.x0 * W) + 4, Math.round(c.x1 * W))];
    const half = Math.max(2, H * 0.06);
    const cy = Math.min(roadBottom - half, Math.max(roadTop + half, depth(c.base)));
    canvas.fill(x0, cy - half, x1, cy + half, 'car', (x, _y, out) => {
      const glass = (x - x0) / (x1 - x0);
      if ((glass > 0.3 && glass < 0.42) || (glass > 0.68 && glass < 0.78)) setScaled(out, GLASS, 1.1);
      else setScaled(out, c.body, 0.95);
    }, i);
  });
  for (const t of scene.trees) canvas.ellipse(t.x * W, roofBottom + 1, Math.max(2, t.radius * H * 0.9), Math.max(2, t.radius * H * 0.9), 'vegetation', foliage(seed + 11));
  for (const p of scene.poles) {
    const r = Math.max(1, H * 0.015);
    canvas.ellipse(p.x * W, (roofBottom + roadTop) / 2, r, r, 'pole', flat(POLE));
  }
  scene.persons.forEach((p, i) => {
    const r = Math.max(1, H * 0.018);
    const y = walks ? (roadBottom + walkBottom) / 2 : roadBottom - r - 1;
    canvas.ellipse(p.x * W, y, r, r, 'person', flat(p.shirt), i);
  });
  return canvas;
}
