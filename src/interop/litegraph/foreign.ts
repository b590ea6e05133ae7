/**
 * Fields only litegraph has, per object: what the importer keeps under `extra.litegraph` and the
 * exporter writes back. `collect*` reads them from a litegraph object, leaving out what equals the
 * exporter's default (so an unchanged round trip adds nothing); `apply*` writes them onto a freshly
 * exported object. The exporter applies a foreign part only when collecting it again gives it back
 * exactly; otherwise the part travels untouched in the meta, so both directions stay lossless.
 */
import { checkJsonValue, cloneJson, defineOwn, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { LITEGRAPH_VERSION, META_KEY, MODE_ALWAYS, NOTE_COLORS, NOTE_TYPE, ourMode } from './format.ts';
import { DEFAULT_COMMENT_SIZE, defaultNodeSize } from './layout.ts';
import type { NodeColors } from './colors.ts';
import { isPositionalPort } from './slot-names.ts';
import { isSafeKey, nonEmpty, readPair, sameJson } from './values.ts';

/** What a node would get from the exporter with no foreign part: the baseline to compare with. */
export interface NodeBaseline {
  /** The litegraph type when it is not our type (a foreign type name our format cannot hold). */
  foreignType?: string;
  /** Known types: their param names (other properties are foreign); absent for placeholders. */
  params?: ReadonlySet<string>;
  widgetCount: number;
  inputs: readonly { name: string; type: string }[];
  outputs: readonly { name: string; type: string }[];
  colors?: NodeColors;
}

const NODE_FIELDS = new Set(['id', 'type', 'pos', 'size', 'flags', 'order', 'mode', 'inputs', 'outputs', 'title', 'properties', 'widgets_values', 'color', 'bgcolor']);
const LINK_FIELDS = new Set(['name', 'link', 'links']);

function jsonOrUndefined(value: unknown): unknown {
  return value !== undefined && checkJsonValue(value).ok ? cloneJson(value) : undefined;
}

function slotNames(slots: unknown): string[] {
  return Array.isArray(slots) ? slots.map((s) => (isPlainObject(s) && typeof s.name === 'string' ? s.name : '')) : [];
}

/**
 * Slot fields beyond name, link and the derived slot_index: `{port: {field: value}}` when the
 * slots are the baseline's (in order), else the whole slot list (without links) when they differ.
 */
function collectSlots(slots: unknown, baseline: readonly { name: string; type: string }[]): unknown {
  if (!Array.isArray(slots)) return undefined;
  const names = slotNames(slots);
  const sameNames = names.length === baseline.length && names.every((n, i) => n === baseline[i].name);
  if (!sameNames) {
    return slots.map((s) => {
      const out: JsonObject = {};
      if (isPlainObject(s)) for (const key of Object.keys(s)) if (key !== 'link' && key !== 'links') defineOwn(out, key, jsonOrUndefined(s[key]) ?? null);
      return out;
    });
  }
  const fields: JsonObject = {};
  slots.forEach((s, i) => {
    const extra: JsonObject = {};
    for (const key of Object.keys(s as JsonObject)) {
      if (LINK_FIELDS.has(key)) continue;
      const value = (s as JsonObject)[key];
      if (key === 'type' && value === baseline[i].type) continue;
      if (key === 'slot_index' && value === i) continue; // litegraph and ComfyUI note a slot's own index; it is derived
      const json = jsonOrUndefined(value);
      if (json !== undefined) defineOwn(extra, key, json);
    }
    if (nonEmpty(extra)) defineOwn(fields, baseline[i].name, extra);
  });
  return nonEmpty(fields) ? fields : undefined;
}

export function collectNodeForeign(json: JsonObject, baseline: NodeBaseline): JsonObject {
  const foreign: JsonObject = {};
  const put = (key: string, value: unknown) => value !== undefined && defineOwn(foreign, key, value);
  for (const key of Object.keys(json)) {
    const value = json[key];
    switch (key) {
      case 'id':
      case 'order':
      case 'title':
      case 'pos':
        break;
      case 'type':
        if (baseline.foreignType !== undefined) put('type', baseline.foreignType);
        break;
      case 'size': {
        const size = readPair(value);
        const standard = defaultNodeSize(slotNames(json.inputs), slotNames(json.outputs), baseline.widgetCount);
        if (size && size.every(Number.isFinite) && !sameJson(size, standard)) put('size', size);
        break;
      }
      case 'flags':
        if (isPlainObject(value) && nonEmpty(value)) put('flags', jsonOrUndefined(value));
        break;
      case 'mode':
        // never (2) and bypass (4) are the node's own mode; only other modes are foreign.
        if (typeof value === 'number' && Number.isFinite(value) && value !== MODE_ALWAYS && ourMode(value) === undefined) put('mode', value);
        break;
      case 'inputs':
      case 'outputs':
        put(key, collectSlots(value, baseline[key]));
        break;
      case 'properties': {
        if (!baseline.params || !isPlainObject(value)) break;
        const props: JsonObject = {};
        for (const name of Object.keys(value)) {
          if (name !== META_KEY && !baseline.params.has(name) && isSafeKey(name)) {
            const json = jsonOrUndefined(value[name]);
            if (json !== undefined) defineOwn(props, name, json);
          }
        }
        if (nonEmpty(props)) put('properties', props);
        break;
      }
      case 'widgets_values':
        if (!Array.isArray(value)) break;
        if (!baseline.params) put('widgets_values', jsonOrUndefined(value));
        else if (value.length > baseline.widgetCount) put('widgets_tail', jsonOrUndefined(value.slice(baseline.widgetCount)));
        break;
      case 'color':
      case 'bgcolor':
        if (typeof value === 'string' && value !== baseline.colors?.[key]) put(key, value);
        break;
      default:
        put(key, jsonOrUndefined(value));
    }
  }
  return foreign;
}

function applySlots(slots: JsonObject[], stored: unknown, linkKey: 'link' | 'links', wired: ReadonlySet<string>): JsonObject[] {
  if (Array.isArray(stored)) {
    if (!stored.every((s) => isPlainObject(s))) return slots;
    const names = new Set(stored.map((s) => (s as JsonObject).name));
    const restored = stored.map((s) => {
      const out = cloneJson(s as JsonObject);
      defineOwn(out, linkKey, null);
      return out;
    });
    // Ports an edge uses that the stored list lacks still get a slot (a positional port has one).
    return [...restored, ...slots.filter((s) => !names.has(s.name) && wired.has(s.name as string) && !isPositionalPort(stored, s.name as string))];
  }
  if (!isPlainObject(stored)) return slots;
  return slots.map((slot) => {
    const fields = stored[slot.name as string];
    if (!isPlainObject(fields)) return slot;
    const out: JsonObject = { name: slot.name, type: slot.type, [linkKey]: null };
    for (const key of Object.keys(fields)) defineOwn(out, key, cloneJson(fields[key]));
    return out;
  });
}

/**
 * Writes the foreign fields onto an exported node (which has no links yet). `wired` names the
 * ports edges use, which keep a slot whatever the stored slot list says.
 */
export function applyNodeForeign(node: JsonObject, foreign: JsonObject, wired: { inputs: ReadonlySet<string>; outputs: ReadonlySet<string> }): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(node)) defineOwn(out, key, node[key]);
  for (const key of Object.keys(foreign)) {
    const value = foreign[key];
    switch (key) {
      case 'type':
      case 'mode':
      case 'flags':
      case 'size':
      case 'color':
      case 'bgcolor':
        defineOwn(out, key, cloneJson(value));
        break;
      case 'inputs':
        out.inputs = applySlots(node.inputs as JsonObject[], value, 'link', wired.inputs);
        break;
      case 'outputs':
        out.outputs = applySlots(node.outputs as JsonObject[], value, 'links', wired.outputs);
        break;
      case 'properties': {
        if (!isPlainObject(value)) break;
        const props: JsonObject = {};
        const current = node.properties as JsonObject;
        for (const name of Object.keys(current)) if (name !== META_KEY) defineOwn(props, name, current[name]);
        for (const name of Object.keys(value)) defineOwn(props, name, cloneJson(value[name]));
        if (META_KEY in current) defineOwn(props, META_KEY, current[META_KEY]);
        out.properties = props;
        break;
      }
      case 'widgets_tail':
        if (Array.isArray(value)) out.widgets_values = [...((node.widgets_values as unknown[]) ?? []), ...cloneJson(value)];
        break;
      case 'widgets_values':
        out.widgets_values = cloneJson(value);
        break;
      default:
        if (!NODE_FIELDS.has(key)) defineOwn(out, key, cloneJson(value));
    }
  }
  return out;
}

// ── comments (note nodes) ────────────────────────────────────────────────────────────────────────

export function collectNoteForeign(json: JsonObject): JsonObject {
  const foreign: JsonObject = {};
  const put = (key: string, value: unknown) => value !== undefined && defineOwn(foreign, key, value);
  for (const key of Object.keys(json)) {
    const value = json[key];
    switch (key) {
      case 'id':
      case 'type':
      case 'pos':
      case 'size':
      case 'order':
        break;
      case 'title':
        if (value !== NOTE_TYPE) put('title', jsonOrUndefined(value));
        break;
      case 'flags':
        if (isPlainObject(value) && nonEmpty(value)) put('flags', jsonOrUndefined(value));
        break;
      case 'mode':
        if (typeof value === 'number' && Number.isFinite(value) && value !== MODE_ALWAYS) put('mode', value);
        break;
      case 'inputs':
      case 'outputs':
        if (Array.isArray(value) && value.length > 0) put(key, jsonOrUndefined(value));
        break;
      case 'properties': {
        if (!isPlainObject(value)) break;
        const props: JsonObject = {};
        for (const name of Object.keys(value)) if (name !== META_KEY && isSafeKey(name)) defineOwn(props, name, jsonOrUndefined(value[name]) ?? null);
        if (nonEmpty(props)) put('properties', props);
        break;
      }
      case 'widgets_values':
        if (Array.isArray(value) && value.length > 1) put('widgets_tail', jsonOrUndefined(value.slice(1)));
        break;
      case 'color':
      case 'bgcolor':
        if (typeof value === 'string' && value !== NOTE_COLORS[key]) put(key, value);
        break;
      default:
        put(key, jsonOrUndefined(value));
    }
  }
  return foreign;
}

export function applyNoteForeign(note: JsonObject, foreign: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(note)) defineOwn(out, key, note[key]);
  for (const key of Object.keys(foreign)) {
    const value = foreign[key];
    if (key === 'properties' && isPlainObject(value)) {
      const props: JsonObject = {};
      for (const name of Object.keys(value)) defineOwn(props, name, cloneJson(value[name]));
      defineOwn(props, META_KEY, (note.properties as JsonObject)[META_KEY]);
      out.properties = props;
    } else if (key === 'widgets_tail' && Array.isArray(value)) {
      out.widgets_values = [...(note.widgets_values as unknown[]), ...cloneJson(value)];
    } else if (!['id', 'type', 'pos', 'size', 'order', 'widgets_values'].includes(key)) {
      defineOwn(out, key, cloneJson(value));
    }
  }
  return out;
}

/** The size a comment without one is given. */
export const NOTE_DEFAULT_SIZE = DEFAULT_COMMENT_SIZE;

// ── groups and the graph ─────────────────────────────────────────────────────────────────────────

export function collectGroupForeign(json: JsonObject): JsonObject {
  const foreign: JsonObject = {};
  for (const key of Object.keys(json)) {
    if (key === 'title' || key === 'bounding' || key === 'color') continue;
    const value = jsonOrUndefined(json[key]);
    if (value !== undefined) defineOwn(foreign, key, value);
  }
  return foreign;
}

export function applyGroupForeign(group: JsonObject, foreign: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(group)) defineOwn(out, key, group[key]);
  for (const key of Object.keys(foreign)) if (key !== 'title' && key !== 'bounding' && key !== 'color') defineOwn(out, key, cloneJson(foreign[key]));
  return out;
}

const GRAPH_DERIVED = new Set(['last_node_id', 'last_link_id', 'nodes', 'links', 'groups']);

export function collectGraphForeign(json: JsonObject): JsonObject {
  const foreign: JsonObject = {};
  for (const key of Object.keys(json)) {
    const value = json[key];
    if (GRAPH_DERIVED.has(key)) continue;
    if (key === 'config') {
      if (isPlainObject(value) && nonEmpty(value)) defineOwn(foreign, 'config', jsonOrUndefined(value));
    } else if (key === 'extra') {
      if (!isPlainObject(value)) continue;
      const extra: JsonObject = {};
      for (const name of Object.keys(value)) if (name !== META_KEY) defineOwn(extra, name, jsonOrUndefined(value[name]) ?? null);
      if (nonEmpty(extra)) defineOwn(foreign, 'extra', extra);
    } else if (key === 'version') {
      if (value !== LITEGRAPH_VERSION) defineOwn(foreign, 'version', jsonOrUndefined(value) ?? null);
    } else {
      const json = jsonOrUndefined(value);
      if (json !== undefined) defineOwn(foreign, key, json);
    }
  }
  return foreign;
}

export function applyGraphForeign(graph: JsonObject, foreign: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(graph)) defineOwn(out, key, graph[key]);
  for (const key of Object.keys(foreign)) {
    const value = foreign[key];
    if (key === 'extra' && isPlainObject(value)) {
      const extra: JsonObject = {};
      for (const name of Object.keys(value)) defineOwn(extra, name, cloneJson(value[name]));
      defineOwn(extra, META_KEY, (graph.extra as JsonObject)[META_KEY]);
      out.extra = extra;
    } else if (!GRAPH_DERIVED.has(key)) defineOwn(out, key, cloneJson(value));
  }
  return out;
}
