/**
 * Where each wire end sits, for Rete's connection renderer: the node's position plus the socket's
 * fixed offset in the card layout (node-view.ts socketOffset). Nothing is measured in the DOM and
 * nothing waits for sockets to render, so a wire costs O(1) to place and a moved node updates only
 * the wires that end on it (rete-render-utils' watcher scans every socket of the graph per lookup
 * and wakes every wire on any move, which is quadratic on a 500-node graph).
 */
import type { NodeEditor } from 'rete';
import type { AreaPlugin } from 'rete-area-plugin';
import type { Schemes } from './editor-node.svelte.ts';
import { socketOffset } from './node-view.ts';

type Side = 'input' | 'output';
type Position = { x: number; y: number };
interface Listener {
  side: Side;
  key: string;
  change: (at: Position) => void;
}

export class LayoutSocketPositions {
  /** Listeners by node id: a node's move wakes only the wires that end on it. */
  private listeners = new Map<string, Set<Listener>>();
  private attached = false;

  constructor(
    private readonly editor: NodeEditor<Schemes>,
    private readonly area: AreaPlugin<Schemes, never>,
  ) {}

  /** Called by the render preset with its own scope; we listen on the area we were given. */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.area.addPipe((ctx) => {
      if (ctx.type === 'nodetranslated') this.notify(ctx.data.id);
      return ctx;
    });
  }

  listen(nodeId: string, side: Side, key: string, change: (at: Position) => void): () => void {
    const listener: Listener = { side, key, change };
    let set = this.listeners.get(nodeId);
    if (!set) this.listeners.set(nodeId, (set = new Set()));
    set.add(listener);
    const at = this.positionOf(nodeId, side, key);
    if (at) change(at);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(nodeId) === set) this.listeners.delete(nodeId);
    };
  }

  /** The socket's centre in graph coordinates, or null when the node or port is not on the canvas. */
  positionOf(nodeId: string, side: Side, key: string): Position | null {
    const node = this.editor.getNode(nodeId);
    const view = this.area.nodeViews.get(nodeId);
    if (!node || !view) return null;
    const index = (side === 'input' ? node.vm.inputs : node.vm.outputs).findIndex((p) => p.name === key);
    if (index < 0) return null;
    const offset = socketOffset(side, index);
    return { x: view.position.x + offset.x, y: view.position.y + offset.y };
  }

  private notify(nodeId: string): void {
    const set = this.listeners.get(nodeId);
    if (!set) return;
    for (const l of set) {
      const at = this.positionOf(nodeId, l.side, l.key);
      if (at) l.change(at);
    }
  }
}
