/** The loss chart's drawing and its bitmap font. (run.json, log and table tests: src/runs/run-files.test.ts.) */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../runtime/data/index.ts';
import { fitText, glyph, textWidth } from './bitmap-font.ts';
import { lossChartPng, SERIES_COLOURS, tickLabel } from './loss-chart.ts';

describe('loss chart', () => {
  it('draws every run in its colour, one panel per term, with a legend row per run', () => {
    const curve = (values: number[]) => ({ steps: values.map((_, i) => i + 1), values });
    const series = [
      { label: 'a', curves: new Map([['g', curve([3, 2, 1])], ['d', curve([1, 1, 1])]]) },
      { label: 'b', curves: new Map([['g', curve([2, 2.5, 3])]]) },
    ];
    const png = decodeImage(lossChartPng(['g', 'd'], series), 'chart');
    const colours = new Set<string>();
    for (let i = 0; i < png.rgba.length; i += 4) colours.add(`${png.rgba[i]},${png.rgba[i + 1]},${png.rgba[i + 2]}`);
    for (const c of SERIES_COLOURS.slice(0, 2)) expect(colours.has(c.join(','))).toBe(true);
    expect(colours.has(SERIES_COLOURS[2].join(','))).toBe(false);
    const one = decodeImage(lossChartPng(['g'], series.slice(0, 1)), 'chart');
    expect(png.width).toBeGreaterThan(one.width); // two panels side by side
    expect(png.height).toBeGreaterThan(one.height); // one more legend row
  });

  it('draws a curve of a million steps', () => {
    const steps = Array.from({ length: 1_000_000 }, (_, i) => i + 1);
    const png = decodeImage(lossChartPng(['g'], [{ label: 'long', curves: new Map([['g', { steps, values: steps.map((s) => 1 / s) }]]) }]), 'chart');
    expect(png.width).toBeGreaterThan(0);
  });

  it('draws any character it lacks as ?, and cuts long text with …', () => {
    expect(glyph('<')).toEqual(glyph('?'));
    expect(glyph('a')).toEqual(glyph('A'));
    expect(textWidth('ab')).toBe(11);
    expect(fitText('abcdefgh', textWidth('abcd'))).toBe('abc…');
    expect(tickLabel(0.000012345)).toBe('1.23e-5');
    expect(tickLabel(-0.5, 1)).toBe('-0.50');
    // Ticks half a ten-thousandth apart are told apart.
    expect(new Set([3.5551, 3.55515, 3.5552].map((v) => tickLabel(v, 0.00005))).size).toBe(3);
  });
});
