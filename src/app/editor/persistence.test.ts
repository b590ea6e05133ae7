import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { saveGraph } from '../../graph/save.ts';
import { Autosaver, AUTOSAVE_KEY } from './autosave.ts';
import { manualTimers } from './timers.test-util.ts';
import { copyText, parseClipboard } from './clipboard.ts';
import { paste, setParam } from './edits.ts';
import { GraphLibrary } from './library.ts';
import { decodeShareHash, encodeShareHash, fromBase64Url, shareUrl, toBase64Url } from './share-link.ts';
import { MemoryStore, type KeyValueStore } from './store.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';

const registry = createRegistry();
const graphsDir = fileURLToPath(new URL('../../../graphs/', import.meta.url));
const shipped = readdirSync(graphsDir).filter((f) => f.endsWith('.json'));

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);

describe('share links', () => {
  it.each(shipped)('round-trips %s byte for byte', (file) => {
    const text = readFileSync(graphsDir + file, 'utf8');
    const r = loadGraph(text, { registry, file });
    if (!r.ok) throw new Error('shipped graph did not load');
    const hash = encodeShareHash(r.doc);
    expect(hash).toMatch(/^#graph=[A-Za-z0-9_-]+$/);
    const back = decodeShareHash(hash, registry);
    if (!back.ok) throw new Error(back.diagnostics.map((d) => d.message).join('\n'));
    expect(saveGraph(back.doc)).toBe(saveGraph(r.doc));
    // Compression keeps links short enough to paste (official-size graphs included).
    expect(hash.length).toBeLessThan(text.length / 3);
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it('builds a full link over the page address, dropping an old hash', () => {
    const doc = load(pix2pix);
    expect(shareUrl('http://127.0.0.1:5173/#graph=old', doc)).toBe(`http://127.0.0.1:5173/${encodeShareHash(doc)}`);
  });

  it('reports a corrupt, cut or foreign link clearly and opens nothing', () => {
    const hash = encodeShareHash(load(pix2pix));
    const cases: [string, RegExp][] = [
      [hash.slice(0, hash.length - 40), /share link is damaged/],
      [hash.slice(0, 20) + '!!' + hash.slice(22), /share link is damaged.*: character \d+ \('!'\) is not base64url/],
      ['#graph=', /damaged.*: the graph data is empty/],
      ['#other=1', /carries no graph/],
      [`#graph=${toBase64Url(new TextEncoder().encode('not deflate data at all'))}`, /share link is damaged/],
    ];
    for (const [bad, message] of cases) {
      const r = decodeShareHash(bad, registry);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.diagnostics[0].message).toMatch(message);
      expect(r.diagnostics[0].where.file).toBe('share link');
    }
  });

  it('a link whose graph is broken is reported by the loader with line and column', async () => {
    const { deflateSync, strToU8 } = await import('fflate');
    const text = saveGraph(load(pix2pix));
    const hash = `#graph=${toBase64Url(deflateSync(strToU8(text.slice(0, 500))))}`;
    const r = decodeShareHash(hash, registry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ code: 'json-syntax', where: { file: 'share link', line: expect.any(Number), column: expect.any(Number) } });
  });
});

describe('clipboard JSON', () => {
  it('copies a selection as a graph document that pastes into another graph', () => {
    const doc = load(pix2pix);
    const text = copyText(doc, ['down', 'down_norm'])!;
    expect(JSON.parse(text)).toMatchObject({ format: 'lggan-studio.graph', nodes: [{ id: 'down' }, { id: 'down_norm' }], edges: [{ from: { node: 'down' }, to: { node: 'down_norm' } }] });
    const parsed = parseClipboard(text, registry);
    if (!parsed.ok) throw new Error('copied text did not parse');
    const { doc: pasted, ids } = paste(doc, parsed.fragment, { x: 0, y: 0 });
    expect(ids).toEqual(['down_2', 'down_norm_2']);
    expect(pasted.nodes.length).toBe(doc.nodes.length + 2);
    expect(copyText(doc, [])).toBeUndefined();
  });

  it('refuses plain text and broken JSON with the place of the problem', () => {
    const plain = parseClipboard('hello there', registry);
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.diagnostics[0]).toMatchObject({ code: 'not-a-graph', where: { file: 'clipboard' } });
    const broken = parseClipboard('{"format": "lggan-studio.graph", "version": 1,\n "nodes": [', registry);
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.diagnostics[0]).toMatchObject({ code: 'json-syntax', where: { file: 'clipboard', line: 2 } });
  });
});

describe('autosave', () => {
  it('debounces: many edits, one write of the latest graph, restored as it was', async () => {
    const store = new MemoryStore();
    const set = vi.spyOn(store, 'set');
    const timers = manualTimers();
    const saved: Date[] = [];
    const a = new Autosaver(store, { timers, now: () => new Date('2025-01-02T03:04:05Z'), onSaved: (at) => saved.push(at) });
    let doc = load(pix2pix);
    for (let k = 1; k <= 5; k++) {
      doc = setParam(doc, 'enc', 'kernel', 2 * k + 1);
      a.schedule(doc, { id: 'doc-1', source: 'tiny-pix2pix.json', format: 'lggan', unsaved: true });
    }
    expect(timers.pending()).toBe(1);
    expect(set).not.toHaveBeenCalled();
    timers.fire();
    await a.flush();
    // One write of the document, one of which document is open last.
    expect(set.mock.calls.map((c) => c[0])).toEqual(['recent/doc-1', 'autosave/last']);
    expect(saved).toHaveLength(1);
    const back = await new Autosaver(store).restore(registry);
    expect(back).toMatchObject({ id: 'doc-1', source: 'tiny-pix2pix.json', unsaved: true });
    expect(back?.savedAt).toBe('2025-01-02T03:04:05.000Z');
    if (!back?.result.ok) throw new Error('autosave did not restore');
    expect(saveGraph(back.result.doc)).toBe(saveGraph(doc));
  });

  it('nothing saved → nothing restored; a damaged record is reported, not thrown', async () => {
    const store = new MemoryStore();
    expect(await new Autosaver(store).restore(registry)).toBeUndefined();
    await store.set(AUTOSAVE_KEY, '{"text": 5');
    const back = await new Autosaver(store).restore(registry);
    expect(back?.result.ok).toBe(false);
  });

  it('a record of the single-slot autosave (before per-document autosave) is still restored, as unsaved', async () => {
    const store = new MemoryStore();
    const doc = load(pix2pix);
    await store.set(AUTOSAVE_KEY, JSON.stringify({ text: saveGraph(doc), source: 'old.lggan.json', savedAt: '2025-01-01T00:00:00.000Z' }));
    const back = await new Autosaver(store).restore(registry);
    expect(back).toMatchObject({ source: 'old.lggan.json', unsaved: true, result: { ok: true } });
    expect(back?.id).toBeUndefined();
  });

  it('a failing store is reported through onError and lastError', async () => {
    const failing: KeyValueStore = { ...new MemoryStore(), get: async () => undefined, keys: async () => [], delete: async () => {}, set: async () => Promise.reject(new Error('QuotaExceededError')) };
    const errors: string[] = [];
    const a = new Autosaver(failing, { timers: manualTimers(), onError: (m) => errors.push(m) });
    a.schedule(load(pix2pix), { id: 'x', source: 'x', format: 'lggan', unsaved: false });
    await a.flush();
    expect(errors).toEqual(['autosave failed: QuotaExceededError']);
    expect(a.lastError).toBe('autosave failed: QuotaExceededError');
  });
});

describe('graph library', () => {
  it('saves, lists newest first, opens, renames and deletes', async () => {
    let t = 0;
    const lib = new GraphLibrary(new MemoryStore(), () => new Date(Date.UTC(2025, 0, 1, 0, 0, t++)));
    const doc = load(pix2pix);
    const first = await lib.save(doc);
    const second = await lib.save({ ...doc, meta: { name: 'Second' } });
    expect((await lib.list()).map((e) => e.name)).toEqual(['Second', doc.meta.name]);
    expect(first.nodes).toBe(doc.nodes.length);

    const opened = await lib.open(first.id, registry);
    if (!opened.ok) throw new Error('library entry did not open');
    expect(saveGraph(opened.doc)).toBe(saveGraph(doc));

    await lib.rename(first.id, '  Renamed  ', registry);
    const renamed = await lib.open(first.id, registry);
    expect(renamed.entry?.name).toBe('Renamed');
    if (renamed.ok) expect(renamed.doc.meta.name).toBe('Renamed');
    await expect(lib.rename(first.id, '   ', registry)).rejects.toThrow('needs a name');

    await lib.save({ ...doc, meta: { name: 'Second v2' } }, second.id);
    expect((await lib.list()).find((e) => e.id === second.id)?.name).toBe('Second v2');

    await lib.delete(second.id);
    expect((await lib.list()).map((e) => e.id)).toEqual([first.id]);
    await expect(lib.open(second.id, registry)).rejects.toThrow(`no graph '${second.id}'`);
  });
});
