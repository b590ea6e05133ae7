/** The training command's parts that need no training: batch order, logs, data fitting. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSource, type GraphInput } from '../../runtime/data/index.ts';
import { BatchOrder } from './batches.ts';
import { dataNeeds, defaultHeldOut, detectLayout, syntheticFor } from './data.ts';
import { LOSSES_CSV, LOSSES_JSONL, METRICS_JSONL, RunLogs } from './logs.ts';

describe('BatchOrder', () => {
  it('visits every sample once per epoch, in a seeded order that depends only on the step', () => {
    const order = new BatchOrder(5, 2, 3);
    const positions = Array.from({ length: 5 }, (_, s) => order.at(s));
    const firstTwoEpochs = positions.flatMap((p) => p.samples.map((s) => s.index));
    expect(firstTwoEpochs.slice(0, 5).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(firstTwoEpochs.slice(5).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(positions.map((p) => p.epoch)).toEqual([0, 0, 0, 1, 1]);
    // Step 2 straddles the epochs: its samples are augmented with each one's epoch seed.
    expect(positions[2].samples[0].augmentSeed).not.toBe(positions[2].samples[1].augmentSeed);
    expect(new BatchOrder(5, 2, 3).at(4)).toEqual(positions[4]); // no state: a resumed run sees the same batches
    expect(new BatchOrder(5, 2, 4).at(0)).not.toEqual(positions[0]);
  });
});

describe('RunLogs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lggan-logs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on resume drops the rows after the checkpoint step and appends', async () => {
    const fresh = await RunLogs.open(dir, ['g', 'd']);
    for (const step of [1, 2, 3]) {
      await fresh.step({ step, lrG: 0.1, lrD: 0.2, g: step, d: undefined, gTotal: step, ms: 5 });
      await fresh.metrics({ step, psnr: step });
    }
    const resumed = await RunLogs.open(dir, ['g', 'd'], { resumeFrom: 2 });
    await resumed.step({ step: 3, lrG: 0.1, lrD: 0.2, g: 30, gTotal: 30, ms: 5 });
    expect(readFileSync(join(dir, LOSSES_CSV), 'utf8')).toBe('step,lrG,lrD,g,d,gTotal,dTotal,ms\n1,0.1,0.2,1,,1,,5\n2,0.1,0.2,2,,2,,5\n3,0.1,0.2,30,,30,,5\n');
    expect(readFileSync(join(dir, LOSSES_JSONL), 'utf8').trim().split('\n').map((l) => JSON.parse(l).g)).toEqual([1, 2, 30]);
    expect(readFileSync(join(dir, METRICS_JSONL), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1, 2]);
    await expect(RunLogs.open(dir, ['other'], { resumeFrom: 1 })).rejects.toThrow(/has other columns than this graph's losses/);
  });
});

describe('fitting the data to the graph', () => {
  const input = (id: string, kind: string, params: GraphInput['params'] = {}): GraphInput => ({ id, type: 't', kind, params, shape: [1, 16, 24, kind === 'semantic' ? 4 : 3] });

  it('reads size, classes, cross-view and instance needs from the inputs', () => {
    expect(dataNeeds([input('labels', 'semantic', { num_classes: 4, instance_edge: true }), input('real', 'image')], {})).toEqual({
      height: 16,
      width: 24,
      numClasses: 4,
      crossView: false,
      instances: true,
    });
    expect(dataNeeds([input('aerial', 'image'), input('grey_labels', 'image')], { num_classes: 6 })).toMatchObject({ crossView: true, numClasses: 6 });
  });

  it('picks the synthetic id space from num_classes; classes beyond a small graph become unknown', async () => {
    const needs = { width: 16, height: 16, crossView: false, instances: false };
    const ids = async (numClasses: number) => {
      const { dataset, description } = syntheticFor({ ...needs, numClasses }, 0);
      const seen = new Set<number>();
      for (let i = 0; i < 8; i++) for (const v of (await dataset.sample(i)).fields.labels.data) seen.add(v);
      return { max: Math.max(...seen), description };
    };
    expect(await ids(35)).toMatchObject({ max: 26, description: 'synthetic scenes, Cityscapes ids (35 classes)' });
    expect(await ids(8)).toMatchObject({ max: 7, description: 'synthetic scenes, compact ids (8 of 8 classes)' });
    expect(await ids(3)).toMatchObject({ max: 3, description: 'synthetic scenes, compact ids (3 classes; vegetation, car are unknown)' });
    expect(syntheticFor({ ...needs, crossView: true }, 0).dataset.info.fields).toContain('grey_labels');
  });

  it('tells the layouts apart by their files', () => {
    const source = (...paths: string[]) => new MemoryFileSource(Object.fromEntries(paths.map((p) => [p, new Uint8Array(1)])));
    expect(detectLayout(source('city/leftImg8bit/train/a/x_leftImg8bit.png', 'city/gtFine/train/a/x_gtFine_labelIds.png'))).toBe('cityscapes');
    expect(detectLayout(source('images/training/ADE_train_00000001.jpg', 'annotations/training/ADE_train_00000001.png'))).toBe('ade20k');
    expect(detectLayout(source('images/a.png', 'labels/a.png'))).toBe('generic');
    expect(detectLayout(source('dayton/train/0001.png'))).toBe('crossview');
    expect(detectLayout(source('README.md'))).toBeUndefined();
    expect([defaultHeldOut(3), defaultHeldOut(40), defaultHeldOut(3000)]).toEqual([1, 4, 8]);
  });
});
