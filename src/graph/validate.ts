/**
 * Structural validation of a format-v2 graph document, hand-written so each message says what was
 * expected and each diagnostic points at the exact place. Checks only the document's own rules;
 * whether ports and params fit the node types is the compiler's job (it knows the registry).
 * `public/schema/graph-v2.schema.json` states the same rules where JSON Schema can.
 */
import { COLOR_FORMS, describeColorText, extraColorPath, extraColors, isColor } from './color.ts';
import type { Diagnostic, Place } from './diagnostics.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, NODE_MODES } from './document.ts';
import { Reporter } from './report.ts';
import { type JsonObject, MAX_VALUE_DEPTH, checkJsonValue, describeValue, hasOwn, isPlainObject, pointerTo } from './util.ts';

export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
/** "pack/name": "core/conv2d", "lggan/attention-fusion". */
export const TYPE_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
export const TEMPLATE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Template names that are sizes: when present they must be positive integers. */
export const SIZE_NAMES: readonly string[] = ['height', 'width', 'num_classes', 'batch'];
/** height×width above this (2^26 ≈ 67 M pixels) is refused before anything allocates. */
export const MAX_PIXELS = 2 ** 26;
/**
 * Size limits of one document. The editor is built for graphs of about 2,000 nodes and the largest
 * shipped graph has 21; 50,000 nodes is 25× the former, so no real graph meets it, while a hostile
 * or generated file is refused (in a quarter of a second for 100,000 nodes) before anything walks
 * it. At the limit, loading and resolving take about a second each on a 2-core machine
 * (bench/resolve-scale.ts).
 */
export const MAX_NODES = 50_000;
/** Four edges per node on average; LGGAN graphs have about two and a half. */
export const MAX_EDGES = 4 * MAX_NODES;
export const MAX_GROUPS = 10_000;
export const MAX_COMMENTS = 10_000;
const SECTION_LIMITS = [
  ['nodes', MAX_NODES],
  ['edges', MAX_EDGES],
  ['groups', MAX_GROUPS],
  ['comments', MAX_COMMENTS],
] as const;

/** The sections of `doc` over their size limits, as "too-large" problems (empty when all fit). */
export function sizeProblems(doc: { [section: string]: unknown }): { section: string; count: number; limit: number; message: string }[] {
  const problems = [];
  for (const [section, limit] of SECTION_LIMITS) {
    const list = Object.hasOwn(doc, section) ? doc[section] : undefined;
    if (Array.isArray(list) && list.length > limit) {
      const message = `the graph has ${list.length.toLocaleString('en-US')} ${section}; at most ${limit.toLocaleString('en-US')} are allowed`;
      problems.push({ section, count: list.length, limit, message });
    }
  }
  return problems;
}

export const INIT_SCHEMES: readonly string[] = ['xavier-normal', 'normal', 'kaiming-normal'];

/** Known fields of each object, in the order saveGraph writes them. */
export const FIELDS = {
  document: ['format', 'version', 'meta', 'template', 'init', 'nodes', 'edges', 'groups', 'comments', 'extra'],
  meta: ['name', 'description', 'author', 'license', 'created', 'tags'],
  init: ['scheme', 'gain', 'seed'],
  node: ['id', 'type', 'typeVersion', 'title', 'network', 'mode', 'params', 'position', 'extra'],
  edge: ['from', 'to'],
  portRef: ['node', 'port'],
  group: ['id', 'title', 'nodes', 'color', 'extra'],
  comment: ['id', 'text', 'position', 'size', 'extra'],
  position: ['x', 'y'],
  size: ['width', 'height'],
} as const;

const REQUIRED = {
  document: ['format', 'version', 'meta', 'template', 'nodes', 'edges', 'groups', 'comments', 'extra'],
  node: ['id', 'type', 'typeVersion', 'params', 'position'],
  group: ['id', 'title', 'nodes'],
  comment: ['id', 'text', 'position'],
} as const;

export interface ValidateOptions {
  file?: string;
  maxErrors?: number;
}

/** All structural errors of a would-be current-version document (empty when it is valid). */
export function validateGraph(value: unknown, options: ValidateOptions = {}): Diagnostic[] {
  const reporter = new Reporter(options.file, options.maxErrors);
  validateInto(value, reporter);
  return reporter.finish();
}

/** validateGraph for the loader, which shares one Reporter across its stages. */
export function validateInto(value: unknown, reporter: Reporter): void {
  new Validator(reporter).document(value);
}

/** `where` one level (or more) further in: same node/edge, pointer extended. Hot: runs per field. */
function at(where: Place, ...tokens: (string | number)[]): Place {
  const place: Place = { pointer: pointerTo(where.pointer ?? '', ...tokens) };
  if (where.node !== undefined) place.node = where.node;
  if (where.edge !== undefined) place.edge = where.edge;
  if (where.port !== undefined) place.port = where.port;
  if (where.param !== undefined) place.param = where.param;
  if (where.file !== undefined) place.file = where.file;
  return place;
}

class Validator {
  constructor(private readonly r: Reporter) {}

  document(doc: unknown): void {
    const root: Place = { pointer: '' };
    if (!isPlainObject(doc)) {
      this.r.error('wrong-type', `a graph document must be a JSON object, got ${describeValue(doc)}`, root);
      return;
    }
    const tooLarge = sizeProblems(doc);
    for (const p of tooLarge) this.r.error('too-large', p.message, at(root, p.section));
    if (tooLarge.length > 0) return; // nothing else is walked in a document this size
    this.fields(doc, root, 'the document', FIELDS.document, REQUIRED.document, true);
    if (hasOwn(doc, 'format') && doc.format !== GRAPH_FORMAT) {
      this.r.error('wrong-format', `format must be "${GRAPH_FORMAT}", got ${describeValue(doc.format)}`, at(root, 'format'));
    }
    if (hasOwn(doc, 'version') && doc.version !== GRAPH_VERSION) {
      this.r.error('bad-version', `version must be ${GRAPH_VERSION}, got ${describeValue(doc.version)}`, at(root, 'version'));
    }
    if (doc.meta !== undefined) this.meta(doc.meta);
    if (doc.template !== undefined) this.template(doc.template);
    if (doc.init !== undefined) this.init(doc.init);
    const nodeIds = doc.nodes !== undefined ? this.nodes(doc.nodes) : new Map<string, number>();
    if (doc.edges !== undefined) this.edges(doc.edges, nodeIds);
    if (doc.groups !== undefined) this.groups(doc.groups, nodeIds);
    if (doc.comments !== undefined) this.comments(doc.comments);
    if (doc.extra !== undefined) this.extra(doc.extra, at(root, 'extra'));
  }

  // ── generic checks ────────────────────────────────────────────────────────────────────────────

  /** Is `value` an object with only known fields and all required ones? */
  private fields(
    value: unknown,
    where: Place,
    what: string,
    known: readonly string[],
    required: readonly string[],
    hasExtra: boolean,
  ): value is JsonObject {
    if (!isPlainObject(value)) {
      this.r.error('wrong-type', `${what} must be an object, got ${describeValue(value)}`, where);
      return false;
    }
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const hint = hasExtra ? 'put custom data in extra' : `${what} has only the fields ${known.join(', ')}`;
      this.r.error('unknown-field', `unknown field '${key}'; ${hint}`, at(where, key));
    }
    for (const key of required) {
      if (value[key] === undefined) this.r.error('missing-field', `${what} is missing the required field '${key}'`, where);
    }
    return true;
  }

  private string(value: unknown, where: Place, what: string): value is string {
    if (typeof value === 'string') return true;
    this.r.error('wrong-type', `${what} must be a string, got ${describeValue(value)}`, where);
    return false;
  }

  private optionalString(obj: JsonObject, key: string, where: Place, what: string): void {
    if (obj[key] !== undefined) this.string(obj[key], at(where, key), `${what}'s ${key}`);
  }

  private finite(value: unknown, where: Place, what: string): value is number {
    if (typeof value === 'number' && Number.isFinite(value)) return true;
    this.r.error('wrong-type', `${what} must be a finite number, got ${describeValue(value)}`, where);
    return false;
  }

  /** Ids of nodes, groups and comments: non-empty, letters, digits and _ . : - only. */
  private id(value: unknown, where: Place, what: string): value is string {
    if (!this.string(value, where, what)) return false;
    if (ID_PATTERN.test(value)) return true;
    this.r.error('invalid-value', `${what} ${JSON.stringify(value)} is not a valid id; use letters, digits and _ . : - (at least one)`, where);
    return false;
  }

  /** Params, extra and unknown meta values must be plain JSON (matters for already-parsed input). */
  private json(value: unknown, where: Place): void {
    const res = checkJsonValue(value);
    if (res.ok) return;
    const place = at(where, ...res.path);
    if (res.reason === 'too-deep') this.r.error('too-deep', `value nested more than ${MAX_VALUE_DEPTH} levels deep`, place);
    else this.r.error('not-json', `expected a JSON value (null, boolean, finite number, string, array or object), got ${describeValue(res.value)}`, place);
  }

  private extra(value: unknown, where: Place): void {
    if (!isPlainObject(value)) {
      this.r.error('wrong-type', `extra must be an object, got ${describeValue(value)}`, where);
      return;
    }
    this.json(value, where);
  }

  /** A colour that is not one is not an error (the document is usable without it): the loader drops it. */
  private color(value: string, where: Place, what: string): void {
    if (isColor(value)) return;
    this.r.warning('invalid-color', `${what} ${describeColorText(value)} is not a colour (${COLOR_FORMS}); it is left out`, where);
  }

  /** litegraph's node and note colours, kept under extra.litegraph. */
  private foreignColors(extra: unknown, where: Place, owner: string): void {
    for (const [key, value] of extraColors(extra)) {
      const place = at(where, ...extraColorPath(key));
      if (typeof value !== 'string') this.r.warning('invalid-color', `${owner}'s litegraph ${key} must be a colour string, got ${describeValue(value)}; it is left out`, place);
      else this.color(value, place, `${owner}'s litegraph ${key}`);
    }
  }

  private position(value: unknown, where: Place, what: string): void {
    if (!this.fields(value, where, what, FIELDS.position, FIELDS.position, false)) return;
    for (const key of FIELDS.position) if (value[key] !== undefined) this.finite(value[key], at(where, key), `${what}.${key}`);
  }

  // ── sections ──────────────────────────────────────────────────────────────────────────────────

  /** meta is open: unknown fields are kept (as JSON values), known ones are typed. */
  private meta(meta: unknown): void {
    const where: Place = { pointer: '/meta' };
    if (!isPlainObject(meta)) {
      this.r.error('wrong-type', `meta must be an object, got ${describeValue(meta)}`, where);
      return;
    }
    if (meta.name === undefined) this.r.error('missing-field', `meta is missing the required field 'name'`, where);
    else this.string(meta.name, at(where, 'name'), 'meta.name');
    for (const key of ['description', 'author', 'license', 'created']) this.optionalString(meta, key, where, 'meta');
    if (meta.tags !== undefined) {
      if (!Array.isArray(meta.tags)) this.r.error('wrong-type', `meta.tags must be an array of strings, got ${describeValue(meta.tags)}`, at(where, 'tags'));
      else meta.tags.forEach((tag, i) => this.string(tag, at(where, 'tags', i), `meta.tags[${i}]`));
    }
    for (const key of Object.keys(meta)) {
      if (!(FIELDS.meta as readonly string[]).includes(key)) this.json(meta[key], at(where, key));
    }
  }

  private template(template: unknown): void {
    const where: Place = { pointer: '/template' };
    if (!isPlainObject(template)) {
      this.r.error('wrong-type', `template must be an object of named numbers, got ${describeValue(template)}`, where);
      return;
    }
    for (const name of Object.keys(template)) {
      const place = at(where, name);
      const value = template[name];
      if (!TEMPLATE_NAME_PATTERN.test(name) || name === '__proto__') {
        this.r.error('invalid-value', `template name '${name}' is not a valid name; use a letter or _ then letters, digits or _`, place);
      }
      if (!this.finite(value, place, `template '${name}'`)) continue;
      if (SIZE_NAMES.includes(name) && !(Number.isInteger(value) && value > 0)) {
        this.r.error('invalid-value', `template '${name}' is a size and must be a positive integer, got ${value}`, place);
      }
    }
    const size = (name: string) => (typeof template[name] === 'number' && (template[name] as number) > 0 ? (template[name] as number) : undefined);
    const height = size('height');
    const width = size('width');
    if (height !== undefined && width !== undefined) {
      if (height * width > MAX_PIXELS) {
        this.r.error('template-too-large', `height×width = ${height * width} pixels exceeds the limit of ${MAX_PIXELS}`, where);
      }
    } else {
      // Only one side given: it alone must not already be past the pixel limit.
      for (const [name, value] of [['height', height], ['width', width]] as const) {
        if (value !== undefined && value > MAX_PIXELS) {
          this.r.error('template-too-large', `${name} = ${value} pixels exceeds the limit of ${MAX_PIXELS}`, at(where, name));
        }
      }
    }
  }

  private init(init: unknown): void {
    const where: Place = { pointer: '/init' };
    if (!this.fields(init, where, 'init', FIELDS.init, FIELDS.init, false)) return;
    if (init.scheme !== undefined && !INIT_SCHEMES.includes(init.scheme as string)) {
      this.r.error('invalid-value', `init.scheme must be one of ${INIT_SCHEMES.join(', ')}, got ${describeValue(init.scheme)}`, at(where, 'scheme'));
    }
    if (init.gain !== undefined && this.finite(init.gain, at(where, 'gain'), 'init.gain') && init.gain < 0) {
      this.r.error('invalid-value', `init.gain must be ≥ 0, got ${init.gain}`, at(where, 'gain'));
    }
    if (init.seed !== undefined && !Number.isSafeInteger(init.seed)) {
      this.r.error('wrong-type', `init.seed must be an integer, got ${describeValue(init.seed)}`, at(where, 'seed'));
    }
  }

  /** Returns the node ids (first index of each) for the edge and group checks. */
  private nodes(nodes: unknown): Map<string, number> {
    const ids = new Map<string, number>();
    if (!Array.isArray(nodes)) {
      this.r.error('wrong-type', `nodes must be an array, got ${describeValue(nodes)}`, { pointer: '/nodes' });
      return ids;
    }
    nodes.forEach((node, i) => {
      let where: Place = { pointer: `/nodes/${i}` };
      if (isPlainObject(node) && typeof node.id === 'string') where = { ...where, node: node.id };
      if (!this.fields(node, where, `node #${i}`, FIELDS.node, REQUIRED.node, true)) return;
      if (node.id !== undefined && this.id(node.id, at(where, 'id'), 'node id')) {
        const first = ids.get(node.id);
        if (first !== undefined) {
          this.r.error('duplicate-id', `duplicate node id '${node.id}': node #${first} already has it`, at(where, 'id'));
        } else ids.set(node.id, i);
      }
      if (node.type !== undefined && this.string(node.type, at(where, 'type'), 'node type') && !TYPE_PATTERN.test(node.type)) {
        this.r.error('invalid-value', `node type ${JSON.stringify(node.type)} must look like "pack/name", e.g. "core/conv2d"`, at(where, 'type'));
      }
      if (node.typeVersion !== undefined && !(Number.isSafeInteger(node.typeVersion) && (node.typeVersion as number) > 0)) {
        this.r.error('invalid-value', `typeVersion must be a positive integer, got ${describeValue(node.typeVersion)}`, at(where, 'typeVersion'));
      }
      if (node.params !== undefined) {
        if (!isPlainObject(node.params)) {
          this.r.error('wrong-type', `params must be an object, got ${describeValue(node.params)}`, at(where, 'params'));
        } else {
          for (const name of Object.keys(node.params)) this.json(node.params[name], { ...at(where, 'params', name), param: name });
        }
      }
      if (node.position !== undefined) this.position(node.position, at(where, 'position'), 'position');
      if (node.network !== undefined && this.string(node.network, at(where, 'network'), 'network') && node.network === '') {
        this.r.error('invalid-value', 'network must not be empty; leave it out to use the node type’s default', at(where, 'network'));
      }
      this.optionalString(node, 'title', where, 'the node');
      if (node.mode !== undefined && !(NODE_MODES as readonly unknown[]).includes(node.mode)) {
        this.r.error('invalid-value', `mode must be one of ${NODE_MODES.map((m) => `"${m}"`).join(', ')} (leave it out for an active node), got ${describeValue(node.mode)}`, at(where, 'mode'));
      }
      if (node.extra !== undefined) this.extra(node.extra, at(where, 'extra'));
      this.foreignColors(node.extra, where, `node #${i}`);
    });
    return ids;
  }

  private portRef(value: unknown, where: Place, what: string): { node: string; port: string } | null {
    if (!this.fields(value, where, what, FIELDS.portRef, FIELDS.portRef, false)) return null;
    let ok = true;
    for (const key of FIELDS.portRef) {
      const v = value[key];
      if (v === undefined) ok = false;
      else if (!this.string(v, at(where, key), `${what}.${key}`)) ok = false;
      else if (v === '') {
        this.r.error('invalid-value', `${what}.${key} must not be empty`, at(where, key));
        ok = false;
      }
    }
    return ok ? { node: value.node as string, port: value.port as string } : null;
  }

  private edges(edges: unknown, nodeIds: Map<string, number>): void {
    if (!Array.isArray(edges)) {
      this.r.error('wrong-type', `edges must be an array, got ${describeValue(edges)}`, { pointer: '/edges' });
      return;
    }
    const inputs = new Map<string, number>(); // "node\0port" of each input → first edge index
    edges.forEach((edge, i) => {
      const where: Place = { pointer: `/edges/${i}`, edge: i };
      if (!this.fields(edge, where, `edge #${i}`, FIELDS.edge, FIELDS.edge, false)) return;
      const from = edge.from === undefined ? null : this.portRef(edge.from, at(where, 'from'), `edge #${i} from`);
      const to = edge.to === undefined ? null : this.portRef(edge.to, at(where, 'to'), `edge #${i} to`);
      for (const [side, ref, verb] of [['from', from, 'starts at'], ['to', to, 'ends at']] as const) {
        if (ref && !nodeIds.has(ref.node)) {
          this.r.error('missing-node', `edge #${i} ${verb} node '${ref.node}', which is not in the graph`, {
            ...at(where, side, 'node'),
            node: ref.node,
            port: ref.port,
          });
        }
      }
      if (from && to && from.node === to.node) {
        this.r.error('self-loop', `edge #${i} connects node '${from.node}' to itself; a node cannot feed its own input`, { ...where, node: from.node });
      }
      if (to) {
        const key = `${to.node}\u0000${to.port}`;
        const first = inputs.get(key);
        if (first === undefined) inputs.set(key, i);
        else {
          this.r.error(
            'multiple-inputs',
            `edges #${first} and #${i} both go into input port '${to.port}' of node '${to.node}'; an input port takes exactly one edge`,
            { ...at(where, 'to'), node: to.node, port: to.port },
          );
        }
      }
    });
  }

  private groups(groups: unknown, nodeIds: Map<string, number>): void {
    if (!Array.isArray(groups)) {
      this.r.error('wrong-type', `groups must be an array, got ${describeValue(groups)}`, { pointer: '/groups' });
      return;
    }
    const ids = new Map<string, number>();
    groups.forEach((group, i) => {
      const where: Place = { pointer: `/groups/${i}` };
      if (!this.fields(group, where, `group #${i}`, FIELDS.group, REQUIRED.group, true)) return;
      if (group.id !== undefined && this.id(group.id, at(where, 'id'), 'group id')) this.unique(ids, group.id, i, at(where, 'id'), 'group');
      if (group.title !== undefined) this.string(group.title, at(where, 'title'), 'group title');
      if (group.color !== undefined && this.string(group.color, at(where, 'color'), "the group's color")) this.color(group.color, at(where, 'color'), `group #${i}'s colour`);
      if (group.extra !== undefined) this.extra(group.extra, at(where, 'extra'));
      if (group.nodes === undefined) return;
      if (!Array.isArray(group.nodes)) {
        this.r.error('wrong-type', `group nodes must be an array of node ids, got ${describeValue(group.nodes)}`, at(where, 'nodes'));
        return;
      }
      const seen = new Set<string>();
      group.nodes.forEach((id: unknown, j: number) => {
        const place = at(where, 'nodes', j);
        if (!this.string(id, place, 'a group member')) return;
        if (!nodeIds.has(id)) this.r.error('missing-node', `group #${i} lists node '${id}', which is not in the graph`, { ...place, node: id });
        else if (seen.has(id)) this.r.error('duplicate-member', `group #${i} lists node '${id}' twice`, { ...place, node: id });
        seen.add(id);
      });
    });
  }

  private comments(comments: unknown): void {
    if (!Array.isArray(comments)) {
      this.r.error('wrong-type', `comments must be an array, got ${describeValue(comments)}`, { pointer: '/comments' });
      return;
    }
    const ids = new Map<string, number>();
    comments.forEach((comment, i) => {
      const where: Place = { pointer: `/comments/${i}` };
      if (!this.fields(comment, where, `comment #${i}`, FIELDS.comment, REQUIRED.comment, true)) return;
      if (comment.id !== undefined && this.id(comment.id, at(where, 'id'), 'comment id')) this.unique(ids, comment.id, i, at(where, 'id'), 'comment');
      if (comment.text !== undefined) this.string(comment.text, at(where, 'text'), 'comment text');
      if (comment.position !== undefined) this.position(comment.position, at(where, 'position'), 'position');
      if (comment.size !== undefined) {
        const place = at(where, 'size');
        if (this.fields(comment.size, place, 'size', FIELDS.size, FIELDS.size, false)) {
          for (const key of FIELDS.size) {
            const v = comment.size[key];
            if (v !== undefined && this.finite(v, at(place, key), `size.${key}`) && v < 0) {
              this.r.error('invalid-value', `size.${key} must be ≥ 0, got ${v}`, at(place, key));
            }
          }
        }
      }
      if (comment.extra !== undefined) this.extra(comment.extra, at(where, 'extra'));
      this.foreignColors(comment.extra, where, `comment #${i}`);
    });
  }

  private unique(ids: Map<string, number>, id: string, index: number, where: Place, what: string): void {
    const first = ids.get(id);
    if (first === undefined) ids.set(id, index);
    else this.r.error('duplicate-id', `duplicate ${what} id '${id}': ${what} #${first} already has it`, where);
  }
}
