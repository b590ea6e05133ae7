/**
 * Rete's node and connection objects for our canvas. Each node carries its view model (from
 * node-view.ts) in Svelte state, so a param edit redraws badges and shapes without re-mounting
 * the node; only a change of ports rebuilds it. Ids are the document's node ids and edge keys.
 */
import { ClassicPreset, type GetSchemes } from 'rete';
import type { TensorKind } from '../../../nodes/contract.ts';
import type { GraphEdge } from '../../graph/document.ts';
import { edgeKey } from './edits.ts';
import { nodeSize, portSignature, type NodeView } from './node-view.ts';

const sockets = new Map<string, ClassicPreset.Socket>();
/** One socket object per tensor kind; the socket component colours itself by the name. */
export function socketFor(kind: TensorKind): ClassicPreset.Socket {
  let s = sockets.get(kind);
  if (!s) sockets.set(kind, (s = new ClassicPreset.Socket(kind)));
  return s;
}

export class EditorNode extends ClassicPreset.Node {
  vm = $state.raw<NodeView>() as NodeView;
  isSelected = $state(false);
  /** Full card, or a plain box of the same size (detail.ts decides; the canvas sets it). */
  detailed = $state(true);
  width: number;
  height: number;
  readonly signature: string;

  constructor(view: NodeView) {
    super(view.title);
    this.id = view.id;
    this.vm = view;
    this.signature = portSignature(view);
    ({ width: this.width, height: this.height } = nodeSize(view));
    view.inputs.forEach((p, index) => {
      const input = new ClassicPreset.Input(socketFor(p.kind), p.name, false);
      input.index = index;
      this.addInput(p.name, input);
    });
    view.outputs.forEach((p, index) => {
      const output = new ClassicPreset.Output(socketFor(p.kind), p.name, true);
      output.index = index;
      this.addOutput(p.name, output);
    });
  }
}

export class EditorWire extends ClassicPreset.Connection<EditorNode, EditorNode> {
  kind: TensorKind;
  constructor(source: EditorNode, target: EditorNode, edge: GraphEdge) {
    super(source, edge.from.port as never, target, edge.to.port as never);
    this.id = edgeKey(edge);
    this.kind = source.vm.outputs.find((p) => p.name === edge.from.port)?.kind ?? 'feature';
  }
}

export type Schemes = GetSchemes<EditorNode, EditorWire>;
