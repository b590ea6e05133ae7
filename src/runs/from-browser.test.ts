/** A browser run record read into the shared RunRecord, and compared like a run folder. */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { graphHash } from '../graph/hash.ts';
import { loadGraphValue } from '../graph/load.ts';
import { writePng } from '../formats/png.ts';
import { tinyTrainingGraph } from '../browser/tiny-training-graph.test-util.ts';
import { parseBrowserRun, type BrowserRun } from './browser-run.ts';
import { comparisonCsv, compareRuns } from './comparison.ts';
import { recordFromBrowserRun } from './from-browser.ts';

function browserRun(): BrowserRun {
  const document = JSON.parse(JSON.stringify(tinyTrainingGraph())) as Record<string, unknown>;
  const loaded = loadGraphValue(document, { registry: createRegistry() });
  if (!loaded.ok) throw new Error('fixture does not load');
  const png = writePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(9) });
  // Parsed, so the fixture is a record the store would hand out.
  return parseBrowserRun(
    {
      format: 'lggan-studio.browser-run',
      version: 2,
      id: 'run-7',
      status: 'finished',
      graph: { name: 'tiny', hash: graphHash(loaded.doc), document },
      seed: 3,
      backend: 'webgl',
      batch: 2,
      data: { kind: 'files', description: 'cityscapes.zip: 9 samples', name: 'cityscapes.zip', layout: 'cityscapes', syntheticSeed: null, syntheticCount: null, fingerprint: 'fp', trainSamples: 8, heldOutSamples: 1 },
      steps: { requested: 10, done: 7, resumedFrom: 0 },
      // g_feat appeared at step 4; d_adv diverged at step 6; the stride left step 7 out of the rows.
      lossTerms: ['g_adv', 'd_adv', 'g_feat'],
      losses: {
        stride: 2,
        steps: [2, 4, 6],
        values: [
          [1, 0.5, null],
          [0.8, 0.4, 2],
          [0.7, null, 1.5],
        ],
        last: { step: 7, values: [0.65, null, 1.25] },
      },
      metrics: [
        { step: 5, psnr: 11, ssim: 0.2, sd: 3 },
        { step: 7, psnr: null, ssim: 0.3, sd: 4 },
      ],
      samples: [{ step: 5, input: 'training sample 0', images: [{ name: 'final', width: 2, height: 2, png }] }],
      startedAt: '2026-12-04T23:00:00.000Z',
      endedAt: '2026-12-04T23:00:09.000Z',
      wallSeconds: 9,
    },
    'fixture',
  );
}

describe('recordFromBrowserRun', () => {
  it('carries the run over under the shared names, its losses as one curve per term', () => {
    const run = browserRun();
    const r = recordFromBrowserRun(run);
    expect(r).toMatchObject({
      source: { kind: 'browser', id: 'run-7' },
      variant: 'tiny',
      status: 'finished',
      graph: run.graph,
      seed: 3,
      dataSeed: null,
      backend: 'webgl',
      batch: 2,
      data: { kind: 'files', description: 'cityscapes.zip: 9 samples', fingerprint: 'fp', trainSamples: 8, heldOutSamples: 1 },
      steps: { requested: 10, done: 7, resumedFrom: 0 },
      startedAt: '2026-12-04T23:00:00.000Z',
      wallSeconds: 9,
      lossTerms: ['g_adv', 'd_adv', 'g_feat'],
    });
    expect(r.curves).toEqual(
      new Map([
        ['g_adv', { steps: [2, 4, 6, 7], values: [1, 0.8, 0.7, 0.65] }],
        ['d_adv', { steps: [2, 4, 6, 7], values: [0.5, 0.4, NaN, NaN] }],
        ['g_feat', { steps: [4, 6, 7], values: [2, 1.5, 1.25] }],
      ]),
    );
    expect(r.metrics).toEqual([
      { step: 5, psnr: 11, ssim: 0.2, sd: 3, count: null },
      { step: 7, psnr: null, ssim: 0.3, sd: 4, count: null },
    ]);
    expect(r.samples).toEqual(run.samples);
    // The record shares no arrays with the stored run: a view may sort or trim its own.
    r.lossTerms.push('x');
    r.samples[0].images.pop();
    expect(run.lossTerms).toHaveLength(3);
    expect(run.samples[0].images).toHaveLength(1);
  });

  it('names a run without a graph name by its id, and keeps the last step when it is a kept row', () => {
    const run = { ...browserRun(), graph: { ...browserRun().graph, name: '  ' } };
    run.losses = { stride: 1, steps: [1, 2], values: [[1, 1, 1], [2, 2, 2]], last: { step: 2, values: [2, 2, 2] } };
    const r = recordFromBrowserRun(run);
    expect(r.variant).toBe('run-7');
    expect(r.curves.get('g_adv')).toEqual({ steps: [1, 2], values: [1, 2] });
  });

  it('compares like a run folder, its source as "browser run <id>" and no held-out count', () => {
    const c = compareRuns([recordFromBrowserRun(browserRun())], createRegistry());
    expect(c.rows[0]).toMatchObject({ variant: 'tiny', dir: 'browser run run-7', diff: null, steps: 7, lastLosses: { g_adv: 0.65, d_adv: NaN, g_feat: 1.25 }, heldOut: { step: 5, psnr: 11, ssim: 0.2, sd: 3, count: null } });
    expect(c.rows[0].diffProblem).toBeUndefined();
    expect(comparisonCsv(c).split('\n')[1]).toMatch(/^1,tiny,browser run run-7,[0-9a-f]{64},,,,finished,7,9,webgl,3,0\.65,NaN,1\.25,11,0\.2,3,$/);
  });
});
