/**
 * Mutations of a graph document for the fuzz corpus: fields deleted, duplicated or retyped, numbers
 * pushed to their extremes, values nested thousands deep, strings a megabyte long, prototype names
 * as keys, ids and ports, params set to hostile expressions, wires moved, the format version
 * rolled back to 0 (through the migration), and the text itself cut or dented.
 */
import { defineOwn, isPlainObject } from '../../graph/util.ts';
import { PROTOTYPE_NAMES, Random } from './random.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

/** Nesting too deep for JSON.stringify's recursion is written as a marker and spliced into the text. */
const DEEP_MARKER = /"@@deep:(\d+):(array|object)@@"/g;

function deepText(depth: number, kind: string): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Every container in `value` with its path, parents before children. */
function containers(value: Json, limit = 5000): Container[] {
  const found: Container[] = [];
  const stack: Json[] = [value];
  while (stack.length > 0 && found.length < limit) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      found.push(v);
      stack.push(...v);
    } else if (isPlainObject(v)) {
      found.push(v as Container);
      stack.push(...Object.values(v as Record<string, Json>));
    }
  }
  return found;
}

function keysOf(c: Container): (string | number)[] {
  return Array.isArray(c) ? c.map((_, i) => i) : Object.keys(c);
}

function get(c: Container, key: string | number): Json {
  return (c as Record<string | number, Json>)[key];
}

function set(c: Container, key: string | number, value: Json): void {
  if (Array.isArray(c)) c[key as number] = value;
  else defineOwn(c, String(key), value); // "__proto__" stays an own key, as JSON.parse makes it
}

function remove(c: Container, key: string | number): void {
  if (Array.isArray(c)) c.splice(key as number, 1);
  else delete c[key as string];
}

interface Doc {
  nodes?: Json;
  edges?: Json;
  template?: Json;
  [key: string]: Json | undefined;
}

const objects = (list: Json | undefined): Record<string, Json>[] => (Array.isArray(list) ? (list.filter(isPlainObject) as Record<string, Json>[]) : []);

/** One structural mutation somewhere in the document. */
function mutateOnce(doc: Doc, r: Random): void {
  const nodes = objects(doc.nodes);
  const edges = objects(doc.edges);
  const all = containers(doc as Json);
  const target = r.pick(all);
  const keys = keysOf(target);
  const key = keys.length > 0 ? r.pick(keys) : 0;
  switch (r.int(0, 12)) {
    case 0: // delete a field or element
      if (keys.length > 0) remove(target, key);
      break;
    case 1: {
      // duplicate a field under another name, or an element (a node twice: duplicate ids)
      if (keys.length === 0) break;
      const copy = JSON.parse(JSON.stringify(get(target, key) ?? null)) as Json;
      if (Array.isArray(target)) target.splice(r.int(0, target.length), 0, copy);
      else set(target, r.chance(0.5) ? `${key}${r.int(0, 9)}` : r.pick(PROTOTYPE_NAMES), copy);
      break;
    }
    case 2: // retype a value
      if (keys.length > 0) set(target, key, r.scalar() as Json);
      break;
    case 3: // an extreme number in place of any number (template sizes, params, positions, versions)
      if (keys.length > 0) set(target, key, r.extremeNumber());
      break;
    case 4: // nesting far past any limit
      if (keys.length > 0) set(target, key, `@@deep:${r.pick([65, 1000, 20_000, 200_000])}:${r.pick(['array', 'object'])}@@`);
      break;
    case 5: // a long string as a value or a key
      if (keys.length === 0) break;
      if (r.chance(0.5) || Array.isArray(target)) set(target, key, r.longString(r.pick([1000, 100_000, 1_000_000])));
      else set(target, r.longString(r.pick([1000, 100_000])), get(target, key));
      break;
    case 6: // a prototype name as a key, holding something that would pollute if merged carelessly
      if (!Array.isArray(target)) set(target, r.pick(PROTOTYPE_NAMES), r.pick([{ polluted: true }, 1, 'x', [], null]));
      break;
    case 7: {
      // a prototype name as a node id (with the wires kept pointing at it) or as a port
      const node = nodes.length > 0 ? r.pick(nodes) : undefined;
      if (!node) break;
      const name = r.chance(0.2) ? r.longString(100_000) : r.pick(PROTOTYPE_NAMES);
      if (r.chance(0.5)) {
        const old = node.id;
        node.id = name;
        for (const e of edges) for (const side of ['from', 'to']) {
          const ref = e[side];
          if (isPlainObject(ref) && ref.node === old) (ref as Record<string, Json>).node = name;
        }
      } else if (edges.length > 0) {
        const ref = r.pick(edges)[r.pick(['from', 'to'])];
        if (isPlainObject(ref)) (ref as Record<string, Json>).port = name;
      }
      break;
    }
    case 8: {
      // a param set to a hostile expression, an extreme number or a nasty string
      const node = nodes.length > 0 ? r.pick(nodes) : undefined;
      if (!node || !isPlainObject(node.params)) break;
      const params = node.params as Record<string, Json>;
      const names = Object.keys(params);
      const name = names.length > 0 && r.chance(0.7) ? r.pick(names) : r.pick([...PROTOTYPE_NAMES, 'classes', 'out_channels']);
      set(params, name, r.pick([() => r.expression(), () => r.extremeNumber(), () => r.nastyString(), () => r.int(-3, 70)])() as Json);
      break;
    }
    case 9: {
      // a wire moved to another node or port: cycles, self loops, missing ports, two wires into one input
      if (edges.length === 0 || nodes.length === 0) break;
      const ref = r.pick(edges)[r.pick(['from', 'to'])];
      if (!isPlainObject(ref)) break;
      const moved = ref as Record<string, Json>;
      if (r.chance(0.7)) moved.node = r.pick(nodes).id ?? 'x';
      if (r.chance(0.3)) moved.port = r.pick(['x', 'y', 'value', 'semantic', 'features', 'masks', 'logits', 'in0', ...PROTOTYPE_NAMES.slice(0, 3)]);
      break;
    }
    case 10: {
      // template values and names
      if (!isPlainObject(doc.template)) break;
      const template = doc.template as Record<string, Json>;
      const names = Object.keys(template);
      const name = r.chance(0.6) && names.length > 0 ? r.pick(names) : r.pick([...PROTOTYPE_NAMES, 'batch', 'ngf', 'num_classes']);
      set(template, name, r.chance(0.5) ? r.extremeNumber() : r.int(-2, 100));
      break;
    }
    case 11: // node types: another known type, an unknown one, or a prototype name
      if (nodes.length > 0) r.pick(nodes).type = r.pick(['core/conv2d', 'core/concat', 'lggan/classification', 'core/output', 'future/thing', 'constructor/__proto__', 'x']);
      break;
    default: // wires between random nodes (most get refused; some close cycles)
      if (nodes.length > 1 && Array.isArray(doc.edges)) {
        const a = r.pick(nodes).id ?? 'a';
        const b = r.pick(nodes).id ?? 'b';
        doc.edges.push({ from: { node: a, port: r.pick(['y', 'out', 'semantic']) }, to: { node: b, port: r.pick(['x', 'value', 'a', 'b']) } });
      }
  }
}

/** The v1 document written back as the format-v0 draft, so the mutations reach the migration. */
function asVersion0(doc: Doc): Doc {
  const v0: Doc = { format: doc.format ?? null, version: 0, meta: doc.meta ?? null, globals: doc.template ?? null };
  v0.nodes = objects(doc.nodes).map((n) => {
    const { params, position, typeVersion: _, ...rest } = n;
    const pos = isPlainObject(position) ? [(position as Record<string, Json>).x, (position as Record<string, Json>).y] : position;
    return { ...rest, properties: params ?? {}, pos: pos ?? null };
  });
  v0.links = objects(doc.edges).map((e) => {
    const from = (isPlainObject(e.from) ? e.from : {}) as Record<string, Json>;
    const to = (isPlainObject(e.to) ? e.to : {}) as Record<string, Json>;
    return [from.node ?? null, from.port ?? null, to.node ?? null, to.port ?? null];
  });
  return v0;
}

/** Text-level damage: cut short, a character changed, or bytes inserted. */
function dentText(text: string, r: Random): string {
  const at = r.int(0, text.length);
  switch (r.int(0, 3)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + r.pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', 'x', '\ufeff', '1e999']) + text.slice(at + 1);
    case 2:
      return '\ufeff' + text;
    default:
      return text.slice(0, at) + r.pick(['"__proto__": {"polluted": 1},', ',,', '"a":', 'NaN', 'Infinity']) + text.slice(at);
  }
}

/** A mutated copy of `base` (a parsed shipped graph), as the text a file or share link would hold. */
export function mutatedGraphText(base: unknown, r: Random): string {
  let doc = JSON.parse(JSON.stringify(base)) as Doc;
  const mutations = r.int(1, 4);
  for (let i = 0; i < mutations; i++) mutateOnce(doc, r);
  if (r.chance(0.1)) doc = asVersion0(doc);
  let text = JSON.stringify(doc, null, r.chance(0.5) ? 2 : undefined).replace(DEEP_MARKER, (_, depth: string, kind: string) => deepText(Number(depth), kind));
  if (r.chance(0.1)) text = dentText(text, r);
  return text;
}
