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
import { convertLabels, decodeIds, FIELD, resizeNearest, type IdRaster, type Sample } from '../../runtime/data/index.ts';
import { MAX_DATASET_FILE_BYTES } from '../../runtime/data/file-source.ts';
import { CliProblem } from '../io.ts';

const INSTANCE_SUFFIX = '_instanceIds.png';

/** The label maps at `path`: the file itself, or the PNGs in the folder (instance maps left out), sorted. */
export async function labelFiles(path: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new CliProblem(`cannot read labels '${path}': no such file or directory`);
  }
  if (!isDir) return [path];
  const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.png') && !n.endsWith(INSTANCE_SUFFIX)).sort();
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
  return decodeIds(bytes, path);
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
