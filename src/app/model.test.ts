import { describe, expect, it } from 'vitest';
import defaultGraph from '../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../nodes/index.ts';
import { formatBytes, formatCount } from './format.ts';
import { openGraphText, openGraphValue } from './model.ts';

const registry = createRegistry();

describe('app model', () => {
  it('presents the embedded default graph without errors, with shapes and totals', () => {
    const result = openGraphValue(defaultGraph, 'tiny-pix2pix.json', registry);
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
    const { view } = result;
    expect(view.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(view.rows.map((r) => r.id).sort()).toEqual(defaultGraph.nodes.map((n) => n.id).sort());
    expect(view.rows.filter((r) => !r.known).map((r) => r.type)).toEqual([]);
    expect(view.rows.some((r) => r.outputs.length > 0)).toBe(true);
    expect(view.networks.length).toBeGreaterThan(0);
    expect(view.total.params).toBeGreaterThan(0);
    expect(view.total.macs).toBeGreaterThan(0);
    expect(view.total.activationBytes).toBeGreaterThan(0);
  });

  it('rows follow the data flow: every edge goes from an earlier row to a later one', () => {
    const result = openGraphValue(defaultGraph, 'tiny-pix2pix.json', registry);
    if (!result.ok) throw new Error('default graph did not load');
    const pos = new Map(result.view.rows.map((r, i) => [r.id, i]));
    for (const e of defaultGraph.edges) expect(pos.get(e.from.node)!).toBeLessThan(pos.get(e.to.node)!);
  });

  it('reports a truncated file with its line and column and no view', () => {
    const text = JSON.stringify(defaultGraph, null, 2);
    const result = openGraphText(text.slice(0, text.length / 2), 'broken.lggan.json', registry);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', where: expect.objectContaining({ file: 'broken.lggan.json', line: expect.any(Number), column: expect.any(Number) }) }),
    ]);
  });
});

describe('number formatting', () => {
  it('keeps three significant digits with a unit', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_345)).toBe('12.3 k');
    expect(formatCount(4_560_000_000)).toBe('4.56 G');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MiB');
  });
});
