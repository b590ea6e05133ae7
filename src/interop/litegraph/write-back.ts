/**
 * toLitegraph: our document as litegraph JSON. A document opened from a litegraph/ComfyUI file
 * keeps that file (source.ts); it is written back by starting from the file and applying only what
 * the user changed. What changed is found by a three-way comparison: the file as our converter
 * reads it (the baseline document, exported) against the document now (exported); where the two
 * exports agree, the file's own JSON stays as it was, byte for byte; where they differ, the new
 * value goes in (a moved node's `pos`, a changed widget's entry of `widgets_values`, …). Node and
 * link ids, `order`, `slot_index`, group boxes, link types and every field the converter does not
 * understand are kept; added nodes and links get ids after the file's last ones; removed ones go.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument, GraphEdge } from '../../graph/document.ts';
import { cloneJson, defineOwn, hasOwn, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { META_KEY, type LiteGraphJson } from './format.ts';
import { importLitegraph, type LiteOrigin } from './from-litegraph.ts';
import { findSlot } from './slot-names.ts';
import { sourceOf, withoutSource } from './source.ts';
import { plainLitegraph } from './to-litegraph.ts';
import { sameJson } from './values.ts';
import { widgetSpecs } from './widgets.ts';

type Registry = Pick<NodeRegistry, 'get'>;

export function toLitegraph(doc: GraphDocument, registry: Registry): LiteGraphJson {
  const source = sourceOf(doc);
  if (!source) return plainLitegraph(doc, registry);
  // The baseline: the kept file as the converter reads it, named as the document is.
  const base = importLitegraph(source, registry, { name: doc.meta.name, source: null });
  if (!base.ok || !base.origin) return plainLitegraph(doc, registry); // the file no longer reads (e.g. another node pack)
  return writeBack(source, base.doc, base.origin, withoutSource(doc), registry) as unknown as LiteGraphJson;
}

/**
 * `o` with the change from `b` to `d` applied: `o` where b and d agree, else d's value, merged key
 * by key (objects) or entry by entry (arrays of one length) so that untouched parts stay `o`'s.
 * undefined stands for an absent key.
 */
export function mergeJson(o: unknown, b: unknown, d: unknown): unknown {
  if (sameJson(b, d)) return o;
  if (isPlainObject(o) && isPlainObject(b) && isPlainObject(d)) {
    const out: JsonObject = {};
    for (const key of Object.keys(o)) defineOwn(out, key, o[key]);
    for (const key of new Set([...Object.keys(b), ...Object.keys(d)])) {
      if (!hasOwn(d, key)) {
        delete out[key];
        continue;
      }
      const value = mergeJson(hasOwn(o, key) ? o[key] : undefined, hasOwn(b, key) ? b[key] : undefined, d[key]);
      if (value === undefined) delete out[key];
      else defineOwn(out, key, value);
    }
    return out;
  }
  if (Array.isArray(o) && Array.isArray(b) && Array.isArray(d) && o.length === b.length && b.length === d.length) {
    return o.map((v, i) => mergeJson(v, b[i], d[i]) ?? null);
  }
  return d === undefined ? undefined : cloneJson(d);
}

/** An exported node as compared: without what the merge sets itself (ids, order, links, our meta). */
function comparable(node: JsonObject): JsonObject {
  const out = cloneJson(node);
  delete out.id;
  delete out.order;
  for (const side of ['inputs', 'outputs'] as const) {
    const slots = out[side];
    if (Array.isArray(slots)) for (const s of slots) if (isPlainObject(s)) delete s[side === 'inputs' ? 'link' : 'links'];
  }
  if (isPlainObject(out.properties)) delete out.properties[META_KEY];
  return out;
}

const metaOf = (node: JsonObject) => (isPlainObject(node.properties) ? node.properties[META_KEY] : undefined);

function mergeNode(raw: unknown, fb: JsonObject, fd: JsonObject, registry: Registry): JsonObject {
  if (!isPlainObject(raw)) return cloneJson(fd);
  const merged = mergeJson(cloneJson(raw), comparable(fb), comparable(fd)) as JsonObject;
  // A param of a known type that the file carries in widgets_values is not also added as a property.
  const def = typeof fd.type === 'string' ? registry.get(fd.type) : undefined;
  const rawProps = isPlainObject(raw.properties) ? raw.properties : {};
  if (def && Array.isArray(raw.widgets_values) && isPlainObject(merged.properties)) {
    const props = merged.properties;
    widgetSpecs(def).forEach((spec, i) => {
      if (i < (raw.widgets_values as unknown[]).length && hasOwn(props, spec.param) && !hasOwn(rawProps, spec.param)) delete props[spec.param];
    });
    if (!isPlainObject(raw.properties) && Object.keys(props).length === 0) delete merged.properties;
  }
  // Our meta (string id, exact position, …) only where the document says more than the file.
  const meta = metaOf(fd);
  if (!sameJson(metaOf(fb), meta) && isPlainObject(meta)) {
    const props = isPlainObject(merged.properties) ? merged.properties : {};
    const record = cloneJson(meta);
    if (!isPlainObject(merged.properties)) record.noProperties = true;
    defineOwn(props, META_KEY, record);
    merged.properties = props;
  }
  return merged;
}

/** The largest whole number among the values, or `start`. */
function maxWhole(start: unknown, values: Iterable<unknown>): number {
  let max = Number.isSafeInteger(start) ? (start as number) : 0;
  for (const v of values) if (Number.isSafeInteger(v) && (v as number) > max) max = v as number;
  return max;
}

const edgeKey = (e: GraphEdge) => [e.from.node, e.from.port, e.to.node, e.to.port].join('\u0000');

interface FinalLink {
  id: unknown;
  edge: GraphEdge;
  originSlot: number;
  targetSlot: number;
}

function writeBack(source: JsonObject, b: GraphDocument, origin: LiteOrigin, d: GraphDocument, registry: Registry): JsonObject {
  const fb = plainLitegraph(b, registry) as unknown as JsonObject;
  const fd = plainLitegraph(d, registry) as unknown as JsonObject;
  const fbNodes = fb.nodes as JsonObject[];
  const fdNodes = fd.nodes as JsonObject[];
  // The plain export lists the nodes in document order, then the comments (as notes).
  const exported = (doc: GraphDocument, list: JsonObject[]) => ({
    nodes: new Map(doc.nodes.map((n, i) => [n.id, list[i]])),
    notes: new Map(doc.comments.map((c, i) => [c.id, list[doc.nodes.length + i]])),
  });
  const before = exported(b, fbNodes);
  const now = exported(d, fdNodes);

  // ── nodes: the file's, in its order (removed ones left out), then the added ones ──
  const rawNodes = Array.isArray(source.nodes) ? source.nodes : [];
  const fromRaw = new Map<number, { note: boolean; id: string }>();
  origin.nodes.forEach((index, id) => fromRaw.set(index, { note: false, id }));
  origin.comments.forEach((index, id) => fromRaw.set(index, { note: true, id }));
  const finalNodes = new Map<string, JsonObject>(); // our node id → its litegraph node
  const liteIds = new Map<string, unknown>();
  const nodesOut: unknown[] = [];
  rawNodes.forEach((raw, index) => {
    const who = fromRaw.get(index);
    if (!who) return void nodesOut.push(cloneJson(raw));
    const side = who.note ? 'notes' : 'nodes';
    const current = now[side].get(who.id);
    if (!current) return; // removed
    const merged = mergeNode(raw, before[side].get(who.id)!, current, registry);
    if (!who.note) {
      finalNodes.set(who.id, merged);
      liteIds.set(who.id, merged.id);
    }
    nodesOut.push(merged);
  });
  let lastNode = maxWhole(source.last_node_id, rawNodes.map((n) => (isPlainObject(n) ? n.id : undefined)));
  const firstNode = lastNode;
  const added = (json: JsonObject): JsonObject => {
    const out = cloneJson(json);
    out.id = ++lastNode;
    for (const s of (out.inputs as JsonObject[] | undefined) ?? []) s.link = null;
    for (const s of (out.outputs as JsonObject[] | undefined) ?? []) s.links = null;
    return out;
  };
  for (const node of d.nodes) {
    if (origin.nodes.has(node.id)) continue;
    const json = added(now.nodes.get(node.id)!);
    finalNodes.set(node.id, json);
    liteIds.set(node.id, json.id);
    nodesOut.push(json);
  }
  for (const comment of d.comments) if (!origin.comments.has(comment.id)) nodesOut.push(added(now.notes.get(comment.id)!));

  // ── links: the file's that still stand (slot indices updated if the slots moved), then new ones ──
  const slotsOf = (id: string, side: 'inputs' | 'outputs') => (finalNodes.get(id)?.[side] as JsonObject[] | undefined) ?? [];
  const before2raw = new Map(b.edges.map((e, i) => [edgeKey(e), origin.edges[i]]));
  const kept = new Map<number, GraphEdge>();
  const newEdges: GraphEdge[] = [];
  for (const edge of d.edges) {
    const raw = before2raw.get(edgeKey(edge));
    if (raw !== undefined && !kept.has(raw)) kept.set(raw, edge);
    else newEdges.push(edge);
  }
  const edgeLinks = new Set(origin.edges);
  const rawLinks = Array.isArray(source.links) ? source.links : [];
  const links: unknown[] = [];
  const final: FinalLink[] = [];
  rawLinks.forEach((raw, index) => {
    if (!edgeLinks.has(index)) return void links.push(cloneJson(raw)); // e.g. a null entry: kept in place
    const edge = kept.get(index);
    if (!edge) return; // removed
    const originSlot = findSlot(slotsOf(edge.from.node, 'outputs'), edge.from.port);
    const targetSlot = findSlot(slotsOf(edge.to.node, 'inputs'), edge.to.port);
    const link = cloneJson(raw) as unknown[] | JsonObject;
    if (Array.isArray(link)) {
      if (link[2] !== originSlot) link[2] = originSlot;
      if (link[4] !== targetSlot) link[4] = targetSlot;
      final.push({ id: link[0], edge, originSlot, targetSlot });
    } else {
      if (link.origin_slot !== originSlot) link.origin_slot = originSlot;
      if (link.target_slot !== targetSlot) link.target_slot = targetSlot;
      final.push({ id: link.id, edge, originSlot, targetSlot });
    }
    links.push(link);
  });
  let lastLink = maxWhole(source.last_link_id, final.map((l) => l.id));
  const firstLink = lastLink;
  const objectLinks = rawLinks.some((l) => isPlainObject(l));
  for (const edge of newEdges) {
    const originSlot = findSlot(slotsOf(edge.from.node, 'outputs'), edge.from.port);
    const targetSlot = findSlot(slotsOf(edge.to.node, 'inputs'), edge.to.port);
    const type = slotsOf(edge.from.node, 'outputs')[originSlot]?.type ?? '*';
    const id = ++lastLink;
    const [from, to] = [liteIds.get(edge.from.node), liteIds.get(edge.to.node)];
    links.push(objectLinks ? { id, origin_id: from, origin_slot: originSlot, target_id: to, target_slot: targetSlot, type } : [id, from, originSlot, to, targetSlot, type]);
    final.push({ id, edge, originSlot, targetSlot });
  }
  wireSlots(finalNodes, final);

  // ── groups: the file's boxes stay unless their members changed ──
  const rawGroups = Array.isArray(source.groups) ? source.groups : [];
  const fromRawGroup = new Map(origin.groups.map((raw, i) => [raw, i]));
  const nowGroup = new Map(d.groups.map((g, i) => [g.id, i]));
  const groupsOut: unknown[] = [];
  const groupRecords: unknown[] = [];
  const fbRecord = (fb.extra as JsonObject)[META_KEY] as JsonObject;
  const fdRecord = (fd.extra as JsonObject)[META_KEY] as JsonObject;
  rawGroups.forEach((raw, index) => {
    const bi = fromRawGroup.get(index);
    if (bi === undefined || !isPlainObject(raw)) return void groupsOut.push(cloneJson(raw));
    const di = nowGroup.get(b.groups[bi].id);
    if (di === undefined) return; // removed
    const [gb, gd] = [cloneJson((fb.groups as JsonObject[])[bi]), cloneJson((fd.groups as JsonObject[])[di])];
    const box = gd.bounding;
    delete gb.bounding;
    delete gd.bounding;
    const merged = mergeJson(cloneJson(raw), gb, gd) as JsonObject;
    if (!sameJson(b.groups[bi].nodes, d.groups[di].nodes)) merged.bounding = box;
    else {
      // Dragging a group in litegraph moves all its members by one offset: the box goes with them.
      const shift = commonShift(b, d, b.groups[bi].nodes);
      const raw = merged.bounding;
      if (shift && Array.isArray(raw) && raw.length === 4 && raw.every((v) => typeof v === 'number')) merged.bounding = [raw[0] + shift.x, raw[1] + shift.y, raw[2], raw[3]];
    }
    groupsOut.push(merged);
    groupRecords.push({ ...((fdRecord.groups as JsonObject[])[di] ?? {}), bounding: cloneJson(merged.bounding) });
  });
  const baseGroupIds = new Set(b.groups.map((g) => g.id));
  d.groups.forEach((g, i) => {
    if (baseGroupIds.has(g.id)) return;
    groupsOut.push(cloneJson((fd.groups as JsonObject[])[i]));
    groupRecords.push((fdRecord.groups as JsonObject[])[i]);
  });

  // ── the graph's own fields ──
  const PARTS = ['nodes', 'links', 'groups', 'last_node_id', 'last_link_id'];
  const rest = (json: JsonObject) => {
    const out = cloneJson(json);
    for (const key of PARTS) delete out[key];
    if (isPlainObject(out.extra)) delete out.extra[META_KEY];
    return out;
  };
  const top = mergeJson(rest(source), rest(fb), rest(fd)) as JsonObject;
  const out: JsonObject = {};
  for (const key of Object.keys(source)) {
    if (key === 'nodes') out.nodes = nodesOut;
    else if (key === 'links') out.links = links;
    else if (key === 'groups') out.groups = groupsOut;
    else if (key === 'last_node_id') out.last_node_id = lastNode > firstNode ? lastNode : source.last_node_id;
    else if (key === 'last_link_id') out.last_link_id = lastLink > firstLink ? lastLink : source.last_link_id;
    else if (hasOwn(top, key)) defineOwn(out, key, top[key]);
  }
  for (const key of Object.keys(top)) if (!hasOwn(out, key)) defineOwn(out, key, top[key]);
  if (!hasOwn(out, 'nodes')) out.nodes = nodesOut;
  if (!hasOwn(out, 'links') && links.length > 0) out.links = links;
  if (!hasOwn(out, 'groups') && groupsOut.length > 0) out.groups = groupsOut;
  // The newer format counts in `state` instead of last_node_id / last_link_id: raise those too.
  if (isPlainObject(out.state)) {
    const state = out.state;
    if (lastNode > firstNode && typeof state.lastNodeId === 'number' && state.lastNodeId < lastNode) state.lastNodeId = lastNode;
    if (lastLink > firstLink && typeof state.lastLinkId === 'number' && state.lastLinkId < lastLink) state.lastLinkId = lastLink;
  }

  // Our record (meta, template, …) only when the document says more than the file.
  const core = (record: JsonObject) => ({ ...record, groups: undefined });
  if (!sameJson(core(fbRecord), core(fdRecord))) {
    const record: JsonObject = { ...cloneJson(fdRecord), groups: groupRecords, source: true };
    if (!isPlainObject(out.extra)) {
      out.extra = {};
      record.noExtra = true;
    }
    defineOwn(out.extra as JsonObject, META_KEY, record);
  }
  return out;
}

/** Each slot's link fields as the final links say, touching only those that differ. */
/**
 * The offset every member of a group moved by between the file as read (`b`) and now (`d`), when
 * they all moved by the same nonzero one; undefined otherwise (one node dragged, members edited).
 */
function commonShift(b: GraphDocument, d: GraphDocument, members: readonly string[]): { x: number; y: number } | undefined {
  if (members.length === 0) return undefined;
  const before = new Map(b.nodes.map((n) => [n.id, n.position]));
  const after = new Map(d.nodes.map((n) => [n.id, n.position]));
  let shift: { x: number; y: number } | undefined;
  for (const id of members) {
    const [p, q] = [before.get(id), after.get(id)];
    if (!p || !q) return undefined;
    const delta = { x: q.x - p.x, y: q.y - p.y };
    if (!shift) shift = delta;
    else if (delta.x !== shift.x || delta.y !== shift.y) return undefined;
  }
  return shift && (shift.x !== 0 || shift.y !== 0) ? shift : undefined;
}

function wireSlots(nodes: Map<string, JsonObject>, links: readonly FinalLink[]): void {
  const inputs = new Map<string, Map<number, unknown>>();
  const outputs = new Map<string, Map<number, unknown[]>>();
  for (const link of links) {
    const ins = inputs.get(link.edge.to.node) ?? new Map<number, unknown>();
    inputs.set(link.edge.to.node, ins.set(link.targetSlot, link.id));
    const outs = outputs.get(link.edge.from.node) ?? new Map<number, unknown[]>();
    outputs.set(link.edge.from.node, outs.set(link.originSlot, [...(outs.get(link.originSlot) ?? []), link.id]));
  }
  for (const [id, node] of nodes) {
    const ins = Array.isArray(node.inputs) ? node.inputs : [];
    ins.forEach((slot, i) => {
      if (!isPlainObject(slot)) return;
      const want = inputs.get(id)?.get(i) ?? null;
      if ((slot.link ?? null) !== want) slot.link = want;
    });
    const outs = Array.isArray(node.outputs) ? node.outputs : [];
    outs.forEach((slot, i) => {
      if (!isPlainObject(slot)) return;
      const want = outputs.get(id)?.get(i) ?? [];
      const current = Array.isArray(slot.links) ? (slot.links as unknown[]) : [];
      if (current.length === want.length && want.every((l) => current.includes(l))) return;
      const next = [...current.filter((l) => want.includes(l)), ...want.filter((l) => !current.includes(l))];
      slot.links = next.length > 0 || Array.isArray(slot.links) ? next : null;
    });
  }
}
