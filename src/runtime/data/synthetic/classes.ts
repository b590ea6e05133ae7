/**
 * The classes of the synthetic street scene and how each id space names them: Cityscapes label ids
 * (so the Cityscapes graphs train on it), a compact 0 … K−1 space (tiny graphs), the Cityscapes
 * colour palette (cross-view colour semantic maps) and the cross-view grey groups (§3).
 */

export const SCENE_CLASSES = ['sky', 'road', 'building', 'vegetation', 'car', 'sidewalk', 'person', 'pole'] as const;
export type SceneClass = (typeof SCENE_CLASSES)[number];

/** Classes the scene cannot do without; the others can be left out. */
export const REQUIRED_CLASSES: readonly SceneClass[] = ['sky', 'road', 'building', 'vegetation', 'car'];

/** Cityscapes labelIds. */
export const CITYSCAPES_IDS: Record<SceneClass, number> = {
  road: 7,
  sidewalk: 8,
  building: 11,
  pole: 17,
  vegetation: 21,
  sky: 23,
  person: 24,
  car: 26,
};

/**
 * ADE20K ids after the official loader's shift by −1 (objectInfo150 index − 1): the ids an ADE20K
 * graph (150 classes) sees. Vegetation is ADE20K's 'tree'.
 */
export const ADE20K_IDS: Record<SceneClass, number> = {
  building: 1,
  sky: 2,
  vegetation: 4,
  road: 6,
  sidewalk: 11,
  person: 12,
  car: 20,
  pole: 93,
};

/** The number of classes an ADE20K graph has (the don't-care class 150 is not one of them). */
export const ADE20K_CLASSES = 150;

/** Cityscapes colours (as RefineNet and the LGGAN cross-view data draw them). */
export const CITYSCAPES_COLOURS: Record<SceneClass, readonly [number, number, number]> = {
  road: [128, 64, 128],
  sidewalk: [244, 35, 232],
  building: [70, 70, 70],
  pole: [153, 153, 153],
  vegetation: [107, 142, 35],
  sky: [70, 130, 180],
  person: [220, 20, 60],
  car: [0, 0, 142],
};

/** Cross-view grey label values (§3): 10 vehicles, 20 road/sidewalk, 30 pole/person, 40 building, 50 sky, 60 vegetation. */
export const GREY_VALUES: Record<SceneClass, number> = {
  car: 10,
  road: 20,
  sidewalk: 20,
  pole: 30,
  person: 30,
  building: 40,
  sky: 50,
  vegetation: 60,
};

export type IdSpace = 'cityscapes' | 'ade20k' | 'compact';

/** Id of each enabled class: Cityscapes or (shifted) ADE20K ids, or 0 … K−1 in SCENE_CLASSES order. */
export function classIds(classes: readonly SceneClass[], space: IdSpace): Map<SceneClass, number> {
  const ordered = SCENE_CLASSES.filter((c) => classes.includes(c));
  const named = space === 'cityscapes' ? CITYSCAPES_IDS : space === 'ade20k' ? ADE20K_IDS : undefined;
  return new Map(ordered.map((c, i) => [c, named ? named[c] : i]));
}
