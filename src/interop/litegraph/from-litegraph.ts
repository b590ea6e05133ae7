/**
 * litegraph serialize() JSON (or a ComfyUI workflow of the same shape) → GraphDocument.
 *
 * Never throws on bad input: each problem is a Diagnostic that names the litegraph node or link id
 * and points into the litegraph JSON (`/nodes/3/inputs/1`, `/links/7/2`). What our format cannot
 * hold of a litegraph object (sizes, flags, foreign properties, slot labels…) is kept under
 * `extra.litegraph`, and what an earlier export put into `properties.lggan` / `extra.lggan` (our
 * string ids, typeVersions, networks, group members…) is read back, so round trips lose nothing.
 * A node type the registry does not know becomes a placeholder, as the graph loader keeps it.
 */
import type { NodeDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphComment, type GraphDocument, type GraphEdge, type GraphGroup, type GraphNode, type ParamValue } from '../../graph/document.ts';
import { loadGraphValue } from '../../graph/load.ts';
import { Reporter } from '../../graph/report.ts';
import { checkJsonValue, cloneJson, defineOwn, describeValue, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { ID_PATTERN, TYPE_PATTERN } from '../../graph/validate.ts';
import { collectGraphForeign, collectGroupForeign, collectNodeForeign, collectNoteForeign, NOTE_DEFAULT_SIZE } from './foreign.ts';
import { META_KEY, NOTE_TYPE, ourMode } from './format.ts';
import { boxesOverlap, defaultNodeSize, nodeBox, type Box } from './layout.ts';
import { edgesOf, indexEdges, type EdgeIndex } from './ports.ts';
import { namesUsable, portName } from './slot-names.ts';
import { keepable, SOURCE_KEY, stripStudioKeys } from './source.ts';
import { nodeBaseline } from './to-litegraph.ts';
import { joinExtra, readBox, readPair, sameAfterFloat32, sameJson } from './values.ts';
import { widgetSpecs } from './widgets.ts';

export interface FromLitegraphOptions {
  /** Where the JSON came from; stamped on every diagnostic. */
  file?: string;
  /** The graph's name when the JSON does not carry ours (a plain litegraph or ComfyUI file). */
  name?: string;
  maxErrors?: number;
  /**
   * The source file to keep in the document (source.ts): undefined decides from the file (kept for
   * files that are not our own export), null keeps none, an object keeps that one (the litegraph
   * view passes the file its document was opened from, not the canvas's own serialization).
   */
  source?: JsonObject | null;
}

/** Where each part of the converted document came from in the litegraph JSON (indices into its arrays). */
export interface LiteOrigin {
  nodes: Map<string, number>;
  comments: Map<string, number>;
  /** Edge index → index in `links`. */
  edges: number[];
  /** Group index → index in `groups`. */
  groups: number[];
}

export type FromLitegraphResult = { ok: true; doc: GraphDocument; /** warnings only */ diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

type LiteId = number | string;

interface ParsedNode {
  index: number;
  liteId: LiteId;
  json: JsonObject;
  type: string;
  note: boolean;
  inputs: JsonObject[];
  outputs: JsonObject[];
  inputsUsable: boolean;
  outputsUsable: boolean;
  meta: JsonObject;
  ourId: string;
}

const label = (n: ParsedNode) => `node ${JSON.stringify(n.liteId)}${n.note ? ' (note)' : ` (${n.type})`}`;
const idText = (id: unknown) => JSON.stringify(id) ?? String(id);

/** A litegraph type our format can hold as is, or `foreign/<name>` (the original kept in extra). */
function ourType(type: string): { type: string; foreign?: string } {
  if (TYPE_PATTERN.test(type)) return { type };
  const name = type.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  return { type: `foreign/${name}`, foreign: type };
}

/** Hands out unique ids: the preferred one when it is valid and free, else `prefix + n` variants. */
class IdPool {
  private readonly used = new Set<string>();
  claim(id: unknown): string | undefined {
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || this.used.has(id)) return undefined;
    this.used.add(id);
    return id;
  }
  fresh(base: string): string {
    const start = ID_PATTERN.test(base) ? base : base.replace(/[^A-Za-z0-9_.:-]+/g, '_') || 'n';
    if (this.claim(start)) return start;
    for (let i = 2; ; i++) if (this.claim(`${start}_${i}`)) return `${start}_${i}`;
  }
}

export function fromLitegraph(json: unknown, registry: Pick<NodeRegistry, 'get'>, options: FromLitegraphOptions = {}): FromLitegraphResult {
  const result = importLitegraph(json, registry, options);
  return result.ok ? { ok: true, doc: result.doc, diagnostics: result.diagnostics } : result;
}

/** fromLitegraph, with where each part came from (for writing a kept source back, merge.ts). */
export function importLitegraph(json: unknown, registry: Pick<NodeRegistry, 'get'>, options: FromLitegraphOptions = {}): FromLitegraphResult & { origin?: LiteOrigin } {
  const r = new Reporter(options.file, options.maxErrors);
  try {
    return convert(json, registry, options, r);
  } catch (e) {
    r.error('internal-error', `the litegraph importer failed unexpectedly: ${(e as Error)?.message ?? e}`, { pointer: '' });
    return { ok: false, diagnostics: r.finish() };
  }
}

function convert(json: unknown, registry: Pick<NodeRegistry, 'get'>, options: FromLitegraphOptions, r: Reporter): FromLitegraphResult & { origin?: LiteOrigin } {
  const fail = (): FromLitegraphResult => ({ ok: false, diagnostics: r.finish() });
  if (!isPlainObject(json)) {
    r.error('wrong-type', `a litegraph graph must be a JSON object, got ${describeValue(json)}`, { pointer: '' });
    return fail();
  }
  const list = (key: string, required: boolean): unknown[] | null => {
    const value = json[key];
    if (value === undefined && !required) return [];
    if (Array.isArray(value)) return value;
    r.error('wrong-type', `'${key}' must be an array, got ${describeValue(value)}`, { pointer: value === undefined ? '' : `/${key}` });
    return null;
  };
  const rawNodes = list('nodes', true);
  const rawLinks = list('links', false);
  const rawGroups = list('groups', false);
  if (!rawNodes || !rawLinks || !rawGroups) return fail();

  const graphExtra = isPlainObject(json.extra) ? json.extra : undefined;
  const graphMeta = isPlainObject(graphExtra?.[META_KEY]) && (graphExtra[META_KEY] as JsonObject).format === GRAPH_FORMAT ? (graphExtra[META_KEY] as JsonObject) : undefined;
  const template: Record<string, number> = isPlainObject(graphMeta?.template) ? (cloneJson(graphMeta.template) as Record<string, number>) : {};

  const parsed = parseNodes(rawNodes, r);
  if (!parsed) return fail();
  const byLiteId = new Map(parsed.map((n) => [n.liteId, n]));
  const linkIndex: number[] = [];
  const edges = parseLinks(rawLinks, byLiteId, r, linkIndex);
  if (r.errorCount > 0) return fail();

  const edgeIndex = indexEdges(edges!);
  const nodes: GraphNode[] = [];
  const comments: GraphComment[] = [];
  const ourIndex = new Map<string, number>(); // our pointer prefix → litegraph node index
  const origin: LiteOrigin = { nodes: new Map(), comments: new Map(), edges: linkIndex, groups: [] };
  for (const n of parsed) {
    if (n.note) {
      const comment = buildComment(n, r);
      if (comment) {
        ourIndex.set(`/comments/${comments.length}`, n.index);
        origin.comments.set(comment.id, n.index);
        comments.push(comment);
      }
    } else {
      const node = buildNode(n, registry, edgeIndex, template, r);
      if (node) {
        ourIndex.set(`/nodes/${nodes.length}`, n.index);
        origin.nodes.set(node.id, n.index);
        nodes.push(node);
      }
    }
  }
  const groups = buildGroups(rawGroups, parsed, graphMeta, r, origin.groups);
  if (r.errorCount > 0) return fail();

  const doc: GraphDocument = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: isPlainObject(graphMeta?.meta) && typeof graphMeta.meta.name === 'string' ? cloneJson(graphMeta.meta as unknown as GraphDocument['meta']) : { name: options.name ?? 'litegraph graph' },
    template,
    nodes,
    edges: edges!,
    groups,
    comments,
    extra: joinExtra(isPlainObject(graphMeta?.extra) ? graphMeta.extra : undefined, collectGraphForeign(json), whole(graphMeta?.foreignAt)) ?? {},
  };
  const source = keptSource(json, graphMeta, options);
  if (source) defineOwn(doc.extra as JsonObject, SOURCE_KEY, source);
  if (isPlainObject(graphMeta?.init)) doc.init = cloneJson(graphMeta.init) as unknown as GraphDocument['init'];
  const ordered: GraphDocument = { format: doc.format, version: doc.version, meta: doc.meta, template: doc.template, ...(doc.init ? { init: doc.init } : {}), nodes, edges: doc.edges, groups, comments, extra: doc.extra };

  // The loader checks what this produced against the format's rules and reports unknown types.
  const loaded = loadGraphValue(ordered, { file: options.file, registry });
  const diagnostics = [...r.finish(), ...loaded.diagnostics.map((d) => toLitePlace(d, ourIndex))];
  return loaded.ok ? { ok: true, doc: loaded.doc, diagnostics, origin } : { ok: false, diagnostics };
}

/** The source file this document keeps (see FromLitegraphOptions.source and source.ts). */
function keptSource(json: JsonObject, graphMeta: JsonObject | undefined, options: FromLitegraphOptions): JsonObject | undefined {
  if (options.source !== undefined) return options.source === null ? undefined : cloneJson(options.source);
  if (graphMeta && graphMeta.source !== true) return undefined; // our own export: its record holds everything
  const stripped = stripStudioKeys(json);
  return keepable(stripped) ? stripped : undefined;
}

/** A loader diagnostic about the converted document, pointed back at the litegraph node it came from. */
function toLitePlace(d: Diagnostic, ourIndex: Map<string, number>): Diagnostic {
  const pointer = d.where.pointer;
  const m = pointer === undefined ? null : /^\/(nodes|comments)\/(\d+)(\/.*)?$/.exec(pointer);
  if (!m) return d.severity === 'error' ? { ...d, message: `in the converted graph: ${d.message}` } : d;
  const index = ourIndex.get(`/${m[1]}/${m[2]}`);
  const rest = m[3] ?? '';
  const color = /^\/extra\/litegraph\/(color|bgcolor|boxcolor)$/.exec(rest);
  const lite = rest.startsWith('/params/') ? `/properties/${rest.slice('/params/'.length)}` : rest === '/type' ? '/type' : color ? `/${color[1]}` : '';
  return { ...d, where: { ...d.where, pointer: `/nodes/${index}${lite}` } };
}

function whole(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

// ── nodes ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * A node's slot list. Slots must be objects; names that cannot be port names (empty, missing or
 * repeated on the side) make the side positional (`#0`, `#1`…, see slot-names.ts), with a warning.
 */
function parseSlots(value: unknown, where: string, what: string, owner: string, r: Reporter): JsonObject[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.error('wrong-type', `${owner}: ${what}s must be an array, got ${describeValue(value)}`, { pointer: where });
    return null;
  }
  let ok = true;
  value.forEach((slot, k) => {
    if (!isPlainObject(slot)) {
      r.error('bad-slot', `${owner}: ${what} slot #${k} must be an object, got ${describeValue(slot)}`, { pointer: `${where}/${k}` });
      ok = false;
    }
  });
  if (!ok) return null;
  if (!namesUsable(value)) {
    r.warning('positional-slots', `${owner}: some ${what} slots have no name or share one; its ${what}s are named by position (#0, #1, …)`, { pointer: where });
  }
  return value as JsonObject[];
}

function parseNodes(raw: unknown[], r: Reporter): ParsedNode[] | null {
  const out: ParsedNode[] = [];
  const seen = new Map<LiteId, number>();
  raw.forEach((n, index) => {
    const where = `/nodes/${index}`;
    if (!isPlainObject(n)) {
      r.error('wrong-type', `node #${index} must be an object, got ${describeValue(n)}`, { pointer: where });
      return;
    }
    const id = n.id;
    if (!((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id !== ''))) {
      r.error('bad-id', `node #${index} needs an id (a whole number, or a string), got ${describeValue(id)}`, { pointer: `${where}/id` });
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      r.error('duplicate-id', `node id ${idText(id)} is used by nodes #${first} and #${index}`, { pointer: `${where}/id` });
      return;
    }
    seen.set(id, index);
    if (typeof n.type !== 'string' || n.type === '') {
      r.error('wrong-type', `node ${idText(id)} needs a type string, got ${describeValue(n.type)}`, { pointer: `${where}/type` });
      return;
    }
    const owner = `node ${idText(id)} (${n.type})`;
    const inputs = parseSlots(n.inputs, `${where}/inputs`, 'input', owner, r);
    const outputs = parseSlots(n.outputs, `${where}/outputs`, 'output', owner, r);
    if (!inputs || !outputs) return;
    const props = isPlainObject(n.properties) ? n.properties : {};
    const meta = isPlainObject(props[META_KEY]) ? (props[META_KEY] as JsonObject) : {};
    out.push({ index, liteId: id, json: n, type: n.type, note: n.type === NOTE_TYPE, inputs, outputs, inputsUsable: namesUsable(inputs), outputsUsable: namesUsable(outputs), meta, ourId: '' });
  });
  if (r.errorCount > 0) return null;
  // Ids an earlier export recorded win (first come, first served: a copied node carries a copy of
  // its original's); the others are the litegraph id, as text.
  const nodeIds = new IdPool();
  const commentIds = new IdPool();
  for (const n of out) n.ourId = (n.note ? commentIds.claim(n.meta.comment) : nodeIds.claim(n.meta.id)) ?? '';
  for (const n of out) if (n.ourId === '') n.ourId = n.note ? commentIds.fresh(`c${n.liteId}`) : nodeIds.fresh(String(n.liteId));
  return out;
}

type LinkFields = { id: unknown; origin_id: unknown; origin_slot: unknown; target_id: unknown; target_slot: unknown };
const TUPLE_FIELDS = ['id', 'origin_id', 'origin_slot', 'target_id', 'target_slot', 'type'] as const;

function parseLinks(raw: unknown[], nodes: Map<LiteId, ParsedNode>, r: Reporter, linkIndex: number[]): GraphEdge[] | null {
  const edges: GraphEdge[] = [];
  const linkIds = new Map<unknown, number>();
  const inputsTaken = new Map<string, unknown>();
  raw.forEach((link, k) => {
    const where = `/links/${k}`;
    if (link === null) {
      r.warning('empty-link', `link #${k} is null; skipped (litegraph skips it too)`, { pointer: where });
      return;
    }
    let f: LinkFields;
    let at: (field: keyof LinkFields) => string;
    if (Array.isArray(link)) {
      if (link.length !== 6) {
        r.error('bad-link', `link #${k} must be [id, origin_id, origin_slot, target_id, target_slot, type], got an array of ${link.length}`, { pointer: where });
        return;
      }
      f = { id: link[0], origin_id: link[1], origin_slot: link[2], target_id: link[3], target_slot: link[4] };
      at = (field) => `${where}/${TUPLE_FIELDS.indexOf(field)}`;
    } else if (isPlainObject(link)) {
      f = link as unknown as LinkFields;
      at = (field) => `${where}/${field}`;
    } else {
      r.error('bad-link', `link #${k} must be a [id, origin_id, origin_slot, target_id, target_slot, type] array, got ${describeValue(link)}`, { pointer: where });
      return;
    }
    const name = `link ${idText(f.id)}`;
    if (!((typeof f.id === 'number' && Number.isSafeInteger(f.id)) || (typeof f.id === 'string' && f.id !== ''))) {
      r.error('bad-link', `link #${k} needs an id (a whole number or a string), got ${describeValue(f.id)}`, { pointer: at('id') });
      return;
    }
    if (linkIds.has(f.id)) {
      r.error('duplicate-id', `${name} appears twice (links #${linkIds.get(f.id)} and #${k})`, { pointer: at('id') });
      return;
    }
    linkIds.set(f.id, k);
    const end = (side: 'origin' | 'target') => {
      const nodeId = side === 'origin' ? f.origin_id : f.target_id;
      const slot = side === 'origin' ? f.origin_slot : f.target_slot;
      const verb = side === 'origin' ? 'starts at' : 'ends at';
      const node = nodes.get(nodeId as LiteId);
      if (!node) {
        r.error('dangling-link', `${name} ${verb} node ${idText(nodeId)}, which is not in the graph`, { pointer: at(`${side}_id`) });
        return null;
      }
      if (node.note) {
        r.error('dangling-link', `${name} ${verb} ${label(node)}; notes have no ports`, { pointer: at(`${side}_id`), node: node.ourId });
        return null;
      }
      const slots = side === 'origin' ? node.outputs : node.inputs;
      const what = side === 'origin' ? 'output' : 'input';
      if (!(Number.isSafeInteger(slot) && (slot as number) >= 0 && (slot as number) < slots.length)) {
        const has = slots.length === 0 ? `no ${what}s` : `${slots.length} ${what}${slots.length > 1 ? 's' : ''} (${slots.map((_, i) => `${i}: ${portName(slots, i)}`).join(', ')})`;
        r.error('unknown-slot', `${name} ${verb} ${what} slot ${idText(slot)} of ${label(node)}, which has ${has}`, { pointer: at(`${side}_slot`), node: node.ourId });
        return null;
      }
      return { node, slot: slot as number, port: portName(slots, slot as number, side === 'origin' ? node.outputsUsable : node.inputsUsable) };
    };
    const from = end('origin');
    const to = end('target');
    if (!from || !to) return;
    if (from.node === to.node) {
      r.error('self-loop', `${name} connects ${label(from.node)} to itself; a node cannot feed its own input`, { pointer: where, node: from.node.ourId });
      return;
    }
    const key = `${to.node.index}\u0000${to.port}`;
    if (inputsTaken.has(key)) {
      r.error('multiple-inputs', `links ${idText(inputsTaken.get(key))} and ${idText(f.id)} both end at input '${to.port}' of ${label(to.node)}; an input takes one link`, {
        pointer: where,
        node: to.node.ourId,
        port: to.port,
      });
      return;
    }
    inputsTaken.set(key, f.id);
    const recorded = to.node.inputs[to.slot].link;
    if (recorded !== f.id) {
      r.warning('link-mismatch', `${name} ends at input '${to.port}' of ${label(to.node)}, but that input records link ${idText(recorded ?? null)}; the links list wins`, {
        pointer: `/nodes/${to.node.index}/inputs/${to.slot}/link`,
        node: to.node.ourId,
        port: to.port,
      });
    }
    edges.push({ from: { node: from.node.ourId, port: from.port }, to: { node: to.node.ourId, port: to.port } });
    linkIndex.push(k);
  });
  return edges;
}

/** Our position from litegraph's pos and the exact one an export recorded (kept while pos still matches it). */
function readPosition(n: ParsedNode, r: Reporter): { x: number; y: number } | null {
  const seen = readPair(n.json.pos);
  const exact = readPair(n.meta.pos);
  const exactOk = exact !== null && exact.every(Number.isFinite);
  if (exactOk && (seen === null || !seen.every(Number.isFinite) || (sameAfterFloat32(exact[0], seen[0]) && sameAfterFloat32(exact[1], seen[1])))) {
    return { x: exact[0], y: exact[1] };
  }
  if (seen && seen.every(Number.isFinite)) return { x: seen[0], y: seen[1] };
  r.error('bad-position', `${label(n)}: pos must be [x, y] with finite numbers, got ${describeValue(n.json.pos)}`, { pointer: `/nodes/${n.index}/pos`, node: n.ourId });
  return null;
}

function jsonValue(value: unknown): value is ParamValue {
  return value !== undefined && checkJsonValue(value).ok;
}

function readParams(n: ParsedNode, def: NodeDef | undefined, r: Reporter): Record<string, ParamValue> {
  let params: Record<string, ParamValue>;
  if (isPlainObject(n.meta.params) && checkJsonValue(n.meta.params).ok) {
    params = cloneJson(n.meta.params) as Record<string, ParamValue>;
  } else {
    params = {};
    const props = isPlainObject(n.json.properties) ? n.json.properties : {};
    for (const key of Object.keys(props)) {
      if (key === META_KEY || (def && !(key in def.params))) continue;
      if (jsonValue(props[key])) defineOwn(params, key, cloneJson(props[key]));
      else r.warning('not-json', `${label(n)}: property '${key}' is not a JSON value; left out`, { pointer: `/nodes/${n.index}/properties/${key}`, node: n.ourId, param: key });
    }
  }
  // What a widget shows is what the user set: a widget value that differs wins (ComfyUI keeps params only there).
  const values = n.json.widgets_values;
  if (def && Array.isArray(values)) {
    widgetSpecs(def).forEach((spec, i) => {
      const shown = values[i];
      if (!jsonValue(shown)) return;
      const current = params[spec.param] !== undefined ? params[spec.param] : (def.params[spec.param].default as ParamValue);
      if (!sameJson(shown, current)) params[spec.param] = cloneJson(shown);
    });
  }
  return params;
}

function buildNode(n: ParsedNode, registry: Pick<NodeRegistry, 'get'>, edgeIndex: EdgeIndex, template: Record<string, number>, r: Reporter): GraphNode | null {
  const { type, foreign: foreignType } = ourType(n.type);
  const def = registry.get(type);
  const position = readPosition(n, r);
  if (!position) return null;
  const meta = n.meta;
  const typeVersion = Number.isSafeInteger(meta.typeVersion) && (meta.typeVersion as number) > 0 ? (meta.typeVersion as number) : (def?.version ?? 1);
  const params = readParams(n, def, r);

  const shown = typeof n.json.title === 'string' ? n.json.title : def?.title;
  const standard = def?.title ?? foreignType ?? type;
  const untitled = meta.untitled === true || meta.id === undefined;
  const title = shown === undefined || (shown === standard && untitled) ? undefined : shown;

  const node: GraphNode = { id: n.ourId, type, typeVersion, params, position };
  if (title !== undefined) node.title = title;
  if (typeof meta.network === 'string' && meta.network !== '') node.network = meta.network;
  const mode = ourMode(n.json.mode);
  if (mode !== undefined) node.mode = mode;
  const baseline = nodeBaseline(node, def, edgesOf(edgeIndex, node.id), template, foreignType);
  const extra = joinExtra(isPlainObject(meta.extra) ? meta.extra : undefined, collectNodeForeign(n.json, baseline), whole(meta.foreignAt));
  if (extra !== undefined) node.extra = extra;
  return node;
}

function buildComment(n: ParsedNode, r: Reporter): GraphComment | null {
  const position = readPosition(n, r);
  if (!position) return null;
  const values = n.json.widgets_values;
  const props = isPlainObject(n.json.properties) ? n.json.properties : {};
  const text = Array.isArray(values) && typeof values[0] === 'string' ? values[0] : typeof props.text === 'string' ? props.text : '';
  const comment: GraphComment = { id: n.ourId, text, position };
  const size = readPair(n.json.size);
  if (size && size.every((v) => Number.isFinite(v) && v >= 0)) {
    if (!(n.meta.noSize === true && sameJson(size, NOTE_DEFAULT_SIZE))) comment.size = { width: size[0], height: size[1] };
  } else if (n.json.size !== undefined) {
    r.warning('bad-size', `${label(n)}: size must be [width, height] with numbers ≥ 0, got ${describeValue(n.json.size)}; left out`, { pointer: `/nodes/${n.index}/size` });
  }
  const extra = joinExtra(isPlainObject(n.meta.extra) ? n.meta.extra : undefined, collectNoteForeign(n.json), whole(n.meta.foreignAt));
  if (extra !== undefined) comment.extra = extra;
  return comment;
}

// ── groups ────────────────────────────────────────────────────────────────────────────────────────

/** Does litegraph's box still match the one an export recorded (after Float32 storage and rounding)? */
function sameBox(recorded: readonly number[], seen: readonly number[]): boolean {
  return recorded.every((v, i) => sameAfterFloat32(v, seen[i]) || Math.round(Math.fround(v)) === seen[i]);
}

function buildGroups(raw: unknown[], nodes: ParsedNode[], graphMeta: JsonObject | undefined, r: Reporter, groupIndex: number[]): GraphGroup[] {
  const records = Array.isArray(graphMeta?.groups) ? graphMeta.groups : [];
  const ourIds = new Set(nodes.filter((n) => !n.note).map((n) => n.ourId));
  const boxes: { id: string; box: Box }[] = nodes.flatMap((n) => {
    if (n.note) return [];
    const pos = readPair(n.json.pos);
    const size = readPair(n.json.size) ?? defaultNodeSize([], [], 0);
    return pos && pos.every(Number.isFinite) ? [{ id: n.ourId, box: nodeBox(pos, size) }] : [];
  });
  // Recorded group ids first, so that a new group's fresh id cannot take one of them.
  const ids = new IdPool();
  const recordedIds = raw.map((_, i) => ids.claim(isPlainObject(records[i]) ? (records[i] as JsonObject).id : undefined));
  const groups: GraphGroup[] = [];
  raw.forEach((g, i) => {
    const where = `/groups/${i}`;
    if (!isPlainObject(g)) {
      r.error('wrong-type', `group #${i} must be an object, got ${describeValue(g)}`, { pointer: where });
      return;
    }
    const bounding = readBox(g.bounding);
    if (!bounding) {
      r.error('bad-group', `group #${i} needs a bounding [x, y, width, height] of finite numbers, got ${describeValue(g.bounding)}`, { pointer: `${where}/bounding` });
      return;
    }
    const record = isPlainObject(records[i]) ? (records[i] as JsonObject) : undefined;
    const recordedBox = readBox(record?.bounding);
    const recordedNodes = Array.isArray(record?.nodes) && record.nodes.every((id) => typeof id === 'string') ? (record.nodes as string[]) : undefined;
    let members: string[];
    if (recordedBox && recordedNodes && sameBox(recordedBox, bounding)) members = recordedNodes.filter((id) => ourIds.has(id));
    else {
      const box = { x: bounding[0], y: bounding[1], width: bounding[2], height: bounding[3] };
      members = boxes.filter((b) => boxesOverlap(b.box, box)).map((b) => b.id);
    }
    if (g.title !== undefined && typeof g.title !== 'string') r.warning('bad-group', `group #${i}: title must be a string, got ${describeValue(g.title)}; "Group" used`, { pointer: `${where}/title` });
    const group: GraphGroup = { id: recordedIds[i] ?? ids.fresh(`group${i + 1}`), title: typeof g.title === 'string' ? g.title : 'Group', nodes: members };
    if (typeof g.color === 'string') group.color = g.color;
    const extra = joinExtra(isPlainObject(record?.extra) ? record.extra : undefined, collectGroupForeign(g), whole(record?.foreignAt));
    if (extra !== undefined) group.extra = extra;
    groups.push(group);
    groupIndex.push(i);
  });
  return groups;
}
