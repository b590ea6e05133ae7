/** Tiny dataset files made by the tests themselves (no downloads, no checked-in binaries). */
import { encodeJpeg, encodePng } from './codecs.ts';

/** An 8-bit (or 16-bit with `sixteen`) grey PNG whose pixel (x, y) is value(x, y). */
export function greyPng(width: number, height: number, value: (x: number, y: number) => number, sixteen = false): Uint8Array {
  const data = sixteen ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return encodePng({ width, height, channels: 1, data });
}

export function rgbBytes(width: number, height: number, colour: (x: number, y: number) => readonly number[]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      data.set([c[0], c[1], c[2]], (y * width + x) * 3);
    }
  }
  return data;
}

export function rgbPng(width: number, height: number, colour: (x: number, y: number) => readonly number[]): Uint8Array {
  return encodePng({ width, height, channels: 3, data: rgbBytes(width, height, colour) });
}

export function rgbJpeg(width: number, height: number, colour: (x: number, y: number) => readonly number[], quality = 95): Uint8Array {
  return encodeJpeg({ width, height, data: rgbBytes(width, height, colour) }, quality);
}

/** A Cityscapes tree: 2 train samples in 2 cities (+ 1 val), under `root`. Labels: left half road (7), right half 255; one car instance. */
export function cityscapesFiles(root = '', size = { width: 16, height: 8 }): Record<string, Uint8Array> {
  const { width: w, height: h } = size;
  const files: Record<string, Uint8Array> = {};
  const add = (split: string, city: string, seq: string, shade: number) => {
    const key = `${city}_${seq}_000019`;
    files[`${root}leftImg8bit/${split}/${city}/${key}_leftImg8bit.png`] = rgbPng(w, h, (x) => [shade, x * 8, 255 - shade]);
    files[`${root}gtFine/${split}/${city}/${key}_gtFine_labelIds.png`] = greyPng(w, h, (x) => (x < w / 2 ? 7 : 255));
    files[`${root}gtFine/${split}/${city}/${key}_gtFine_instanceIds.png`] = greyPng(w, h, (x, y) => (x >= 2 && x < 6 && y >= 2 ? 26001 : 7), true);
    files[`${root}gtFine/${split}/${city}/${key}_gtFine_color.png`] = rgbPng(2, 2, () => [1, 2, 3]);
  };
  add('train', 'aachen', '000000', 40);
  add('train', 'bremen', '000003', 200);
  add('val', 'lindau', '000001', 100);
  return files;
}

/** An ADEChallengeData2016 tree: 2 training and 1 validation sample; label raw values 0 (unknown), 1, 150. */
export function ade20kFiles(size = { width: 12, height: 12 }): Record<string, Uint8Array> {
  const { width: w, height: h } = size;
  const files: Record<string, Uint8Array> = {};
  const add = (folder: string, name: string) => {
    files[`ADEChallengeData2016/images/${folder}/${name}.jpg`] = rgbJpeg(w, h, (x, y) => [x * 20, y * 20, 128]);
    files[`ADEChallengeData2016/annotations/${folder}/${name}.png`] = greyPng(w, h, (x) => (x < 4 ? 0 : x < 8 ? 1 : 150));
  };
  add('training', 'ADE_train_00000001');
  add('training', 'ADE_train_00000002');
  add('validation', 'ADE_val_00000001');
  files['ADEChallengeData2016/objectInfo150.txt'] = new TextEncoder().encode('Idx Ratio Train Val Name');
  return files;
}

/** Six panels of `panel`×`panel`, panel i filled with grey 10·(i+1) (so F is grey 60 and A grey 10). */
export function sixPanelPng(panel: number, height = panel): Uint8Array {
  return rgbPng(panel * 6, height, (x) => {
    const v = 10 * (Math.floor(x / panel) + 1);
    return [v, v, v];
  });
}
