/**
 * The --json documents of validate, compile and train: one JSON document on stdout, human text on
 * stderr, each shape written out here in full (not a snapshot that updates itself).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir, writeTinyGan } from './cli.test-util.ts';
import { EXIT } from './io.ts';

const tmp = tempDir('lggan-json-');
afterAll(tmp.cleanup);
const shipped = new URL('../../graphs/tiny-pix2pix.json', import.meta.url).pathname;

/** The shipped graph with the kernel of node 1 out of range, pretty-printed: its line is known. */
function badGraph(): { file: string; line: number; column: number } {
  const doc = JSON.parse(readFileSync(shipped, 'utf8'));
  doc.nodes[1].params.kernel = 99;
  const text = JSON.stringify(doc, null, 2);
  const file = join(tmp.dir, 'bad.json');
  writeFileSync(file, text);
  const offset = text.indexOf('"kernel": 99');
  const before = text.slice(0, offset).split('\n');
  return { file, line: before.length, column: before[before.length - 1].length + 1 };
}

describe('lggan validate --json', () => {
  it('gives every file with its diagnostics, each placed by line and column', async () => {
    const bad = badGraph();
    const r = await cli(['validate', shipped, bad.file, join(tmp.dir, 'missing.json'), '--json']);
    expect(r.code).toBe(EXIT.problems);
    expect(JSON.parse(r.out.join('\n'))).toEqual({
      version: 1,
      ok: false,
      files: [
        { file: shipped, ok: true, readError: null, nodes: 23, edges: 23, errors: 0, warnings: 0, diagnostics: [] },
        {
          file: bad.file,
          ok: false,
          readError: null,
          nodes: 23,
          edges: 23,
          errors: 1,
          warnings: 0,
          diagnostics: [
            {
              severity: 'error',
              code: 'bad-param',
              message: 'kernel expects a value between 1 and 15, got 99',
              file: bad.file,
              line: bad.line,
              column: bad.column,
              pointer: '/nodes/1/params/kernel',
              node: 'enc',
              port: null,
              field: 'kernel',
              edge: null,
            },
          ],
        },
        { file: join(tmp.dir, 'missing.json'), ok: false, readError: `cannot read '${join(tmp.dir, 'missing.json')}': no such file`, nodes: null, edges: null, errors: 0, warnings: 0, diagnostics: [] },
      ],
    });
    // The human lines go to stderr, in the compiler format editors and CI annotate.
    expect(r.err).toEqual([`${bad.file}:${bad.line}:${bad.column}: error: [bad-param] node 'enc' param 'kernel' (/nodes/1/params/kernel): kernel expects a value between 1 and 15, got 99`, `error cannot read '${join(tmp.dir, 'missing.json')}': no such file`]);
  });

  it('places a syntax error too, and prints nothing but the document on stdout when all is well', async () => {
    const broken = join(tmp.dir, 'broken.json');
    writeFileSync(broken, '{\n  "format": "lggan-studio.graph",\n  "version": 2,,\n}');
    const r = await cli(['validate', broken, '--json']);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc.files[0].diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'json-syntax', file: broken, line: 3, column: 16, pointer: null })]);
    const ok = await cli(['validate', shipped, '--json']);
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.err).toEqual([]);
    expect(JSON.parse(ok.out.join('\n'))).toMatchObject({ version: 1, ok: true });
  });
});

describe('lggan compile --json', () => {
  it('gives the outputs with shape, declared shape, range and finiteness', async () => {
    const r = await cli(['compile', shipped, '--seed', '3', '--json']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toEqual([]);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc).toEqual({
      version: 1,
      file: shipped,
      ok: true,
      name: 'Tiny pix2pix',
      backend: 'cpu',
      seed: 3,
      batch: 1,
      variables: 23,
      forwardMs: expect.any(Number),
      outputs: [
        { name: 'fake', shape: [1, 32, 32, 3], declared: 'H×W×3', min: expect.any(Number), max: expect.any(Number), finite: true },
        { name: 'patches', shape: [1, 10, 10, 1], declared: '10×10×1', min: expect.any(Number), max: expect.any(Number), finite: true },
      ],
      diagnostics: [],
    });
    expect(doc.outputs[0].min).toBeLessThan(doc.outputs[0].max);
  });

  it('says ok: false with the placed diagnostics when the graph does not compile', async () => {
    const bad = badGraph();
    const r = await cli(['compile', bad.file, '--json']);
    expect(r.code).toBe(EXIT.problems);
    expect(JSON.parse(r.out.join('\n'))).toEqual({
      version: 1,
      file: bad.file,
      ok: false,
      diagnostics: [expect.objectContaining({ code: 'bad-param', line: bad.line, column: bad.column, node: 'enc', field: 'kernel' })],
    });
  });
});

describe('lggan train --json', () => {
  it('ends with the summary document; progress and notes stay on stderr', async () => {
    const graph = writeTinyGan(tmp.dir);
    const out = join(tmp.dir, 'run');
    const r = await cli(['train', graph, '--synthetic', '--steps', '2', '-o', out, '--json']);
    expect(r.code).toBe(EXIT.ok);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc).toEqual({
      version: 1,
      status: 'finished',
      graph,
      out,
      steps: { first: 1, last: 2, requested: 2 },
      seconds: expect.any(Number),
      checkpoint: join(out, 'checkpoints', 'step-000002.safetensors'),
      losses: { g_adv: expect.any(Number), g_l1: expect.any(Number), d_adv: expect.any(Number) },
      heldOut: { step: 2, count: 8, psnr: expect.any(Number), ssim: expect.any(Number), sd: expect.any(Number) },
      error: null,
    });
    expect(r.err.at(-1)).toMatch(/^trained steps 1…2 in .*; checkpoint /);
  });
});
