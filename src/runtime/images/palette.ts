/**
 * Colours for label maps, as SPADE / pix2pixHD draw them (util.labelcolormap): the Cityscapes
 * label colours when there are 35 classes, otherwise the Pascal VOC bit-interleaved colour map
 * (class i gets the bits of i + 1 spread over R, G and B, so class 0 is not black). Ids outside
 * 0 … numClasses − 1 (the unknown / don't-care id) are black.
 */

/** Cityscapes labelIds 0 … 34 → colour (cityscapesScripts' labels.py; 34 is the licence plate). */
const CITYSCAPES: readonly (readonly [number, number, number])[] = [
  [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [111, 74, 0], [81, 0, 81],
  [128, 64, 128], [244, 35, 232], [250, 170, 160], [230, 150, 140], [70, 70, 70], [102, 102, 156], [190, 153, 153],
  [180, 165, 180], [150, 100, 100], [150, 120, 90], [153, 153, 153], [153, 153, 153], [250, 170, 30], [220, 220, 0],
  [107, 142, 35], [152, 251, 152], [70, 130, 180], [220, 20, 60], [255, 0, 0], [0, 0, 142], [0, 0, 70],
  [0, 60, 100], [0, 0, 90], [0, 0, 110], [0, 80, 100], [0, 0, 230], [119, 11, 32], [0, 0, 142],
];

/** The Pascal VOC colour of class `index`: the j-th 3-bit group of index + 1 gives bit 7 − j of R, G and B (7 groups). */
function vocColour(index: number): [number, number, number] {
  let id = index + 1;
  const rgb: [number, number, number] = [0, 0, 0];
  for (let bit = 7; bit >= 1 && id > 0; bit--, id >>= 3) {
    for (let c = 0; c < 3; c++) rgb[c] |= ((id >> c) & 1) << bit;
  }
  return rgb;
}

/** numClasses × 3 bytes: the colour of each class id. */
export function labelPalette(numClasses: number): Uint8Array {
  const out = new Uint8Array(numClasses * 3);
  for (let i = 0; i < numClasses; i++) out.set(numClasses === CITYSCAPES.length ? CITYSCAPES[i] : vocColour(i), i * 3);
  return out;
}
