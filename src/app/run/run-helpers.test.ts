/** The run panel's pure parts: chart scaling, ETA, label-map painting and reading, palettes, checkpoint files, metrics and PyTorch report display. */
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../formats/safetensors.ts';
import { paletteFor } from '../../runtime/data/browser-palettes.ts';
import { decodeImage } from '../../runtime/data/codecs.ts';
import { greyPng, rgbPng } from '../../runtime/data/fixtures.test-util.ts';
import { chartScale, downsample, linePath, niceRange, niceStep, tickLabel } from './chart.ts';
import { summariseCheckpoint } from './checkpoint-file.ts';
import { checkpointFileName } from './checkpoint-name.ts';
import { addStep, formatDuration, formatThroughput, progressFraction, remainingMs, startThroughput } from './eta.ts';
import { blankMap, classCounts, colourise, labelMapFromImage, paintDisc, paintLine, presentClasses, shareText } from './label-map.ts';
import { bestIndex, formatMetric } from './metrics-format.ts';
import { orderNetworks, pthFileName, reportCounts } from './pytorch-tools.ts';
import type { ImportReport } from '../../interop/pytorch/import.ts';

describe('chart scaling', () => {
  const box = { width: 120, height: 60, left: 20, right: 0, top: 0, bottom: 10 };

  it('rounds the y range outwards to 1-2-5 ticks and widens flat series', () => {
    expect(niceStep(0, 1)).toBe(0.5); // a quarter is 0.25, rounded up to 0.5
    expect(niceStep(0, 70)).toBe(20);
    expect(niceRange([0.93, 2.4])).toEqual({ lo: 0.5, hi: 2.5, ticks: [0.5, 1, 1.5, 2, 2.5] });
    expect(niceRange([3, 3])).toMatchObject({ lo: 2.6, hi: 3.4 });
    expect(niceRange([0, 0])).toMatchObject({ lo: -1, hi: 1 });
    expect(niceRange([NaN, Infinity])).toEqual({ lo: 0, hi: 1, ticks: [0, 0.5, 1] });
  });

  it('maps steps and values into the plot box (y grows downwards) and breaks lines at non-finite values', () => {
    const points = [
      { step: 1, value: 0 },
      { step: 2, value: 10 },
      { step: 3, value: NaN },
      { step: 5, value: 5 },
    ];
    const s = chartScale([points], box);
    expect([s.x(1), s.x(5)]).toEqual([20, 120]);
    expect([s.y(s.y0), s.y(s.y1)]).toEqual([50, 0]);
    expect(linePath(points, s)).toBe('M20.0 50.0L45.0 0.0M120.0 25.0');
    // One point: centred horizontally.
    expect(chartScale([[{ step: 7, value: 1 }]], box).x(7)).toBe(70);
  });

  it('downsamples long series by bucket means, keeping each bucket last step', () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, value: i % 2 }));
    const short = downsample(long, 100);
    expect(short).toHaveLength(100);
    expect(short[0]).toEqual({ step: 10, value: 0.5 });
    expect(short.at(-1)!.step).toBe(1000);
    expect(tickLabel(0.000012)).toBe('1.2e-5');
    expect(tickLabel(1.23456)).toBe('1.23');
  });
});

describe('speed and ETA', () => {
  it('leaves the warm-up step out, smooths step times and formats what is left', () => {
    let t = startThroughput(2);
    expect(formatThroughput(t)).toBe('measuring… (first step)');
    // The first step compiles shaders: 8 s, where steady steps take 1 s.
    t = addStep(t, 8000);
    expect(t.msPerStep).toBeUndefined();
    expect(remainingMs(t, 1, 100)).toBeUndefined();
    expect(formatThroughput(t)).toBe('measuring… (the first step warms up)');
    t = addStep(t, 1000);
    expect(remainingMs(t, 10, 100)).toBe(90_000);
    expect(formatThroughput(t)).toBe('1.00 steps/s · 2.00 img/s');
    t = addStep(t, 2000);
    expect(t.msPerStep).toBeCloseTo(1300, 6);
    expect(addStep(t, NaN)).toBe(t);
    expect(formatThroughput({ timed: 5, msPerStep: 12_500, batchSize: 1 })).toBe('12.5 s/step · 0.08 img/s');
    expect(formatThroughput({ timed: 5, msPerStep: 4, batchSize: 4 })).toBe('250 steps/s · 1000 img/s');
    expect([formatDuration(45_000), formatDuration(200_000), formatDuration(7_500_000), formatDuration(undefined)]).toEqual(['45 s', '3 min 20 s', '2 h 05 min', '–']);
    expect([progressFraction(5, 10), progressFraction(12, 10), progressFraction(1, 0)]).toEqual([0.5, 1, 0]);
  });
});

describe('label maps', () => {
  it('paints discs and gap-free lines, clipped to the map', () => {
    const map = blankMap(5, 5, 0);
    expect(paintDisc(map, 0, 0, 1, 3)).toBe(3); // (0,0), (1,0), (0,1)
    expect(paintDisc(map, 0, 0, 1, 3)).toBe(0);
    const line = blankMap(9, 1, 0);
    paintLine(line, 0, 0, 8, 0, 0.5, 2);
    expect([...line.data]).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(classCounts(map)).toEqual([{ id: 0, pixels: 22 }, { id: 3, pixels: 3 }]);
  });

  it('lists the classes painted in the map, updating with each stroke, unknown ids named so', () => {
    const palette = paletteFor(5);
    const map = blankMap(10, 10, 0);
    expect(presentClasses(map, palette).map((c) => [c.name, shareText(c.share)])).toEqual([['sky', '100 %']]);
    paintDisc(map, 5, 5, 2, 4);
    expect(presentClasses(map, palette).map((c) => [c.id, c.name, shareText(c.share)])).toEqual([
      [0, 'sky', '87 %'],
      [4, 'car', '13 %'],
    ]);
    map.data[0] = 5; // the don't-care id (num_classes)
    map.data[1] = 9; // beyond the palette
    expect(presentClasses(map, palette).slice(2).map((c) => [c.id, c.name, c.colour])).toEqual([
      [5, 'unknown', [0, 0, 0]],
      [9, 'unknown', [0, 0, 0]],
    ]);
    expect(shareText(0.004)).toBe('< 1 %');
  });

  it('colours ids with the palette (unknown black) and reads uploaded grey PNGs with 255 = unknown', () => {
    const palette = paletteFor(35);
    expect(palette.kind).toBe('cityscapes');
    expect(palette.classes[26]).toMatchObject({ name: 'car', colour: [0, 0, 142] });
    const map = { width: 2, height: 1, data: Int32Array.from([26, 35]) };
    expect([...colourise(map, palette)]).toEqual([0, 0, 142, 255, 0, 0, 0, 255]);
    const ids = labelMapFromImage(decodeImage(greyPng(3, 1, (x) => [7, 255, 26][x]), 'l.png'), 'l.png', 35);
    expect([...ids.data]).toEqual([7, 35, 26]);
    expect(() => labelMapFromImage(decodeImage(greyPng(1, 1, () => 40), 'big.png'), 'big.png', 35)).toThrow(/big\.png: label ids go up to 40, beyond num_classes 35/);
    expect(() => labelMapFromImage(decodeImage(rgbPng(1, 1, () => [1, 2, 3]), 'c.png'), 'c.png', 35)).toThrow(/c\.png: colour label map/);
  });

  it('has palettes for ADE20K (150 named), cross-view (six groups) and small graphs', () => {
    const ade = paletteFor(150);
    expect(ade.classes.map((c) => c.name).slice(0, 3)).toEqual(['wall', 'building', 'sky']);
    expect(ade.classes[149].name).toBe('flag');
    expect(ade.unknownId).toBe(150);
    expect(paletteFor(6, true).classes.map((c) => c.name)).toEqual(['vehicle (10)', 'road / sidewalk (20)', 'pole / person (30)', 'building (40)', 'sky (50)', 'vegetation (60)']);
    expect(paletteFor(5).classes.map((c) => c.name)).toEqual(['sky', 'road', 'building', 'vegetation', 'car']);
    expect(paletteFor(12).classes[11].name).toBe('class 11');
    expect(() => paletteFor(0)).toThrow(/at least 1|≥ 1/);
  });
});

describe('checkpoint files', () => {
  it('summarises a checkpoint and refuses files that are not one, naming them', () => {
    const bytes = writeSafetensors({ 'g.w': { shape: [2], values: new Float32Array([1, 2]) }, 'optimizer.iteration': { dtype: 'I32', shape: [], values: new Int32Array([3]) } });
    expect(summariseCheckpoint(bytes, 'w.safetensors')).toEqual({ variables: 1, optimizerEntries: 1, record: null, sameGraph: null });
    expect(() => summariseCheckpoint(new TextEncoder().encode('hello there'), 'notes.safetensors')).toThrow(/^notes\.safetensors: not a readable \.safetensors file: /);
    const optimiserOnly = writeSafetensors({ 'optimizer.iteration': { dtype: 'I32', shape: [], values: new Int32Array([3]) } });
    expect(() => summariseCheckpoint(optimiserOnly, 'o.safetensors')).toThrow(/o\.safetensors: holds no weights/);
    expect(checkpointFileName('tiny training GAN (worker)', 12)).toBe('tiny-training-GAN-worker-step-000012.safetensors');
  });
});

describe('metrics table', () => {
  it('formats values, infinities and missing values, and finds the best (largest) one', () => {
    expect(formatMetric(12.3456, 2)).toBe('12.35');
    expect(formatMetric(Infinity, 2)).toBe('∞');
    expect(formatMetric(NaN, 4)).toBe('–');
    expect(bestIndex([12.8, 14.1, 13.2])).toBe(1);
    expect(bestIndex([NaN, -0.5, -0.2, -0.2])).toBe(2);
    expect(bestIndex([Infinity, 30])).toBe(0);
    expect(bestIndex([NaN])).toBe(-1);
    expect(bestIndex([])).toBe(-1);
  });
});

describe('PyTorch tools', () => {
  it('counts a report, puts G first and names .pth files', () => {
    const report: ImportReport = {
      network: 'G', format: 'zip', mode: 'partial', sourceKey: null, strippedPrefix: null,
      mapped: [{ key: 'a.weight', variable: 'n.a' }, { key: 'a.bias', variable: 'n.b' }],
      converted: [], ignored: [{ key: 'fc.weight', reason: 'unused' }], missing: ['b.weight'], unexpected: [], misshaped: [{ key: 'c', expected: [1], got: [2] }], uncovered: [],
    };
    expect(reportCounts(report).map((c) => `${c.name} ${c.count}${c.problem ? '!' : ''}`)).toEqual(['mapped 2', 'converted 0', 'ignored 1', 'missing 1!', 'unexpected 0!', 'misshaped 1!', 'uncovered 0!']);
    expect(orderNetworks(['D1', 'D2', 'G'])).toEqual(['G', 'D1', 'D2']);
    expect(orderNetworks(['D'])).toEqual(['D']);
    expect(pthFileName('tiny training GAN (worker)', 12, 'G')).toBe('tiny-training-GAN-worker-step-000012-G.pth');
    expect(pthFileName('latest_net_G.pth', null, 'G')).toBe('latest_net_G-G.pth');
    expect(pthFileName('', 0, 'D1')).toBe('graph-step-000000-D1.pth');
  });
});
