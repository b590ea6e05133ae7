import { describe, expect, it } from 'vitest';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { IDBFactory as FakeIndexedDb } from 'fake-indexeddb';
import { Autosaver } from './autosave.ts';
import { manualTimers } from './timers.test-util.ts';
import { setMeta, setParam } from './edits.ts';
import { LAST_KEY, RECENT_PREFIX, RecentDocuments, type DocumentInfo } from './recent.ts';
import { IndexedDbStore, MemoryStore, type KeyValueStore } from './store.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';

const registry = createRegistry();

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);

const base = load(pix2pix);
const named = (name: string) => setMeta(base, 'name', name);
const info = (id: string, unsaved = true): DocumentInfo => ({ id, source: `${id}.lggan.json`, format: 'lggan', unsaved });

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

const stores: [string, () => KeyValueStore][] = [
  ['memory', () => new MemoryStore()],
  ['IndexedDB (fake)', () => new IndexedDbStore('test', 'graphs', new FakeIndexedDb())],
];

describe.each(stores)('per-document autosave on the %s store', (_, makeStore) => {
  it('opening another graph never overwrites the autosave of the previous one', async () => {
    const store = makeStore();
    const timers = manualTimers();
    const a = new Autosaver(store, { timers });
    const edited = setParam(named('A'), 'enc', 'kernel', 5);
    a.schedule(named('A'), info('a'));
    a.schedule(edited, info('a')); // A's last edit is still pending (debounce) when B opens
    a.schedule(named('B'), info('b', false));
    timers.fire();
    await a.flush();

    const list = await a.recent.list();
    expect(list.map((e) => e.id).sort()).toEqual(['a', 'b']);
    const backA = await a.recent.open('a', 0, registry);
    if (!backA.result.ok) throw new Error('A did not open');
    expect(saveGraph(backA.result.doc)).toBe(saveGraph(edited));
    expect(backA.entry).toMatchObject({ source: 'a.lggan.json', unsaved: true });
    // A reload brings back the document open last.
    const restored = await new Autosaver(store).restore(registry);
    expect(restored).toMatchObject({ id: 'b', source: 'b.lggan.json', unsaved: false });
    if (!restored?.result.ok) throw new Error('B did not restore');
    expect(restored.result.doc.meta.name).toBe('B');
  });
});

describe('Recent versions and documents', () => {
  it('keeps a few versions spread in time; the newest is always the latest write', async () => {
    const store = new MemoryStore();
    const t = clock();
    const recent = new RecentDocuments(store, { now: t.now, maxVersions: 3, versionGapMs: 60_000 });
    let doc = named('V');
    const texts: string[] = [];
    for (let k = 1; k <= 8; k++) {
      doc = setParam(doc, 'enc', 'kernel', 2 * k + 1);
      await recent.write(doc, info('v'));
      texts.push(saveGraph(doc));
      t.advance(k % 2 === 0 ? 90_000 : 10_000); // a write 10 s after another replaces it; 90 s after starts a version
    }
    const [entry] = await recent.list();
    expect(entry.versions).toHaveLength(3);
    const opened = await Promise.all([0, 1, 2].map((v) => recent.open('v', v, registry)));
    // Writes 1-2, 3-4, 5-6, 7-8 each share a version; the last three are kept, newest first.
    expect(opened.map((o) => (o.result.ok ? saveGraph(o.result.doc) : ''))).toEqual([texts[7], texts[5], texts[3]]);
    expect(opened[1].result.ok && opened[1].entry.id).toBe('v');
    expect(entry.versions.map((v) => v.savedAt)).toEqual([...entry.versions.map((v) => v.savedAt)].sort().reverse());
  });

  it('an unchanged graph adds no version and is not rewritten', async () => {
    const store = new MemoryStore();
    const t = clock();
    const recent = new RecentDocuments(store, { now: t.now, versionGapMs: 1 });
    await recent.write(named('U'), info('u'));
    const before = store.data.get(RECENT_PREFIX + 'u');
    t.advance(60_000);
    await recent.write(named('U'), info('u'));
    expect(store.data.get(RECENT_PREFIX + 'u')).toBe(before);
    // Only what is beside the graph changed (it was saved): the entry says so, still one version.
    await recent.write(named('U'), info('u', false));
    const [entry] = await recent.list();
    expect(entry).toMatchObject({ unsaved: false, versions: [{ title: 'U' }] });
  });

  it('past the limit, documents saved elsewhere go first, then the oldest; the one written stays', async () => {
    const store = new MemoryStore();
    const t = clock();
    const recent = new RecentDocuments(store, { now: t.now, maxDocuments: 3 });
    for (const [id, unsaved] of [['old-unsaved', true], ['saved-1', false], ['saved-2', false], ['new', true], ['newer', true]] as const) {
      await recent.write(named(id), info(id, unsaved));
      t.advance(1000);
    }
    expect((await recent.list()).map((e) => e.id)).toEqual(['newer', 'new', 'old-unsaved']);
    await recent.write(named('last'), info('last', false));
    expect((await recent.list()).map((e) => e.id)).toEqual(['last', 'newer', 'new']);
    expect(await store.get(LAST_KEY)).toBe('last');
  });

  it('a new graph is recorded once it has something in it', async () => {
    const store = new MemoryStore();
    const recent = new RecentDocuments(store);
    const empty: GraphDocument = { ...named('Untitled graph'), nodes: [], edges: [], groups: [], comments: [] };
    await recent.write(empty, info('new', false));
    expect(await recent.list()).toEqual([]);
    expect(await store.get(LAST_KEY)).toBeUndefined();
    await recent.write(setMeta(empty, 'name', 'Named'), info('new', true));
    expect((await recent.list()).map((e) => e.versions[0].title)).toEqual(['Named']);
  });

  it('a damaged entry is dropped from the list; a missing one is named when opened', async () => {
    const store = new MemoryStore();
    const recent = new RecentDocuments(store);
    await recent.write(named('Fine'), info('fine'));
    await store.set(RECENT_PREFIX + 'broken', '{"id": "broken", "versions": [');
    expect((await recent.list()).map((e) => e.id)).toEqual(['fine']);
    await expect(recent.open('gone', 0, registry)).rejects.toThrow("Recent has no document 'gone'");
    await expect(recent.open('fine', 4, registry)).rejects.toThrow('keeps 1 versions of “Fine”, not 5');
  });
});
