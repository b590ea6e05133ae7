/**
 * A run folder read from its files as a browser gives them (File objects with webkitRelativePath)
 * against the CLI's reader, on a folder written by a real tiny `lggan train` run (16×16 GAN,
 * 2 steps, sample grids every step); then hostile folders, each refused naming the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readCsv, tempDir, writeTinyGan } from '../cli/cli.test-util.ts';
import { listRunFolder, readRunFolder } from '../cli/runs/run-folder.ts';
import { writePng } from '../formats/png.ts';
import { decodeImage } from '../runtime/data/index.ts';
import { folderFilesFromFileList, groupRunFolders, readRunFolderFiles, SAMPLE_GRID_LIMITS, type FolderFile } from './folder-files.ts';
import { RUN_FILE_LIMITS } from './run-file.ts';
import { LOG_LIMITS } from './run-folder-parse.ts';

const tmp = tempDir('lggan-run-folder-');
afterAll(tmp.cleanup);
let dir: string;
/** The run folder's files in memory, by their path inside it. */
let disk: Map<string, Uint8Array>;

beforeAll(async () => {
  const graph = writeTinyGan(tmp.dir);
  dir = join(tmp.dir, 'run');
  const r = await cli(['train', graph, '--synthetic', '--steps', '2', '--out', dir, '--sample-every', '1', '--eval-every', '2', '--held-out', '2', '--checkpoint-every', '0']);
  if (r.code !== 0) throw new Error(`lggan train failed: ${r.err.join('\n')}`);
  disk = new Map(await Promise.all((await listRunFolder(dir)).map(async (f): Promise<[string, Uint8Array]> => [f.path, new Uint8Array(await f.bytes())])));
});

/** A browser's File for `bytes` at `path` inside the dropped folder. */
function droppedFile(path: string, bytes: Uint8Array): File {
  const file = new File([bytes as Uint8Array<ArrayBuffer>], path.slice(path.lastIndexOf('/') + 1));
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

/** In-memory folder files under `top/`, with a count of the reads of each. */
function memoryFolder(top: string, files: Map<string, Uint8Array>) {
  const reads = new Map<string, number>();
  const list: FolderFile[] = [...files].map(([path, bytes]) => ({
    path: top === '' ? path : `${top}/${path}`,
    size: bytes.length,
    bytes: async () => {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      return bytes;
    },
  }));
  return { list, reads };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('a run folder read from its files', () => {
  it('gives the record the CLI reads from disk, with every evaluation and a snapshot per sample grid', async () => {
    const dropped = folderFilesFromFileList([...disk].map(([path, bytes]) => droppedFile(`myrun/${path}`, bytes)));
    const record = await readRunFolderFiles(dropped, '');
    const fromDisk = await readRunFolder(dir);
    expect(record.source).toEqual({ kind: 'folder', path: 'myrun' });
    expect(fromDisk.source).toEqual({ kind: 'folder', path: dir });
    expect({ ...record, source: fromDisk.source }).toEqual(fromDisk);
    // lggan compare leaves the grids unread.
    expect(await readRunFolder(dir, { samples: false })).toEqual({ ...fromDisk, samples: [] });

    // Against the files themselves.
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ variant: 'tiny training GAN', status: 'finished', seed: run.seed, dataSeed: run.dataSeed, batch: run.batch, steps: { requested: 2, done: 2, resumedFrom: 0 } });
    expect(record.graph.hash).toBe(run.graph.hash);
    expect(record.lossTerms).toEqual(run.lossTerms);
    const csv = readCsv(join(dir, 'losses.csv'));
    for (const term of record.lossTerms) {
      const column = csv[0].indexOf(term);
      expect(record.curves.get(term)).toEqual({ steps: [1, 2], values: [Number(csv[1][column]), Number(csv[2][column])] });
    }
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(record.metrics).toEqual(metrics.map((m) => ({ step: m.step, count: m.count, psnr: m.psnr, ssim: m.ssim, sd: m.sd })));
    expect(record.metrics.map((m) => [m.step, m.count])).toEqual([[2, 2]]);
    expect(record.samples.map((s) => s.step)).toEqual([1, 2]);
    for (const s of record.samples) {
      const png = readFileSync(join(dir, 'samples', `step-00000${s.step}.png`));
      const decoded = decodeImage(png, 'grid');
      expect(s.input).toBe('held-out samples 0–1, one a row');
      expect(s.images).toEqual([{ name: 'grid', width: decoded.width, height: decoded.height, png: new Uint8Array(png) }]);
    }
  });

  it('reads a folder whose run.json is at the root, and splits a parent folder into its runs', async () => {
    const atRoot = await readRunFolderFiles(memoryFolder('', disk).list, 'picked');
    expect(atRoot.source).toEqual({ kind: 'folder', path: 'picked' });
    const parent = [...memoryFolder('sweep/a', disk).list, ...memoryFolder('sweep/b', disk).list, ...memoryFolder('sweep', new Map([['comparison.csv', text('run\n')]])).list];
    const groups = groupRunFolders(parent);
    expect(groups.map((g) => [g.path, g.files.length])).toEqual([
      ['sweep/a', disk.size],
      ['sweep/b', disk.size],
    ]);
    const records = await Promise.all(groups.map((g) => readRunFolderFiles(g.files, '')));
    expect(records.map((r) => r.source)).toEqual([
      { kind: 'folder', path: 'sweep/a' },
      { kind: 'folder', path: 'sweep/b' },
    ]);
    await expect(readRunFolderFiles(parent, '')).rejects.toThrow('the folder: holds 2 run folders ("sweep/a", "sweep/b"); read each alone');
  });
});

describe('hostile run folders', () => {
  const replaced = (path: string, bytes: Uint8Array | undefined) => {
    const files = new Map(disk);
    if (bytes === undefined) files.delete(path);
    else files.set(path, bytes);
    return memoryFolder('myrun', files);
  };

  it('refuses an oversized file from its listed size, without reading it', async () => {
    const { list, reads } = memoryFolder('myrun', disk);
    const losses = list.find((f) => f.path === 'myrun/losses.csv')!;
    losses.size = LOG_LIMITS.bytes + 1;
    await expect(readRunFolderFiles(list, 'drop')).rejects.toThrow(`drop/myrun/losses.csv: is ${LOG_LIMITS.bytes + 1} bytes; at most ${LOG_LIMITS.bytes} are read`);
    expect(reads.get('losses.csv')).toBeUndefined();
    const fresh = memoryFolder('myrun', disk);
    fresh.list.find((f) => f.path === 'myrun/run.json')!.size = RUN_FILE_LIMITS.bytes + 1;
    await expect(readRunFolderFiles(fresh.list, '')).rejects.toThrow(`myrun/run.json: is ${RUN_FILE_LIMITS.bytes + 1} bytes; at most ${RUN_FILE_LIMITS.bytes} are read`);
    expect(fresh.reads.size).toBe(0);
  });

  it('refuses a file that delivers more bytes than its listing said', async () => {
    const { list } = memoryFolder('myrun', disk);
    const run = list.find((f) => f.path === 'myrun/run.json')!;
    run.bytes = async () => new Uint8Array(RUN_FILE_LIMITS.bytes + 1);
    await expect(readRunFolderFiles(list, '')).rejects.toThrow(`myrun/run.json: is ${RUN_FILE_LIMITS.bytes + 1} bytes (its listing said ${run.size}); at most ${RUN_FILE_LIMITS.bytes} are read`);
  });

  it('names the file, line and column of a bad CSV cell, and the line and field of bad metrics', async () => {
    const csv = new TextDecoder().decode(disk.get('losses.csv')).replace(/\n2,([^,]*),([^,]*),([^,]*),/, '\n2,$1,$2,oops,');
    await expect(readRunFolderFiles(replaced('losses.csv', text(csv)).list, '')).rejects.toThrow('myrun/losses.csv:3:4: "oops" in column "g_adv" is not a number');
    await expect(readRunFolderFiles(replaced('metrics.jsonl', text('{"step":2,"count":2,"psnr":1,"ssim":1,"sd":"x"}\n')).list, '')).rejects.toThrow(
      `myrun/metrics.jsonl:1: field 'sd' must be a number or null, got "x"`,
    );
    await expect(readRunFolderFiles(replaced('losses.csv', undefined).list, '')).rejects.toThrow('myrun/losses.csv: no such file');
  });

  it('names run.json where it is missing, and its field when it is bad', async () => {
    await expect(readRunFolderFiles(replaced('run.json', undefined).list, '')).rejects.toThrow('myrun/run.json: no such file (not a run folder of lggan train?)');
    const run = JSON.parse(new TextDecoder().decode(disk.get('run.json')));
    await expect(readRunFolderFiles(replaced('run.json', text(JSON.stringify({ ...run, batch: '<b>' }))).list, '')).rejects.toThrow(`myrun/run.json: field 'batch' must be a whole number ≥ 1, got "<b>"`);
  });

  it('refuses a sample grid whose PNG header lies about its size, or that is no PNG', async () => {
    const grid = disk.get('samples/step-000001.png')!.slice();
    new DataView(grid.buffer).setUint32(16, 100_000); // IHDR width
    await expect(readRunFolderFiles(replaced('samples/step-000001.png', grid).list, '')).rejects.toThrow(
      `myrun/samples/step-000001.png: declares 100000×${decodeImage(disk.get('samples/step-000001.png')!, 'g').height} pixels; 1 to ${SAMPLE_GRID_LIMITS.side} a side are allowed`,
    );
    await expect(readRunFolderFiles(replaced('samples/step-000002.png', text('<svg/>')).list, '')).rejects.toThrow('myrun/samples/step-000002.png: is not a PNG (no PNG signature)');
    const { list, reads } = replaced('samples/step-000002.png', new Uint8Array(1));
    list.find((f) => f.path.endsWith('step-000002.png'))!.size = SAMPLE_GRID_LIMITS.bytes + 1;
    await expect(readRunFolderFiles(list, '')).rejects.toThrow(`myrun/samples/step-000002.png: is ${SAMPLE_GRID_LIMITS.bytes + 1} bytes; at most ${SAMPLE_GRID_LIMITS.bytes} are read`);
    expect(reads.get('samples/step-000002.png')).toBeUndefined();
  });

  it('keeps at most SAMPLE_GRID_LIMITS.snapshots grids, evenly spread, reading only those', async () => {
    const files = new Map([...disk].filter(([p]) => !p.startsWith('samples/')));
    const png = writePng({ width: 2, height: 1, channels: 3, data: new Uint8Array(6) });
    for (let step = 1; step <= 1000; step++) files.set(`samples/step-${String(step).padStart(6, '0')}.png`, png);
    files.set('samples/notes.txt', text('not a grid'));
    files.set('samples/nested/step-000001.png', text('not read'));
    const { list, reads } = memoryFolder('myrun', files);
    const record = await readRunFolderFiles(list, '');
    expect(record.samples).toHaveLength(SAMPLE_GRID_LIMITS.snapshots);
    expect(record.samples[0].step).toBe(1);
    expect(record.samples.at(-1)!.step).toBe(1000);
    const gaps = record.samples.slice(1).map((s, i) => s.step - record.samples[i].step);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    expect([...reads.keys()].filter((p) => p.startsWith('samples/'))).toHaveLength(SAMPLE_GRID_LIMITS.snapshots);
    reads.clear();
    expect((await readRunFolderFiles(list, '', { samples: false })).samples).toEqual([]);
    expect([...reads.keys()].filter((p) => p.startsWith('samples/'))).toEqual([]);
    expect(record.samples[0].images[0]).toMatchObject({ width: 2, height: 1 });
  });
});
