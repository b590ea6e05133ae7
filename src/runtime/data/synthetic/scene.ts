/**
 * A random street scene, laid out in fractions of the image (x of the width, y of the height) so
 * one scene renders at any size. The camera looks across a street: sky, a row of buildings on the
 * far side, trees and poles on the far sidewalk, cars on the road, people on the near sidewalk.
 * The aerial view (cross-view variant) is a map of the same street: x is shared, y becomes depth.
 */
import type { SceneClass } from './classes.ts';

export type Rgb = readonly [number, number, number];

export interface Building {
  x0: number;
  x1: number;
  top: number;
  facade: Rgb;
  /** Window grid: columns across the building, rows per height unit. */
  windowCols: number;
  windowRows: number;
}

export interface Tree {
  x: number;
  /** Crown radius in fractions of the height. */
  radius: number;
  crownY: number;
}

export interface Pole {
  x: number;
  top: number;
}

export interface Car {
  x0: number;
  x1: number;
  /** y of the wheels' contact line. */
  base: number;
  height: number;
  body: Rgb;
}

export interface Person {
  x: number;
  base: number;
  height: number;
  shirt: Rgb;
}

export interface Scene {
  horizon: number;
  /** Bottom of the far sidewalk = top of the road (= horizon without sidewalks). */
  roadTop: number;
  /** Top of the near sidewalk = bottom of the road (1 without sidewalks). */
  roadBottom: number;
  laneDash: number;
  lanePhase: number;
  buildings: Building[];
  trees: Tree[];
  poles: Pole[];
  /** Far to near (painting order). */
  cars: Car[];
  persons: Person[];
  textureSeed: number;
  classes: ReadonlySet<SceneClass>;
}

const FACADES: Rgb[] = [
  [182, 160, 128],
  [150, 88, 70],
  [122, 120, 124],
  [204, 190, 168],
  [112, 120, 140],
  [172, 122, 92],
];
const BODIES: Rgb[] = [
  [178, 32, 30],
  [34, 62, 150],
  [222, 222, 226],
  [32, 32, 36],
  [150, 155, 160],
  [205, 150, 34],
];
const SHIRTS: Rgb[] = [
  [200, 40, 40],
  [40, 140, 60],
  [240, 200, 40],
  [60, 80, 200],
  [232, 232, 232],
];

export function generateScene(uniform: () => number, classes: ReadonlySet<SceneClass>): Scene {
  const between = (lo: number, hi: number) => lo + (hi - lo) * uniform();
  const pick = <T>(list: readonly T[]) => list[Math.floor(uniform() * list.length)];
  const count = (lo: number, hi: number) => lo + Math.floor(uniform() * (hi - lo + 1));
  const walks = classes.has('sidewalk');

  const horizon = between(0.42, 0.5);
  const roadTop = walks ? horizon + between(0.05, 0.07) : horizon;
  const roadBottom = walks ? between(0.84, 0.88) : 1;

  const buildings: Building[] = [];
  for (let x = -between(0, 0.08); x < 1; ) {
    const width = between(0.16, 0.32);
    buildings.push({
      x0: x,
      x1: x + width,
      top: between(0.06, horizon - 0.14),
      facade: pick(FACADES),
      windowCols: count(2, 4),
      windowRows: between(9, 14),
    });
    x += width + (uniform() < 0.3 ? between(0.03, 0.08) : 0);
  }

  const trees: Tree[] = [];
  for (let k = count(1, 3), i = 0; i < k; i++) {
    const radius = between(0.08, 0.13);
    trees.push({ x: (i + between(0.2, 0.8)) / k, radius, crownY: horizon - radius * between(0.8, 1.4) });
  }

  const poles: Pole[] = [];
  if (classes.has('pole')) for (let k = count(1, 2), i = 0; i < k; i++) poles.push({ x: (i + between(0.15, 0.85)) / k, top: between(0.16, 0.3) });

  const cars: Car[] = [];
  const carCount = count(1, 3);
  for (let i = 0; i < carCount; i++) {
    const slot = 1 / carCount;
    const width = Math.min(slot * 0.9, between(0.2, 0.3));
    const x0 = i * slot + between(0, slot - width);
    const base = roadTop + (roadBottom - roadTop) * between(0.5, 0.95);
    cars.push({ x0, x1: x0 + width, base, height: between(0.15, 0.2), body: pick(BODIES) });
  }
  cars.sort((a, b) => a.base - b.base);

  const persons: Person[] = [];
  if (classes.has('person')) {
    for (let k = count(1, 2), i = 0; i < k; i++) {
      const base = walks ? roadBottom + (1 - roadBottom) * between(0.5, 0.9) : between(0.95, 0.99);
      persons.push({ x: (i + between(0.1, 0.9)) / k, base, height: between(0.2, 0.27), shirt: pick(SHIRTS) });
    }
  }

  return {
    horizon,
    roadTop,
    roadBottom,
    laneDash: between(0.06, 0.1),
    lanePhase: uniform(),
    buildings,
    trees,
    poles,
    cars,
    persons,
    textureSeed: Math.floor(uniform() * 0x7fffffff),
    classes,
  };
}
