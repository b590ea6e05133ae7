import { describe, expect, it } from 'vitest';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { DocumentTimeline } from '../editor/document-timeline.ts';
import { removeNodes, setMeta, setParam } from '../editor/edits.ts';
import { resolveSafely } from '../editor/safe-resolve.ts';
import { DocumentFile, newDocumentId } from './document-file.ts';
import { arriving, enterDocument, type Answer, type DoorKeeper } from './doors.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';

const registry = createRegistry();

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);

const base = load(pix2pix);
const fileFor = (doc: GraphDocument, id = 'first') => new DocumentFile(id, 'first.lggan.json', doc);

/** A registry whose lookups throw: the resolver throws on any graph with a node, as a resolver bug would. */
const throwingRegistry = new Proxy(registry, {
  get(target, key, receiver) {
    if (key === 'get') return () => { throw new TypeError('x.call is not a function'); };
    return Reflect.get(target, key, receiver);
  },
}) as NodeRegistry;

describe('document timeline: a document switch is an edit of the whole document', () => {
  it('Ctrl+Z after an Open brings back the previous graph and its file; redo reopens', () => {
    const first = fileFor(base);
    const t = new DocumentTimeline(base, first);
    const edited = setParam(base, 'enc', 'kernel', 5);
    t.edit('Set kernel', edited);
    const other = setMeta(base, 'name', 'Other');
    const otherFile = new DocumentFile('second', 'other.lggan.json', other);
    t.switchTo(other, otherFile, 'Open other.lggan.json');
    expect(t.undoLabel).toBe('Open other.lggan.json');

    expect(t.undo()).toBe(true); // one step brings the edited document back
    expect(t.doc).toBe(edited);
    expect(t.file).toBe(first);
    expect(t.undo()).toBe(true);
    expect(t.doc).toBe(base);
    expect(t.redo() && t.redo()).toBe(true);
    expect(t.doc).toBe(other);
    expect(t.file).toBe(otherFile);
  });

  it('unsaved: changed since the last open or save; undoing back to it is clean again', () => {
    const t = new DocumentTimeline(base, fileFor(base));
    expect(t.unsaved).toBe(false);
    t.edit('Delete', removeNodes(base, ['up']));
    expect(t.unsaved).toBe(true);
    t.undo();
    expect(t.unsaved).toBe(false);
    t.redo();
    t.markSaved();
    expect(t.unsaved).toBe(false);
    t.undo(); // the state before the save differs from what was saved
    expect(t.unsaved).toBe(true);
    // A save made after a switch still counts for that document when it comes back by undo.
    t.redo();
    const file = t.file;
    t.switchTo(base, new DocumentFile('new', 'new graph', base), 'New graph');
    t.undo();
    expect(t.file).toBe(file);
    expect(t.unsaved).toBe(false);
    expect(t.edit('nothing', t.doc)).toBe(false);
  });

  it('document ids are unique and sortable by creation', () => {
    const a = newDocumentId(new Date(1000), () => 0.5);
    const b = newDocumentId(new Date(2000), () => 0.5);
    expect(a < b).toBe(true);
    expect(newDocumentId(new Date(1000), () => 0.1)).not.toBe(a);
  });
});

/** A keeper over a real timeline, answering the unsaved-changes question with `answers`. */
function keeper(doc: GraphDocument, answers: Answer[] = [], saveWorks = true) {
  const timeline = new DocumentTimeline(doc, fileFor(doc));
  const refused: { title: string; diagnostics: Diagnostic[] }[] = [];
  const asked: string[] = [];
  let saves = 0;
  let ids = 0;
  const k: DoorKeeper = {
    session: {
      get doc() {
        return timeline.doc;
      },
      get unsaved() {
        return timeline.unsaved;
      },
      open: (d, f, label) => timeline.switchTo(d, f, label),
    },
    registry,
    ask: async (name, label) => (asked.push(`${name} → ${label}`), answers.shift() ?? 'stay'),
    save: async () => {
      saves++;
      if (saveWorks) timeline.markSaved();
      return saveWorks;
    },
    refuse: (title, diagnostics) => void refused.push({ title, diagnostics }),
    newId: () => `doc-${++ids}`,
  };
  return { k, timeline, refused, asked, saves: () => saves };
}

const other = setMeta(base, 'name', 'Other');
const ok = () => arriving({ ok: true, doc: other, warnings: [] }, 'other.lggan.json');

describe('enterDocument: every door', () => {
  it('switches without asking when nothing is unsaved; the new document has its own id and is clean', async () => {
    const { k, timeline, asked } = keeper(base);
    const file = await enterDocument(k, 'Open other.lggan.json', 'not opened', ok);
    expect(file).toMatchObject({ id: 'doc-1', source: 'other.lggan.json' });
    expect(asked).toEqual([]);
    expect(timeline.doc).toBe(other);
    expect(timeline.unsaved).toBe(false);
    timeline.undo();
    expect(timeline.doc).toBe(base);
  });

  it('asks first when there are unsaved changes: stay keeps them, leave switches, save stores then switches', async () => {
    const edited = removeNodes(base, ['up']);
    for (const [answer, expected, saved] of [['stay', edited, 0], ['leave', other, 0], ['save', other, 1]] as const) {
      const { k, timeline, asked, saves } = keeper(base, [answer]);
      timeline.edit('Delete up', edited);
      await enterDocument(k, 'Open other.lggan.json', 'not opened', ok);
      expect(asked).toEqual([`${base.meta.name} → Open other.lggan.json`]);
      expect(timeline.doc).toBe(expected);
      expect(saves()).toBe(saved);
      if (answer !== 'stay') {
        timeline.undo(); // and the edited graph is one Ctrl+Z away
        expect(timeline.doc).toBe(edited);
      }
    }
  });

  it('a failed save keeps the current document', async () => {
    const { k, timeline } = keeper(base, ['save'], false);
    const edited = removeNodes(base, ['up']);
    timeline.edit('Delete up', edited);
    expect(await enterDocument(k, 'Open other', 'not opened', ok)).toBeUndefined();
    expect(timeline.doc).toBe(edited);
  });

  it('ask: false (a link opened at startup) switches without the question', async () => {
    const { k, timeline, asked } = keeper(base);
    timeline.edit('Delete up', removeNodes(base, ['up']));
    await enterDocument(k, 'Open share link', 'not opened', ok, { ask: false });
    expect(asked).toEqual([]);
    expect(timeline.doc).toBe(other);
  });

  it('a bad graph, a loader that throws, or a resolver that throws: refused with the banner, previous graph kept, nothing asked', async () => {
    const { k, timeline, refused, asked } = keeper(base, ['leave', 'leave', 'leave']);
    timeline.edit('Delete up', removeNodes(base, ['up']));
    const before = timeline.doc;
    const bad = () => arriving({ ok: false, diagnostics: [error('json-syntax', 'unexpected end', { file: 'x.json', line: 3 })] }, 'x.json');
    const throwing = (): never => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    await enterDocument(k, 'Open x.json', 'x.json was not opened', bad);
    await enterDocument(k, 'Open share link', 'The share link was not opened', throwing);
    await enterDocument({ ...k, registry: throwingRegistry }, 'Open share link', 'The share link was not opened', ok);
    expect(timeline.doc).toBe(before);
    expect(asked).toEqual([]);
    expect(refused.map((r) => [r.title, r.diagnostics[0].message])).toEqual([
      ['x.json was not opened', 'unexpected end'],
      ['The share link was not opened', 'internal error while opening: Maximum call stack size exceeded'],
      ['The share link was not opened', 'internal error while checking the graph “Other”: x.call is not a function'],
    ]);
    expect(refused[2].diagnostics[0].where.file).toBe('other.lggan.json');
  });

  it('a Recent reopen keeps its id; an arrival that is not saved anywhere counts as unsaved', async () => {
    const { k, timeline } = keeper(base);
    const file = await enterDocument(k, 'Open from Recent', 'not opened', () => arriving({ ok: true, doc: other, warnings: [] }, 'x', { id: 'kept', saved: false }));
    expect(file?.id).toBe('kept');
    expect(timeline.unsaved).toBe(true);
  });
});

describe('resolveSafely', () => {
  it('turns a resolver exception into a located internal error', () => {
    const r = resolveSafely(base, throwingRegistry, 1, 'share link');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostic).toMatchObject({ severity: 'error', code: 'internal', where: { file: 'share link' } });
    expect(resolveSafely(base, registry).ok).toBe(true);
  });
});
