/**
 * GraphDocument → litegraph serialize() JSON (the shape ComfyUI workflow files share). Nodes get
 * numeric ids (an id that is already a whole number keeps it), ports become slots, params become
 * properties and widgets_values, comments become note nodes, groups get a box around their members.
 * What litegraph cannot say travels in `properties.lggan` and `extra.lggan` (see meta.ts), and
 * fields that came from litegraph (`extra.litegraph`) are written back where they came from.
 */
import type { NodeDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphComment, GraphDocument, GraphGroup, GraphNode } from '../../graph/document.ts';
import { cloneJson, defineOwn, type JsonObject } from '../../graph/util.ts';
import { categoryColors } from './colors.ts';
import {
  applyGraphForeign,
  applyGroupForeign,
  applyNodeForeign,
  applyNoteForeign,
  collectGraphForeign,
  collectGroupForeign,
  collectNodeForeign,
  collectNoteForeign,
  NOTE_DEFAULT_SIZE,
  type NodeBaseline,
} from './foreign.ts';
import { LITEGRAPH_VERSION, META_KEY, MODE_ALWAYS, NOTE_COLORS, NOTE_TYPE, liteMode, type LiteGraphJson, type LiteLinkTuple } from './format.ts';
import { defaultNodeSize, emptyGroupBounding, groupBounding, nodeBox } from './layout.ts';
import { exactPair, type CommentMeta, type GraphMetaRecord, type GroupRecord, type NodeMeta } from './meta.ts';
import { edgesOf, indexEdges, nodeSlots, type EdgeIndex, type NodeEdges } from './ports.ts';
import { findSlot } from './slot-names.ts';
import { withoutSource } from './source.ts';
import { inputSlotType, outputSlotType } from './slot-types.ts';
import { isSafeKey, sameJson, splitExtra } from './values.ts';
import { widgetSpecs, widgetValue } from './widgets.ts';

/** Placeholder ports and ports only an edge names have no kind: litegraph's wildcard type. */
export const ANY_SLOT_TYPE = '*';

const WHOLE_ID = /^[1-9][0-9]{0,14}$/;

/** Our string ids → litegraph numbers: whole-number ids keep their number, the others get the next free ones. */
export function assignLiteIds(ids: readonly string[], taken: Set<number> = new Set()): Map<string, number> {
  const map = new Map<string, number>();
  for (const id of ids) {
    if (WHOLE_ID.test(id) && !taken.has(Number(id))) {
      map.set(id, Number(id));
      taken.add(Number(id));
    }
  }
  let next = 1;
  for (const id of ids) {
    if (map.has(id)) continue;
    while (taken.has(next)) next++;
    map.set(id, next);
    taken.add(next);
  }
  return map;
}

/** The node's slots and widgets as the exporter makes them, before any foreign field. */
export function nodeBaseline(node: GraphNode, def: NodeDef | undefined, edges: NodeEdges, template: Record<string, number>, foreignType?: string): NodeBaseline {
  const slot = (side: 'inputs' | 'outputs') =>
    nodeSlots(node, def, side, edges, template).map((s) => ({
      name: s.name,
      type: s.kind === undefined ? ANY_SLOT_TYPE : side === 'inputs' ? inputSlotType(s.kind) : outputSlotType(s.kind),
    }));
  return {
    foreignType,
    params: def ? new Set(Object.keys(def.params)) : undefined,
    widgetCount: def ? Object.keys(def.params).length : 0,
    inputs: slot('inputs'),
    outputs: slot('outputs'),
    colors: def ? categoryColors(def.category) : undefined,
  };
}

/** Can the node's params be litegraph properties? (Else they travel in the meta.) */
function paramsFitProperties(node: GraphNode, def: NodeDef | undefined): boolean {
  return Object.keys(node.params).every((k) => isSafeKey(k) && k !== META_KEY && (!def || k in def.params));
}

function exportNode(node: GraphNode, index: number, liteId: number, def: NodeDef | undefined, doc: GraphDocument, edgeIndex: EdgeIndex): JsonObject {
  const split = splitExtra(node.extra as JsonObject | undefined, () => true);
  const foreignType = typeof split.foreign?.type === 'string' ? split.foreign.type : undefined;
  const edges = edgesOf(edgeIndex, node.id);
  const baseline = nodeBaseline(node, def, edges, doc.template, foreignType);
  const meta: NodeMeta = { id: node.id, typeVersion: node.typeVersion };
  if (node.network !== undefined) meta.network = node.network;
  if (node.title === undefined) meta.untitled = true;
  const exact = exactPair(node.position.x, node.position.y);
  if (exact) meta.pos = exact;
  const fits = paramsFitProperties(node, def);
  if (!fits) meta.params = cloneJson(node.params);

  const properties: JsonObject = {};
  if (fits) for (const key of Object.keys(node.params)) defineOwn(properties, key, cloneJson(node.params[key]));
  properties[META_KEY] = meta;

  const widgets = def ? widgetSpecs(def).map((w) => cloneJson(widgetValue(def, node.params, w.param))) : undefined;
  const base: JsonObject = {
    id: liteId,
    type: node.type,
    pos: [node.position.x, node.position.y],
    size: defaultNodeSize(
      baseline.inputs.map((s) => s.name),
      baseline.outputs.map((s) => s.name),
      baseline.widgetCount,
    ),
    flags: {},
    order: index,
    mode: liteMode(node.mode),
    inputs: baseline.inputs.map((s) => ({ name: s.name, type: s.type, link: null })),
    outputs: baseline.outputs.map((s) => ({ name: s.name, type: s.type, links: null })),
    title: node.title ?? def?.title ?? foreignType ?? node.type,
    properties,
  };
  if (widgets) base.widgets_values = widgets;
  if (baseline.colors) Object.assign(base, baseline.colors);

  // Foreign fields go back only if reading them again gives them back exactly.
  let out = base;
  if (split.foreign) {
    const wired = {
      inputs: new Set(edges.inputs.map((e) => e.to.port)),
      outputs: new Set(edges.outputs.map((e) => e.from.port)),
    };
    const applied = applyNodeForeign(base, split.foreign, wired);
    if (sameJson(collectNodeForeign(applied, baseline), split.foreign)) out = applied;
    else split.rest = cloneJson(node.extra as JsonObject);
  }
  if (split.rest !== undefined) meta.extra = split.rest;
  if (out !== base && split.at !== undefined) meta.foreignAt = split.at;
  return out;
}

function exportComment(comment: GraphComment, index: number, liteId: number): JsonObject {
  const split = splitExtra(comment.extra as JsonObject | undefined, () => true);
  const meta: CommentMeta = { comment: comment.id };
  const exact = exactPair(comment.position.x, comment.position.y);
  if (exact) meta.pos = exact;
  if (!comment.size) meta.noSize = true;
  const base: JsonObject = {
    id: liteId,
    type: NOTE_TYPE,
    pos: [comment.position.x, comment.position.y],
    size: comment.size ? [comment.size.width, comment.size.height] : [...NOTE_DEFAULT_SIZE],
    flags: {},
    order: index,
    mode: MODE_ALWAYS,
    inputs: [],
    outputs: [],
    properties: { [META_KEY]: meta },
    widgets_values: [comment.text],
    ...NOTE_COLORS,
  };
  let out = base;
  if (split.foreign) {
    const applied = applyNoteForeign(base, split.foreign);
    if (sameJson(collectNoteForeign(applied), split.foreign)) out = applied;
    else split.rest = cloneJson(comment.extra as JsonObject);
  }
  if (split.rest !== undefined) meta.extra = split.rest;
  if (out !== base && split.at !== undefined) meta.foreignAt = split.at;
  return out;
}

function exportGroup(group: GraphGroup, index: number, nodesById: Map<string, JsonObject>): { json: JsonObject; record: GroupRecord } {
  const boxes = group.nodes.flatMap((id) => {
    const n = nodesById.get(id);
    return n ? [nodeBox(n.pos as [number, number], n.size as [number, number])] : [];
  });
  const bounding = groupBounding(boxes) ?? emptyGroupBounding(index);
  const record: GroupRecord = { id: group.id, nodes: [...group.nodes], bounding };
  const base: JsonObject = { title: group.title, bounding: [...bounding] };
  if (group.color !== undefined) base.color = group.color;
  const split = splitExtra(group.extra as JsonObject | undefined, () => true);
  let out = base;
  if (split.foreign) {
    const applied = applyGroupForeign(base, split.foreign);
    if (sameJson(collectGroupForeign(applied), split.foreign)) out = applied;
    else split.rest = cloneJson(group.extra as JsonObject);
  }
  if (split.rest !== undefined) record.extra = split.rest;
  if (out !== base && split.at !== undefined) record.foreignAt = split.at;
  return { json: out, record };
}

/**
 * The document as litegraph JSON made from the document alone (a kept source file is ignored: see
 * write-back.ts for writing one back). Throws only for documents the loader would refuse (an edge
 * to a node that is not there); load documents with loadGraph first.
 */
export function plainLitegraph(full: GraphDocument, registry: Pick<NodeRegistry, 'get'>): LiteGraphJson {
  const doc = withoutSource(full);
  const nodeIds = assignLiteIds(doc.nodes.map((n) => n.id));
  const taken = new Set(nodeIds.values());
  const commentIds = assignLiteIds(
    doc.comments.map((c) => `comment\u0000${c.id}`),
    taken,
  );

  const edgeIndex = indexEdges(doc.edges);
  const nodes = doc.nodes.map((node, i) => exportNode(node, i, nodeIds.get(node.id)!, registry.get(node.type), doc, edgeIndex));
  const byId = new Map(doc.nodes.map((n, i) => [n.id, nodes[i]]));

  const links: LiteLinkTuple[] = doc.edges.map((edge, e) => {
    const source = byId.get(edge.from.node);
    const target = byId.get(edge.to.node);
    if (!source || !target) throw new Error(`edge #${e} refers to node '${!source ? edge.from.node : edge.to.node}', which is not in the graph`);
    const outputs = source.outputs as JsonObject[];
    const inputs = target.inputs as JsonObject[];
    const originSlot = findSlot(outputs, edge.from.port);
    const targetSlot = findSlot(inputs, edge.to.port);
    const id = e + 1;
    const output = outputs[originSlot];
    if (Array.isArray(output.links)) (output.links as number[]).push(id);
    else output.links = [id];
    inputs[targetSlot].link = id;
    const type = output.type === undefined ? ANY_SLOT_TYPE : (output.type as string);
    return [id, source.id as number, originSlot, target.id as number, targetSlot, type];
  });

  const notes = doc.comments.map((c, i) => exportComment(c, doc.nodes.length + i, commentIds.get(`comment\u0000${c.id}`)!));
  const groups = doc.groups.map((g, i) => exportGroup(g, i, byId));

  const split = splitExtra(doc.extra as JsonObject, () => true);
  const record: GraphMetaRecord = { format: doc.format, version: doc.version, meta: cloneJson(doc.meta), template: cloneJson(doc.template), groups: groups.map((g) => g.record) };
  if (doc.init) record.init = cloneJson(doc.init);
  const allIds = [...taken];
  const base: JsonObject = {
    last_node_id: allIds.length > 0 ? Math.max(...allIds) : 0,
    last_link_id: links.length,
    nodes: [...nodes, ...notes],
    links,
    groups: groups.map((g) => g.json),
    config: {},
    extra: { [META_KEY]: record },
    version: LITEGRAPH_VERSION,
  };
  let out = base;
  if (split.foreign) {
    const applied = applyGraphForeign(base, split.foreign);
    if (sameJson(collectGraphForeign(applied), split.foreign)) out = applied;
    else split.rest = cloneJson(doc.extra as JsonObject);
  }
  if (split.rest !== undefined) record.extra = split.rest;
  if (out !== base && split.at !== undefined) record.foreignAt = split.at;
  return out as unknown as LiteGraphJson;
}
