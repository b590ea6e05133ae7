/**
 * A name for what changed between two documents, for the undo/redo buttons, when the change
 * arrives as a whole new document (the litegraph view reports documents, not operations).
 * Most specific first: added/removed nodes, then wires, then modes (named as the Rete view's
 * Ctrl+B / Ctrl+M name them), then params, then moves; else "Edit".
 */
import type { GraphDocument, GraphEdge, GraphNode, NodeMode } from '../../graph/document.ts';

const edgeKey = (e: GraphEdge) => `${e.from.node}.${e.from.port}>${e.to.node}.${e.to.port}`;
const json = (v: unknown) => JSON.stringify(v);

function changedParams(before: GraphNode, after: GraphNode): string[] {
  const names = new Set([...Object.keys(before.params), ...Object.keys(after.params)]);
  return [...names].filter((name) => json(before.params[name]) !== json(after.params[name]));
}

/** "Bypass", "Mute", "Un-bypass", "Un-mute" when every change is the same one, else "Set mode of". */
function modeChange(changes: [before: NodeMode | undefined, after: NodeMode | undefined][]): string {
  const verb = ([before, after]: (typeof changes)[number]) => (after === 'bypass' ? 'Bypass' : after === 'mute' ? 'Mute' : `Un-${before}`);
  const verbs = new Set(changes.map(verb));
  return verbs.size === 1 ? [...verbs][0] : 'Set mode of';
}

export function describeChange(before: GraphDocument, after: GraphDocument, view = 'litegraph'): string {
  const label = (what: string) => `${what} (${view})`;
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const added = after.nodes.filter((n) => !old.has(n.id));
  const removed = before.nodes.filter((n) => !now.has(n.id));
  if (added.length && !removed.length) return label(added.length === 1 ? `Add ${added[0].id}` : `Add ${added.length} nodes`);
  if (removed.length && !added.length) return label(removed.length === 1 ? `Delete ${removed[0].id}` : `Delete ${removed.length} nodes`);
  if (added.length || removed.length) return label('Replace nodes');

  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  const connected = [...newEdges].filter((k) => !oldEdges.has(k)).length;
  const disconnected = [...oldEdges].filter((k) => !newEdges.has(k)).length;
  if (connected) return label(connected === 1 ? (disconnected ? 'Rewire' : 'Connect wire') : `Connect ${connected} wires`);
  if (disconnected) return label(disconnected === 1 ? 'Remove wire' : `Remove ${disconnected} wires`);

  const modes = after.nodes.filter((n) => n.mode !== old.get(n.id)!.mode);
  if (modes.length) return label(modeChange(modes.map((n) => [old.get(n.id)!.mode, n.mode])) + ' ' + (modes.length === 1 ? modes[0].id : `${modes.length} nodes`));

  const params = after.nodes.flatMap((n) => changedParams(old.get(n.id)!, n).map((p) => `${n.id}.${p}`));
  if (params.length) return label(params.length === 1 ? `Set ${params[0]}` : `Set ${params.length} params`);

  const moved = after.nodes.filter((n) => json(n.position) !== json(old.get(n.id)!.position)).length;
  if (moved) return label(moved === 1 ? 'Move node' : `Move ${moved} nodes`);
  return label('Edit');
}
