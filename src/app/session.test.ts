import { describe, expect, it } from 'vitest';
import pix2pix from '../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../nodes/index.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import type { Diagnostic } from '../graph/diagnostics.ts';
import type { GraphDocument } from '../graph/document.ts';
import { removeNodes, setMeta, setParam } from './editor/edits.ts';
import { DocumentFile } from './files/document-file.ts';
import { Session } from './session.svelte.ts';
import { resolveSafely } from './editor/safe-resolve.ts';
import { loadDocOrThrow } from './load-doc.test-util.ts';

const registry = createRegistry();

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);
const base = load(pix2pix);

/** Lookups throw once `armed`: the resolver then throws on any graph, as a resolver bug would. */
function trapRegistry() {
  const trap = { armed: false };
  const proxy = new Proxy(registry, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'get' || typeof value !== 'function') return value;
      return (type: string) => {
        if (trap.armed) throw new TypeError('x.call is not a function');
        return (value as (t: string) => unknown).call(target, type);
      };
    },
  }) as NodeRegistry;
  return { trap, proxy };
}

describe('Session', () => {
  it('an Open is one undo step that brings the edited graph and its file back', () => {
    const first = new DocumentFile('a', 'first.lggan.json', base);
    const s = new Session(registry, base, first);
    expect(s.apply('Delete up', (d) => removeNodes(d, ['up']))).toBeUndefined();
    const edited = s.doc;
    expect(s.unsaved).toBe(true);
    const other = setMeta(base, 'name', 'Other');
    s.open(other, new DocumentFile('b', 'other.lggan.json', other), 'Open other.lggan.json');
    expect([s.source, s.unsaved, s.undoLabel]).toEqual(['other.lggan.json', false, 'Open other.lggan.json']);
    s.undo();
    expect(s.doc).toBe(edited);
    expect(s.file).toBe(first);
    expect([s.source, s.unsaved]).toEqual(['first.lggan.json', true]);
    s.markSaved();
    expect(s.unsaved).toBe(false);
  });

  it("an Open takes the door's check of the document at the session's batch instead of resolving it again", () => {
    const { trap, proxy } = trapRegistry();
    const s = new Session(proxy, base, new DocumentFile('a', 'x', base));
    const other = setMeta(base, 'name', 'Other');
    const check = resolveSafely(other, registry, s.batch);
    if (!check.ok) throw new Error(check.diagnostic.message);
    trap.armed = true; // resolving again would throw
    s.open(other, new DocumentFile('b', 'y', other), 'Open y', check);
    expect(s.ir).toBe(check.ir);
    expect(s.views).toBe(check.views);

    // A check at another batch is not the session's: the document is resolved at the session's own.
    const t = new Session(registry, base, new DocumentFile('c', 'z', base));
    t.batch = 3;
    t.open(other, new DocumentFile('d', 'w', other), 'Open w', check);
    expect(t.ir).not.toBe(check.ir);
    expect(t.ir.batch).toBe(3);
  });

  it('an edit whose resolution throws is refused and reported; the graph stays as it was', () => {
    const { trap, proxy } = trapRegistry();
    const reported: Diagnostic[] = [];
    const s = new Session(proxy, base, new DocumentFile('a', 'x', base), (d) => reported.push(d));
    expect(s.ir.nodes.size).toBe(base.nodes.length);
    trap.armed = true;
    const problem = s.apply('Set kernel of enc', (d) => setParam(d, 'enc', 'kernel', 5));
    expect(problem).toMatch(/^Set kernel of enc was not applied: internal error while checking the graph .*x\.call is not a function/);
    expect(reported.map((d) => d.code)).toEqual(['internal']);
    expect(s.doc).toBe(base);
    expect(s.canUndo).toBe(false);
  });

  it('a batch change that makes the resolver throw shows the error instead of throwing', () => {
    const { trap, proxy } = trapRegistry();
    const s = new Session(proxy, base, new DocumentFile('a', 'x', base));
    trap.armed = true;
    s.batch = 2;
    expect(s.ir.diagnostics.map((d) => d.code)).toEqual(['internal']);
    expect(s.views.size).toBe(0);
  });
});
