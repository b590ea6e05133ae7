import { describe, expect, it } from 'vitest';
import { ClassicPreset, NodeEditor, type GetSchemes } from 'rete';
import { IndexedNodeEditor } from './indexed-editor.ts';

type S = GetSchemes<ClassicPreset.Node, ClassicPreset.Connection<ClassicPreset.Node, ClassicPreset.Node>>;

const node = (id: string) => {
  const n = new ClassicPreset.Node(id);
  n.id = id;
  n.addInput('x', new ClassicPreset.Input(new ClassicPreset.Socket('s')));
  n.addOutput('y', new ClassicPreset.Output(new ClassicPreset.Socket('s')));
  return n;
};
const wire = (a: ClassicPreset.Node, b: ClassicPreset.Node) => {
  const c = new ClassicPreset.Connection(a, 'y', b, 'x');
  c.id = `${a.id}->${b.id}`;
  return c;
};

/** Runs the same edits on Rete's editor and ours, recording the signals each emits and what they hold after. */
async function both(run: (e: NodeEditor<S>) => Promise<unknown>) {
  const out = [];
  for (const editor of [new NodeEditor<S>(), new IndexedNodeEditor<S>()]) {
    const signals: string[] = [];
    editor.addPipe((ctx) => {
      signals.push('data' in ctx && ctx.data && 'id' in ctx.data ? `${ctx.type} ${ctx.data.id}` : ctx.type);
      // Block one node's creation, as the canvas's pipe blocks changes it did not make.
      if (ctx.type === 'nodecreate' && ctx.data.id === 'blocked') return undefined;
      return ctx;
    });
    let result: unknown;
    try {
      result = await run(editor);
    } catch (e) {
      result = `threw ${(e as Error).message}`;
    }
    out.push({ result, signals, nodes: editor.getNodes().map((n) => n.id), connections: editor.getConnections().map((c) => c.id), found: [editor.getNode('b')?.id, editor.getConnection('a->b')?.id] });
  }
  return out;
}

describe('IndexedNodeEditor', () => {
  it('finds, lists, adds and removes as Rete editor does, with the same signals', async () => {
    const [rete, ours] = await both(async (e) => {
      const [a, b, c] = [node('a'), node('b'), node('c')];
      const added = [await e.addNode(a), await e.addNode(b), await e.addNode(c), await e.addNode(node('blocked'))];
      await e.addConnection(wire(a, b));
      await e.addConnection(wire(b, c));
      await e.removeConnection('b->c');
      await e.removeNode('c');
      return added;
    });
    expect(ours).toEqual(rete);
    expect(ours.result).toEqual([true, true, true, false]);
    expect(ours.nodes).toEqual(['a', 'b']);
    expect(ours.found).toEqual(['b', 'a->b']);
  });

  it('refuses duplicates and unknown ids with the same errors', async () => {
    for (const run of [
      async (e: NodeEditor<S>) => (await e.addNode(node('a')), e.addNode(node('a'))),
      async (e: NodeEditor<S>) => {
        const [a, b] = [node('a'), node('b')];
        await e.addNode(a);
        await e.addNode(b);
        await e.addConnection(wire(a, b));
        return e.addConnection(wire(a, b));
      },
      (e: NodeEditor<S>) => e.removeNode('nope'),
      (e: NodeEditor<S>) => e.removeConnection('nope'),
    ]) {
      const [rete, ours] = await both(run);
      expect(ours).toEqual(rete);
      expect(ours.result).toMatch(/^threw /);
    }
  });

  it('clears connections first, then nodes', async () => {
    const [rete, ours] = await both(async (e) => {
      const [a, b] = [node('a'), node('b')];
      await e.addNode(a);
      await e.addNode(b);
      await e.addConnection(wire(a, b));
      return e.clear();
    });
    expect(ours).toEqual(rete);
    expect(ours.nodes).toEqual([]);
    expect(ours.signals.slice(-8)).toEqual(['clear', 'connectionremove a->b', 'connectionremoved a->b', 'noderemove a', 'noderemoved a', 'noderemove b', 'noderemoved b', 'cleared']);
  });
});
