import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { loadGraph } from '../graph/load.ts';
import { SHIPPED_SCHEMA_REF, shippedGraphText } from './shipped-text.ts';
import { shippedGraphs } from './shipped.ts';

const graphsDir = join(import.meta.dirname, '..', '..', 'graphs');
const registry = createRegistry();

describe('shipped graphs', () => {
  const generated = shippedGraphs();

  it.each(Object.keys(generated))('%s is committed exactly as the templates generate it (npm run graphs)', (file) => {
    expect(readFileSync(join(graphsDir, file), 'utf8')).toBe(shippedGraphText(generated[file]));
  });

  it.each(readdirSync(graphsDir).filter((f) => f.endsWith('.json')))('%s names the JSON Schema first, and the path leads to it', (file) => {
    const text = readFileSync(join(graphsDir, file), 'utf8');
    expect(Object.keys(JSON.parse(text))[0]).toBe('$schema');
    expect(JSON.parse(text).$schema).toBe(SHIPPED_SCHEMA_REF);
    expect(existsSync(join(graphsDir, SHIPPED_SCHEMA_REF))).toBe(true);
  });

  it.each(readdirSync(graphsDir).filter((f) => f.endsWith('.json')))('%s loads and resolves with no errors', (file) => {
    const loaded = loadGraph(readFileSync(join(graphsDir, file), 'utf8'), { file, registry });
    expect(loaded.ok && loaded.diagnostics).toEqual([]);
    if (!loaded.ok) return;
    const ir = resolveGraph(loaded.doc, registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // The only warning a shipped graph may carry: VGG19 weights are the user's to supply.
    for (const d of ir.diagnostics) expect(d.message).toMatch(/no VGG19 weights file is set/);
  });
});
