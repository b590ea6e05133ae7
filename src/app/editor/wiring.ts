/**
 * Is a wire allowed? Checked before the edit is made, so a wire that does not fit is refused with
 * a reason the user can read: wrong ports, wrong kind (the node contract's `kindAccepts`), a
 * cycle, or a shape the target node rejects (the compiler's inference run on the graph with the
 * wire added). Pure; the canvas shows the reason.
 */
import { kindAccepts, type PortDef, type TensorKind } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import { describeType, resolveGraph } from '../../compiler/resolve.ts';
import type { GraphDocument, PortRef } from '../../graph/document.ts';
import { groupBy } from '../../graph/util.ts';
import { connect } from './edits.ts';

export type WireCheck = { ok: true; doc: GraphDocument; ir: GraphIR } | { ok: false; reason: string };

/** One end of a wire: which side of its node, and the kind it gives (output) or expects (input). */
export interface WireEnd {
  side: 'input' | 'output';
  kind: TensorKind;
}

/**
 * Could a wire join these two ends, by side and kind alone? The quick check for highlighting
 * sockets and filtering quick-add while a wire is dragged; checkWire decides the real wire.
 */
export function endFits(a: WireEnd, b: WireEnd): boolean {
  if (a.side === b.side) return false;
  const [output, input] = a.side === 'output' ? [a, b] : [b, a];
  return kindAccepts(input.kind, output.kind);
}

const refText = (r: PortRef) => `'${r.node}'.${r.port}`;

/** The shortest chain of edges from `start` to `goal`, as node ids, or undefined. */
function pathBetween(doc: GraphDocument, start: string, goal: string): string[] | undefined {
  // Linear: edges grouped by source once, a queue read by index, the path built once.
  const next = groupBy(doc.edges, (e) => e.from.node);
  const cameFrom = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    if (id === goal) {
      const path = [id];
      for (let at = id; at !== start; ) path.push((at = cameFrom.get(at)!));
      return path.reverse();
    }
    for (const { to } of next.get(id) ?? []) if (!cameFrom.has(to.node)) (cameFrom.set(to.node, id), queue.push(to.node));
  }
  return undefined;
}

export function checkWire(doc: GraphDocument, ir: GraphIR, registry: NodeRegistry, from: PortRef, to: PortRef): WireCheck {
  if (from.node === to.node) return { ok: false, reason: `a node cannot feed itself ('${from.node}')` };
  const source = ir.nodes.get(from.node);
  const target = ir.nodes.get(to.node);
  if (!source) return { ok: false, reason: `there is no node '${from.node}'` };
  if (!target) return { ok: false, reason: `there is no node '${to.node}'` };

  let inPort: PortDef | undefined;
  if (source.def) {
    if (!source.outputPorts.some((p) => p.name === from.port)) return { ok: false, reason: `'${from.node}' has no output '${from.port}'` };
  }
  if (target.def) {
    inPort = target.inputPorts.find((p) => p.name === to.port);
    if (!inPort) return { ok: false, reason: `'${to.node}' has no input '${to.port}'` };
  }

  // Kind: the inferred type when there is one, else the declared port kind.
  const inferred = Object.hasOwn(source.outputs, from.port) ? source.outputs[from.port] : undefined; // own keys: a port named 'constructor'
  const kind = inferred?.kind ?? source.outputPorts.find((p) => p.name === from.port)?.kind;
  if (inPort && kind && !kindAccepts(inPort.kind, kind)) {
    const got = inferred ? describeType(inferred) : kind;
    return { ok: false, reason: `${refText(to)} expects ${inPort.kind} (${inPort.doc.replace(/\.$/, '')}), got ${got} from ${refText(from)}` };
  }

  const loop = pathBetween(doc, to.node, from.node);
  if (loop) return { ok: false, reason: `this wire would close a cycle: ${[...loop, to.node].map((id) => `'${id}'`).join(' → ')}` };

  // Shape: run inference with the wire in place; a new error on the target node refuses it.
  const next = connect(doc, from, to);
  const nextIr = resolveGraph(next, registry, { batch: ir.batch });
  const before = new Set(target.diagnostics.map((d) => `${d.code}|${d.message}`));
  const fresh = (nextIr.nodes.get(to.node)?.diagnostics ?? []).filter(
    (d) => d.severity === 'error' && d.code !== 'missing-input' && !before.has(`${d.code}|${d.message}`),
  );
  const worst = fresh.find((d) => d.where.port === to.port) ?? fresh[0];
  if (worst) return { ok: false, reason: `${refText(to)}: ${worst.message}` };
  return { ok: true, doc: next, ir: nextIr };
}
