import { describe, expect, it } from 'vitest';
import { GRAPH_VERSION } from './document.ts';
import { loadGraph, loadGraphValue } from './load.ts';
import { MIGRATIONS, migrateDocument } from './migrations.ts';
import { saveGraph } from './save.ts';

function v0Doc() {
  return {
    format: 'lggan-studio.graph',
    version: 0,
    meta: { name: 'draft' },
    globals: { height: 256, width: 256, num_classes: 35, ngf: 64 },
    init: { scheme: 'normal', gain: 0.02, seed: 1 },
    nodes: [
      { id: 'label', type: 'core/semantic-input', properties: { classes: 'num_classes' }, pos: [0, 10] },
      { id: 'enc1', type: 'core/conv2d', title: 'Encoder', network: 'G', properties: { filters: 'ngf', kernel: 7 }, pos: [200, 10.5] },
    ],
    links: [['label', 'y', 'enc1', 'x']],
  };
}

describe('migrations table', () => {
  it('is a chain from 0 up to the current version', () => {
    MIGRATIONS.forEach((m, i) => {
      expect(m.from).toBe(i);
      expect(m.to).toBe(i + 1);
      expect(m.description).not.toBe('');
    });
    expect(MIGRATIONS[MIGRATIONS.length - 1].to).toBe(GRAPH_VERSION);
  });
});

describe('migration 0 → 1', () => {
  it('converts the draft format', () => {
    const result = migrateDocument(v0Doc(), 0, 1);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.applied.map((m) => `${m.from}→${m.to}`)).toEqual(['0→1']);
    expect(result.doc).toEqual({
      format: 'lggan-studio.graph',
      version: 1,
      meta: { name: 'draft' },
      template: { height: 256, width: 256, num_classes: 35, ngf: 64 },
      init: { scheme: 'normal', gain: 0.02, seed: 1 },
      nodes: [
        { id: 'label', type: 'core/semantic-input', typeVersion: 1, params: { classes: 'num_classes' }, position: { x: 0, y: 10 } },
        { id: 'enc1', type: 'core/conv2d', typeVersion: 1, title: 'Encoder', network: 'G', params: { filters: 'ngf', kernel: 7 }, position: { x: 200, y: 10.5 } },
      ],
      edges: [{ from: { node: 'label', port: 'y' }, to: { node: 'enc1', port: 'x' } }],
      groups: [],
      comments: [],
      extra: {},
    });
  });

  it('does not mutate its input', () => {
    const input = v0Doc();
    const before = structuredClone(input);
    const frozen = deepFreeze(structuredClone(input));
    MIGRATIONS[0].migrate(input);
    expect(input).toEqual(before);
    expect(() => MIGRATIONS[0].migrate(frozen)).not.toThrow();
  });

  it('passes through what it does not recognise, for validation to report', () => {
    const input = { ...v0Doc(), links: [['a', 'b']], nodes: ['oops'] };
    const result = migrateDocument(input, 0);
    expect(result.ok && (result.doc as { edges: unknown }).edges).toEqual([['a', 'b']]);
    expect(migrateDocument('not an object', 0)).toMatchObject({ ok: true, doc: 'not an object' });
  });

  it('is applied by the loader, which reports where it came from', () => {
    const loaded = loadGraph(JSON.stringify(v0Doc()), { file: 'old.json' });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.migratedFrom).toBe(0);
    expect(loaded.doc.version).toBe(GRAPH_VERSION);
    expect(loaded.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'format-migrated', where: { file: 'old.json', pointer: '/version' } }),
    ]);
    // The migrated document saves as the current version and loads back with no migration.
    const again = loadGraph(saveGraph(loaded.doc));
    expect(again.ok && again.migratedFrom).toBeUndefined();
    expect(again.ok && again.doc).toEqual(loaded.doc);
  });

  it('reports problems of a broken v0 file at the converted places', () => {
    const input = v0Doc();
    input.links.push(['label', 'y', 'ghost', 'x']);
    const loaded = loadGraphValue(input);
    expect(loaded.ok).toBe(false);
    expect(loaded.diagnostics).toEqual([
      expect.objectContaining({ code: 'missing-node', where: expect.objectContaining({ pointer: '/edges/1/to/node', node: 'ghost', edge: 1 }) }),
      expect.objectContaining({ severity: 'warning', code: 'format-migrated', message: expect.stringContaining('converted document') }),
    ]);
  });
});

function v1Doc() {
  return {
    format: 'lggan-studio.graph',
    version: 1,
    meta: { name: 'v1' },
    template: { ngf: 4 },
    nodes: [
      { id: 'label', type: 'core/semantic-input', typeVersion: 1, params: { classes: 4 }, position: { x: 0, y: 0 } },
      { id: 'enc1', type: 'core/conv2d', typeVersion: 1, title: 'Encoder', params: { filters: 'ngf' }, position: { x: 200, y: 0 }, extra: { k: 1 } },
    ],
    edges: [{ from: { node: 'label', port: 'y' }, to: { node: 'enc1', port: 'x' } }],
    groups: [],
    comments: [],
    extra: { host: 'x' },
  };
}

describe('migration 1 → 2', () => {
  it('changes only the version: every v1 node was active, which v2 says by leaving mode out', () => {
    const result = migrateDocument(v1Doc(), 1);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.applied.map((m) => `${m.from}→${m.to}`)).toEqual(['1→2']);
    expect(result.doc).toEqual({ ...v1Doc(), version: 2 });
    expect(Object.keys(result.doc as object)).toEqual(Object.keys(v1Doc()));
  });

  it('does not mutate its input', () => {
    const frozen = deepFreeze(v1Doc());
    expect(() => MIGRATIONS[1].migrate(frozen)).not.toThrow();
    expect(frozen.version).toBe(1);
  });

  it('chains after 0 → 1, so a draft file reaches the current version', () => {
    const result = migrateDocument(v0Doc(), 0);
    expect(result.ok && result.applied.map((m) => `${m.from}→${m.to}`)).toEqual(['0→1', '1→2']);
    expect(result.ok && (result.doc as { version: number }).version).toBe(2);
  });

  it('is applied by the loader; the v1 file then saves as v2 and a mode loads back', () => {
    const loaded = loadGraph(JSON.stringify(v1Doc()), { file: 'v1.json' });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.migratedFrom).toBe(1);
    expect(loaded.doc.nodes.every((n) => n.mode === undefined)).toBe(true);
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'format-migrated', where: { file: 'v1.json', pointer: '/version' } })]);
    loaded.doc.nodes[1].mode = 'bypass';
    const again = loadGraph(saveGraph(loaded.doc));
    expect(again.ok && again.migratedFrom).toBeUndefined();
    expect(again.ok && again.doc.nodes[1].mode).toBe('bypass');
  });

  it('a v1 file that already holds a mode is refused at that field, as v1 had none', () => {
    const input = v1Doc() as ReturnType<typeof v1Doc> & { nodes: { mode?: string }[] };
    input.nodes[1].mode = 'sometimes';
    const loaded = loadGraphValue(input);
    expect(loaded.ok).toBe(false);
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'invalid-value', where: expect.objectContaining({ pointer: '/nodes/1/mode', node: 'enc1' }) });
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
