/**
 * `lggan sweep`, `lggan compare` and `lggan train --from-run` end to end. Most runs use the tiny
 * training GAN (16×16, batch 2, ~0.3 s a step): two variants, 2 steps each. The seven shipped
 * Cityscapes tiny graphs (the default and its six ablations) go through a real sweep of one step at
 * batch 1 with the template shrunk as writeTinyLggan does (3 classes, ngf = ndf = 2; the same edit
 * in all seven, so the diffs between them are the shipped ones): ~15 s of CPU, ~35 s on a busy
 * machine. At full tiny size they take ~12 s a step each, so that size is compared over run
 * folders made for them without training.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { graphHash } from '../graph/hash.ts';
import { loadGraph } from '../graph/load.ts';
import { saveGraph } from '../graph/save.ts';
import { decodeImage, encodePng } from '../runtime/data/index.ts';
import { initNodeBackend } from '../runtime/tf-node.ts';
import { cli, readCsv, tempDir, writeTinyGan } from './cli.test-util.ts';
import { diffCounts, type DiffCounts } from '../runs/comparison.ts';
import { readRunFile, runFileJson, RUN_FILE_FORMAT, type RunFile } from './runs/run-file.ts';

const tmp = tempDir('lggan-sweep-');
afterAll(tmp.cleanup);
let base: string;
let narrow: string;
let sweepDir: string;
let sweepRun: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  base = writeTinyGan(tmp.dir);
  // A variant: half the generator width and another name.
  const doc = JSON.parse(readFileSync(base, 'utf8'));
  doc.meta.name = 'narrow | ngf 2';
  doc.template.ngf = 2;
  narrow = join(tmp.dir, 'tiny-gan narrow.json');
  writeFileSync(narrow, JSON.stringify(doc));
  sweepDir = join(tmp.dir, 'sweep');
  sweepRun = await cli(['sweep', base, narrow, '--synthetic', '--steps', '2', '--out', sweepDir, '--seed', '3', '--sample-every', '0', '--checkpoint-every', '0']);
});

describe('lggan sweep', () => {
  it('trains each variant into its own folder with the same seed, data and held-out split', async () => {
    expect(sweepRun.code).toBe(0);
    expect(readdirSync(sweepDir).sort()).toEqual(['comparison.csv', 'comparison.md', 'losses.png', 'tiny-gan', 'tiny-gan-narrow']);
    const runs = await Promise.all(['tiny-gan', 'tiny-gan-narrow'].map((f) => readRunFile(join(sweepDir, f, 'run.json'))));
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'finished', seed: 3, dataSeed: 3, batch: 2, steps: { requested: 2, done: 2, resumedFrom: 0 }, lossTerms: ['g_adv', 'g_l1', 'd_adv'] });
      expect(run.data).toMatchObject({ kind: 'synthetic', path: null, layout: null, trainSamples: 248, heldOutSamples: 8 });
      expect(run.wallSeconds).toBeGreaterThan(0);
      expect(Date.parse(run.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    }
    expect(runs[1].data.fingerprint).toBe(runs[0].data.fingerprint);
    expect(sweepRun.err.filter((l) => l.startsWith('note the variants'))).toEqual([]);
    expect(runs.map((r) => r.graph.name)).toEqual(['tiny training GAN', 'narrow | ngf 2']);
    // The recorded document is the graph as trained: its hash is the recorded one.
    const registry = createRegistry();
    const loaded = loadGraph(JSON.stringify(runs[1].graph.document), { registry });
    expect(loaded.ok && graphHash(loaded.doc)).toBe(runs[1].graph.hash);
    expect(runs[0].graph.hash).not.toBe(runs[1].graph.hash);
  });

  it('writes the comparison: table, Markdown, CSV and a PNG of the loss curves', () => {
    const table = sweepRun.out.filter((l) => /^\s+[12]\s/.test(l));
    expect(table).toEqual([
      expect.stringMatching(/^\s+1\s+tiny training GAN\s+[0-9a-f]{12}\s+reference\s+2\s+[\d.]+(\s+\S+){6}$/),
      expect.stringMatching(/^\s+2\s+narrow \| ngf 2\s+[0-9a-f]{12}\s+nodes 0 · params 1 · wires 0\s+2\s+[\d.]+(\s+\S+){6}$/),
    ]);
    const md = readFileSync(join(sweepDir, 'comparison.md'), 'utf8');
    expect(md).toContain('| run | variant | graph hash | diff vs run 1 | steps | time (s) | g\\_adv | g\\_l1 | d\\_adv | PSNR (dB) | SSIM | SD (dB) |');
    expect(md).toMatch(/\| 2 \| narrow \\\| ngf 2 \| [0-9a-f]{12} \| nodes 0 · params 1 · wires 0 \| 2 \|/);
    expect(md).toContain('![loss curves per term](losses.png)');
    const csv = readFileSync(join(sweepDir, 'comparison.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('run,variant,dir,graph_hash,diff_nodes,diff_params,diff_wires,status,steps,wall_seconds,backend,seed,g_adv,g_l1,d_adv,psnr,ssim,sd,held_out_count');
    // The last losses in the table are the last row of each run's losses.csv, at full precision.
    const losses = readCsv(join(sweepDir, 'tiny-gan-narrow', 'losses.csv'));
    const row = csv[2].split(',');
    expect(row.slice(12, 15)).toEqual(losses[2].slice(3, 6));
    expect(row.slice(4, 7)).toEqual(['0', '1', '0']);
    const png = decodeImage(readFileSync(join(sweepDir, 'losses.png')), 'chart');
    expect(png.width).toBeGreaterThan(400);
    // Both runs' colours (blue, orange) are drawn.
    const has = (rgb: number[]) => {
      for (let i = 0; i < png.rgba.length; i += 4) if (rgb.every((c, k) => png.rgba[i + k] === c)) return true;
      return false;
    };
    expect(has([31, 119, 180])).toBe(true);
    expect(has([255, 127, 14])).toBe(true);
    expect(has([214, 39, 40])).toBe(false); // no third run
  });

  it('says when the variants did not train at the same batch size', async () => {
    const other = join(tmp.dir, 'batch-4.json');
    const doc = JSON.parse(readFileSync(base, 'utf8'));
    doc.template.batch = 4;
    writeFileSync(other, JSON.stringify(doc));
    const r = await cli(['sweep', base, other, '--synthetic', '--steps', '1', '--out', join(tmp.dir, 'batches'), '--sample-every', '0']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('note the variants trained at different batch sizes (2, 4), so their batch order differs: give --batch B to train them alike');
  });

  it('refuses to train into variant folders that exist, and needs the data option', async () => {
    expect(await cli(['sweep', base, '--synthetic', '--steps', '1', '--out', sweepDir])).toMatchObject({ code: 2, err: [expect.stringMatching(/already holds tiny-gan\/: choose another directory$/)] });
    expect((await cli(['sweep', base, '--steps', '1', '--out', join(tmp.dir, 'x')])).err).toEqual(['lggan sweep: sweep needs exactly one of --data DIR and --synthetic']);
  });
});

describe('lggan compare', () => {
  it('prints JSON for existing runs and writes the files with --out', async () => {
    const out = join(tmp.dir, 'compared');
    const r = await cli(['compare', join(sweepDir, 'tiny-gan-narrow'), join(sweepDir, 'tiny-gan', 'run.json'), '--json', '--out', out]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out.join('\n'));
    expect(json.version).toBe(1);
    expect(json.terms).toEqual(['g_adv', 'g_l1', 'd_adv']);
    expect(json.runs.map((x: { variant: string; diff: unknown }) => [x.variant, x.diff])).toEqual([
      ['narrow | ngf 2', null],
      ['tiny training GAN', { nodes: 0, params: 1, wires: 0 }],
    ]);
    expect(json.runs[0].heldOut).toMatchObject({ count: 8, step: 2 });
    expect(readdirSync(out).sort()).toEqual(['comparison.csv', 'comparison.md', 'losses.png']);
  });

  it('names the file and field of a bad run record, and the line of a bad losses.csv', async () => {
    const bad = join(tmp.dir, 'bad-run');
    mkdirSync(bad);
    const run = JSON.parse(readFileSync(join(sweepDir, 'tiny-gan', 'run.json'), 'utf8'));
    writeFileSync(join(bad, 'run.json'), JSON.stringify({ ...run, data: { ...run.data, heldOutSamples: -1 } }));
    expect(await cli(['compare', bad])).toMatchObject({ code: 1, err: [`error ${join(bad, 'run.json')}: field 'data.heldOutSamples' must be a whole number ≥ 1, got -1`] });
    writeFileSync(join(bad, 'run.json'), JSON.stringify(run));
    writeFileSync(join(bad, 'losses.csv'), readFileSync(join(sweepDir, 'tiny-gan', 'losses.csv'), 'utf8').replace(/\n2,([^,]*),([^,]*),([^,]*),/, '\n2,$1,$2,oops,'));
    expect((await cli(['compare', bad])).err).toEqual([`error ${join(bad, 'losses.csv')}:3:4: "oops" in column "g_adv" is not a number`]);
    expect((await cli(['compare', join(tmp.dir, 'nowhere')])).err).toEqual([`error ${join(tmp.dir, 'nowhere', 'run.json')}: no such file (not a run folder of lggan train?)`]);
  });
});

describe('lggan train --from-run', () => {
  it('trains the recorded run again with the same losses', async () => {
    const again = join(tmp.dir, 'again');
    const r = await cli(['train', '--from-run', join(sweepDir, 'tiny-gan-narrow', 'run.json'), '--out', again, '--sample-every', '0']);
    expect(r.code).toBe(0);
    expect(readCsv(join(again, 'losses.csv'), { withoutMs: true })).toEqual(readCsv(join(sweepDir, 'tiny-gan-narrow', 'losses.csv'), { withoutMs: true }));
    const run = await readRunFile(join(again, 'run.json'));
    const recorded = await readRunFile(join(sweepDir, 'tiny-gan-narrow', 'run.json'));
    expect(run.graph.hash).toBe(recorded.graph.hash);
    expect(run).toMatchObject({ seed: 3, dataSeed: 3, batch: 2, steps: { requested: 2, done: 2 } });
    expect(run.graph.file).toBe(join(sweepDir, 'tiny-gan-narrow', 'run.json'));
  });

  it('takes the graph, seeds and data from the record only', async () => {
    const rec = join(sweepDir, 'tiny-gan', 'run.json');
    expect((await cli(['train', '--from-run', rec, '--out', join(tmp.dir, 'y'), '--seed', '1'])).err).toEqual(['lggan train: --from-run replays the recorded run, so --seed cannot be given with it']);
    expect((await cli(['train', base, '--from-run', rec, '--out', join(tmp.dir, 'y')])).err).toEqual(['lggan train: --from-run takes the graph from the run record: give no graph file']);
    expect(existsSync(join(tmp.dir, 'y'))).toBe(false);
  });
});

describe('run.json through a run\'s life', () => {
  it('records an interrupted run, then the resumed session, with the steps of each', async () => {
    const dir = join(tmp.dir, 'life');
    let interrupt: (() => void) | undefined;
    const r = await cli(['train', base, '--synthetic', '--steps', '2', '--out', dir, '--sample-every', '0'], {
      onInterrupt: (handler) => ((interrupt = handler), () => (interrupt = undefined)),
      onErr: (line) => line.startsWith('step 1/2') && interrupt?.(),
    });
    expect(r.code).toBe(130);
    expect(await readRunFile(join(dir, 'run.json'))).toMatchObject({ status: 'interrupted', steps: { requested: 2, done: 1, resumedFrom: 0 } });
    expect((await cli(['train', base, '--synthetic', '--steps', '2', '--out', dir, '--resume', join(dir, 'checkpoints', 'step-000001.safetensors')])).code).toBe(0);
    expect(await readRunFile(join(dir, 'run.json'))).toMatchObject({ status: 'finished', steps: { requested: 2, done: 2, resumedFrom: 1 } });
  });

  it('records an --init-from checkpoint, and a re-run carries over from it again', async () => {
    const dir = join(tmp.dir, 'carried');
    const checkpoint = join(sweepDir, 'tiny-gan', 'checkpoints', 'step-000002.safetensors');
    expect((await cli(['train', narrow, '--synthetic', '--steps', '3', '--out', dir, '--init-from', checkpoint, '--sample-every', '0'])).code).toBe(0);
    expect(await readRunFile(join(dir, 'run.json'))).toMatchObject({ initFrom: checkpoint, steps: { requested: 3, done: 3, resumedFrom: 2 } });
    const again = join(tmp.dir, 'carried-again');
    expect((await cli(['train', '--from-run', join(dir, 'run.json'), '--out', again, '--sample-every', '0'])).code).toBe(0);
    expect(readCsv(join(again, 'losses.csv'), { withoutMs: true })).toEqual(readCsv(join(dir, 'losses.csv'), { withoutMs: true }));
  });

  it('records a data directory by its absolute path and layout, and re-runs on it', async () => {
    const data = join(tmp.dir, 'data');
    mkdirSync(join(data, 'images'), { recursive: true });
    mkdirSync(join(data, 'labels'), { recursive: true });
    for (const [k, key] of ['a', 'b', 'c'].entries()) {
      writeFileSync(join(data, 'images', `${key}.png`), encodePng({ width: 16, height: 16, channels: 3, data: new Uint8Array(768).map((_, i) => (i * (k + 3)) % 256) }));
      writeFileSync(join(data, 'labels', `${key}.png`), encodePng({ width: 16, height: 16, channels: 1, data: new Uint8Array(256).map((_, p) => (p % 16 < 8 ? 1 : k)) }));
    }
    const first = join(tmp.dir, 'on-data');
    expect((await cli(['train', base, '--data', data, '--layout', 'generic', '--steps', '2', '--out', first, '--held-out', '1', '--sample-every', '0'])).code).toBe(0);
    const run = await readRunFile(join(first, 'run.json'));
    expect(run.data).toMatchObject({ kind: 'directory', path: data, layout: 'generic', trainSamples: 2, heldOutSamples: 1 });
    const again = join(tmp.dir, 'on-data-again');
    expect((await cli(['train', '--from-run', join(first, 'run.json'), '--out', again, '--sample-every', '0'])).code).toBe(0);
    expect(readCsv(join(again, 'losses.csv'), { withoutMs: true })).toEqual(readCsv(join(first, 'losses.csv'), { withoutMs: true }));
  });
});

const ABLATIONS = ['fixed-fusion', 'global-only', 'local-only', 'no-classification', 'sau', 'sau-label-gated'];
const CITYSCAPES = ['lggan-cityscapes-tiny', ...ABLATIONS.map((v) => `ablation-cityscapes-${v}-tiny`)];
const shipped = (name: string) => new URL(`../../graphs/${name}.json`, import.meta.url).pathname;
const CITYSCAPES_NAMES = ['LGGAN Cityscapes (tiny)', ...ABLATIONS.map((v) => `LGGAN Cityscapes — ${v} (tiny)`)];

/** diffCounts of each shipped Cityscapes graph against the default, from the files themselves. */
function expectedDiffs(): (DiffCounts | null)[] {
  const registry = createRegistry();
  const docs = CITYSCAPES.map((v) => {
    const loaded = loadGraph(readFileSync(shipped(v), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(`${v} does not load`);
    return loaded.doc;
  });
  return docs.map((d, i) => (i === 0 ? null : diffCounts(docs[0], d, registry)));
}

describe('lggan sweep over the shipped Cityscapes tiny graphs', () => {
  it('trains the default and the six ablations alike and compares them', async () => {
    const dir = join(tmp.dir, 'cityscapes-small');
    mkdirSync(dir);
    const files = CITYSCAPES.map((v) => {
      const doc = JSON.parse(readFileSync(shipped(v), 'utf8'));
      Object.assign(doc.template, { num_classes: 3, ngf: 2, ndf: 2 });
      const file = join(dir, `${v}.json`);
      writeFileSync(file, JSON.stringify(doc));
      return file;
    });
    const out = join(dir, 'sweep');
    // On wasm, as the CLI trains by default (tfjs-cpu, the tests' backend, takes ~5× longer here).
    let r;
    try {
      r = await cli(['sweep', ...files, '--synthetic', '--steps', '1', '--batch', '1', '--held-out', '1', '--sample-every', '0', '--checkpoint-every', '0', '--out', out, '--backend', 'wasm']);
    } finally {
      await initNodeBackend('cpu');
    }
    expect(r.code).toBe(0);
    const runs = await Promise.all(CITYSCAPES.map((v) => readRunFile(join(out, v, 'run.json'))));
    expect(runs.map((x) => x.graph.name)).toEqual(CITYSCAPES_NAMES);
    for (const run of runs) expect(run).toMatchObject({ status: 'finished', backend: 'wasm', seed: 0, dataSeed: 0, batch: 1, steps: { done: 1 }, data: { fingerprint: runs[0].data.fingerprint, heldOutSamples: 1 } });
    const csv = readFileSync(join(out, 'comparison.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const expected = expectedDiffs();
    csv.forEach((row, i) => expect(row.slice(4, 7), CITYSCAPES[i]).toEqual(expected[i] ? [expected[i]!.nodes, expected[i]!.params, expected[i]!.wires].map(String) : ['', '', '']));
    for (const e of expected.slice(1)) expect(e!.nodes + e!.params + e!.wires).toBeGreaterThan(0);
    expect(existsSync(join(out, 'losses.png'))).toBe(true);
  }, 180_000); // ~15 s of CPU; a machine shared with other work needs more
});

/** A finished run folder for `file` without training: its record and two steps of made-up losses. */
function fabricateRun(dir: string, file: string, lossTerms: string[], offset: number): void {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(file, 'utf8'), { registry, file });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  const run: RunFile = {
    format: RUN_FILE_FORMAT,
    version: 1,
    status: 'finished',
    graph: { name: loaded.doc.meta.name, hash: graphHash(loaded.doc), file, document: JSON.parse(saveGraph(loaded.doc)) },
    seed: 0,
    dataSeed: 0,
    backend: 'wasm',
    batch: 1,
    data: { kind: 'synthetic', description: 'synthetic scenes', path: null, layout: null, fingerprint: 'synthetic-scene:x', trainSamples: 255, heldOutSamples: 1 },
    steps: { requested: 2, done: 2, resumedFrom: 0 },
    initFrom: null,
    lossTerms,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    wallSeconds: 10,
    files: { losses: 'losses.csv', lossesJsonl: 'losses.jsonl', metrics: 'metrics.jsonl', checkpoints: 'checkpoints', samples: 'samples' },
    versions: { nodePack: '0.1.0', tfjs: '4.22.0', node: 'v20' },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), runFileJson(run));
  const rows = [1, 2].map((step) => [step, ...lossTerms.map((_, k) => (k + 1) / step + offset)].join(','));
  writeFileSync(join(dir, 'losses.csv'), [['step', ...lossTerms].join(','), ...rows].join('\n') + '\n');
  writeFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ step: 2, count: 1, psnr: 12 + offset, ssim: 0.2, sd: 10 }) + '\n');
}

describe('lggan compare over the shipped Cityscapes tiny graphs at their size', () => {
  it('lists the default and the six ablations with their diff against the default', async () => {
    const dirs = CITYSCAPES.map((v, i) => {
      const dir = join(tmp.dir, 'cityscapes', v);
      fabricateRun(dir, shipped(v), i % 2 === 0 ? ['g_adv', 'g_feat', 'd_adv'] : ['g_adv', 'd_adv'], i / 10);
      return dir;
    });
    const out = join(tmp.dir, 'cityscapes', 'compared');
    const r = await cli(['compare', ...dirs, '--json', '--out', out]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out.join('\n'));
    expect(json.terms).toEqual(['g_adv', 'g_feat', 'd_adv']);
    expect(json.runs.map((x: { variant: string }) => x.variant)).toEqual(CITYSCAPES_NAMES);
    expect(json.runs.map((x: { diff: unknown }) => x.diff)).toEqual(expectedDiffs());
    expect(json.runs[1].lastLosses).toEqual({ g_adv: 0.5 + 0.1, d_adv: 1 + 0.1 });
    expect(json.runs[2].heldOut).toEqual({ psnr: 12.2, ssim: 0.2, sd: 10, count: 1, step: 2 });
    const png = decodeImage(readFileSync(join(out, 'losses.png')), 'chart');
    expect(png.height).toBeGreaterThan(2 * 250); // two rows of panels for three terms, then a legend of seven
    expect(readFileSync(join(out, 'comparison.md'), 'utf8').split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(7);
  });
});
