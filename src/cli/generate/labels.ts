/**
 * Label maps for `lggan generate`: grey PNGs whose pixel values are class ids 0 … num_classes − 1,
 * 255 meaning unknown (the generic dataset convention; Cityscapes *_labelIds.png files follow it).
 * Instance ids, for graphs that draw instance edges, come from a sibling file: x_instanceIds.png
 * beside x.png, or …_instanceIds.png beside …_labelIds.png (Cityscapes); without one, the label
 * ids stand in (edges along class boundaries only), with a note.
 * A map of another size than the graph's is resized (nearest neighbour, so ids stay ids) and a
 * note says so; the decoder refuses a map that declares more pixels than IMAGE_LIMITS before decoding it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { convertLabels, decodeIds, decodeRgb, FIELD, normalizeImage, resizeImage, resizeNearest, type IdRaster, type ImageRaster, type Sample } from '../../runtime/data/index.ts';
import { MAX_DATASET_FILE_BYTES } from '../../runtime/data/file-source.ts';
import { CliProblem } from '../io.ts';

const INSTANCE_SUFFIX = '_instanceIds.png';
/** A cross-view label map's grey label map (the dataset's panel F) beside it: x.png → x_grey.png. */
const GREY_SUFFIX = '_grey.png';

/** The label maps at `path`: the file itself, or the PNGs in the folder (instance maps left out), sorted. */
export async function labelFiles(path: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new CliProblem(`cannot read labels '${path}': no such file or directory`);
  }
  if (!isDir) return [path];
  const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.png') && !n.endsWith(INSTANCE_SUFFIX) && !n.endsWith(GREY_SUFFIX)).sort();
  if (names.length === 0) throw new CliProblem(`no label maps in '${path}': expected grey PNGs of class ids`);
  return names.map((n) => join(path, n));
}

/** x.png → x_instanceIds.png; a_gtFine_labelIds.png → a_gtFine_instanceIds.png. */
export function instancePathFor(labelPath: string): string {
  const name = basename(labelPath);
  const sibling = name.endsWith('_labelIds.png') ? name.replace(/_labelIds\.png$/, INSTANCE_SUFFIX) : name.replace(/\.png$/i, INSTANCE_SUFFIX);
  return join(dirname(labelPath), sibling);
}

/** The name outputs are written under: the file stem, without a Cityscapes `_gtFine_labelIds` / `_labelIds` suffix. */
export function outputStem(labelPath: string): string {
  return basename(labelPath).replace(/\.png$/i, '').replace(/(_gtFine)?_labelIds$/, '');
}

async function readIds(path: string): Promise<IdRaster> {
  return decodeIds(await readBounded(path), path);
}

/** A regular file of at most MAX_DATASET_FILE_BYTES, or a CliProblem naming it. */
async function readBounded(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    // A pipe or a device would never end: only regular files are read.
    if (!info.isFile()) throw new CliProblem(`'${path}' is not a regular file (a pipe, socket or device): not read`);
    const size = info.size;
    if (size > MAX_DATASET_FILE_BYTES) throw new CliProblem(`'${path}' is ${(size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_DATASET_FILE_BYTES / 2 ** 20} MiB a label map may have: not read`);
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof CliProblem) throw e;
    throw new CliProblem(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return bytes;
}

export interface LabelMapOptions {
  numClasses: number;
  width: number;
  height: number;
  /** Read the sibling instance map (the graph draws instance edges). */
  instances: boolean;
}

/** One label map as a sample of the graph's size, with the notes worth telling the user. */
export async function readLabelMap(path: string, o: LabelMapOptions): Promise<{ sample: Sample; notes: string[] }> {
  const notes: string[] = [];
  const fit = (r: IdRaster, file: string) => {
    if (r.width === o.width && r.height === o.height) return r;
    notes.push(`${file} is ${r.width}×${r.height}; resized (nearest) to the graph's ${o.width}×${o.height}`);
    return resizeNearest(r, o.width, o.height);
  };
  const labels = fit(convertLabels(await readIds(path), { numClasses: o.numClasses }, path), path);
  const fields: Sample['fields'] = { [FIELD.labels]: labels };
  if (o.instances) {
    const instancePath = instancePathFor(path);
    const found = await stat(instancePath).then(
      (s) => s.isFile(),
      () => false,
    );
    if (found) {
      fields[FIELD.instances] = fit(await readIds(instancePath), instancePath);
    } else {
      // As in Cityscapes' instance maps, where every "stuff" pixel holds its class id.
      notes.push(`no instance map ${instancePath}: instance edges follow the class boundaries of ${path}`);
      fields[FIELD.instances] = labels;
    }
  }
  return { sample: { id: outputStem(path), width: o.width, height: o.height, fields }, notes };
}

/** x.png → x_grey.png, beside it. */
export function greyPathFor(labelPath: string): string {
  return join(dirname(labelPath), basename(labelPath).replace(/\.png$/i, GREY_SUFFIX));
}

/** The image in `dir` named like the label map (x.png, x.jpg or x.jpeg), or a CliProblem saying what was looked for. */
export async function siblingImage(dir: string, stem: string, what: string): Promise<string> {
  for (const ext of ['.png', '.jpg', '.jpeg', '.PNG', '.JPG', '.JPEG']) {
    const path = join(dir, stem + ext);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  }
  throw new CliProblem(`no ${what} for '${stem}': expected ${join(dir, stem)}.png or .jpg`);
}

/**
 * An RGB image (a photo, a colour semantic map, a grey label image) at the graph's size, in
 * [-1, 1] as the cross-view data feeds it. `nearest` keeps label values as they are when resizing.
 */
export async function readImageField(path: string, o: { width: number; height: number; nearest: boolean }, notes: string[]): Promise<ImageRaster> {
  let image: ImageRaster = decodeRgb(await readBounded(path), path);
  if (image.width !== o.width || image.height !== o.height) {
    notes.push(`${path} is ${image.width}×${image.height}; resized (${o.nearest ? 'nearest' : 'bilinear'}) to the graph's ${o.width}×${o.height}`);
    image = o.nearest ? resizeNearest(image, o.width, o.height) : resizeImage(image, o.width, o.height, 'bilinear');
  }
  return normalizeImage(image);
}
