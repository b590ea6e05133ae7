/**
 * Text (or parsed JSON) → GraphDocument: parse, check format and version, migrate old formats,
 * validate the structure, then upgrade each node's params to its type's current version through
 * the registry. Never throws on bad input; every problem is a Diagnostic saying where it is.
 * Nodes of unknown types are kept exactly as they are (placeholders) so that saving loses nothing.
 */
import type { Diagnostic } from './diagnostics.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, MAX_SCHEMA_REF, type GraphDocument, type GraphNode } from './document.ts';
import { parseJsonText } from './json-text.ts';
import { migrateDocument } from './migrations.ts';
import { Reporter } from './report.ts';
import { checkJsonValue, cloneJson, describeValue, isPlainObject } from './util.ts';
import { withoutBadColors } from './color.ts';
import { validateInto } from './validate.ts';


/**
 * What loading needs to know of the node types (the node pack's registry has it): each type's
 * current version and how to bring older params up to it. Stated here, not imported from nodes/,
 * because the document layer sits below the node pack.
 */
export interface NodeVersions {
  get(type: string): { version: number; migrate?: (params: Record<string, unknown>, fromVersion: number) => Record<string, unknown> } | undefined;
}

export interface LoadOptions {
  /** Where the text came from; stamped on every diagnostic. */
  file?: string;
  /** When given, unknown node types are reported (as warnings) and old node typeVersions upgraded. */
  registry?: NodeVersions;
  /** Errors listed before the rest are summed up in one "too-many-errors" (default 100). */
  maxErrors?: number;
}

export type LoadResult =
  | { ok: true; doc: GraphDocument; /** warnings only */ diagnostics: Diagnostic[]; migratedFrom?: number }
  | { ok: false; diagnostics: Diagnostic[] };

export function loadGraph(text: string, options: LoadOptions = {}): LoadResult {
  if (typeof text !== 'string') {
    const r = new Reporter(options.file);
    r.error('wrong-type', `expected the text of a graph document, got ${describeValue(text)}`);
    return { ok: false, diagnostics: r.finish() };
  }
  const parsed = parseJsonText(text);
  if (parsed.ok) return safely(options, (r) => load(parsed.value, options, r, false));
  const r = new Reporter(options.file);
  if (parsed.empty) r.error('empty-file', parsed.message, { line: 1, column: 1 });
  else r.error('json-syntax', `JSON syntax error: ${parsed.message}`, { line: parsed.line, column: parsed.column });
  return { ok: false, diagnostics: r.finish() };
}

/** loadGraph for input that is already parsed; the returned doc shares nothing with `json`. */
export function loadGraphValue(json: unknown, options: LoadOptions = {}): LoadResult {
  return safely(options, (r) => load(json, options, r, true));
}

/** The last line of defence for "never throws": a bug here becomes a diagnostic, not a crash. */
function safely(options: LoadOptions, run: (r: Reporter) => LoadResult): LoadResult {
  const r = new Reporter(options.file, options.maxErrors);
  try {
    return run(r);
  } catch (e) {
    r.error('internal-error', `the loader failed unexpectedly: ${(e as Error)?.message ?? e}`, { pointer: '' });
    return { ok: false, diagnostics: r.finish() };
  }
}

function fail(r: Reporter): LoadResult {
  return { ok: false, diagnostics: r.finish() };
}

function load(file: unknown, options: LoadOptions, r: Reporter, copy: boolean): LoadResult {
  if (!isPlainObject(file)) {
    r.error('wrong-type', `a graph document must be a JSON object, got ${describeValue(file)}`, { pointer: '' });
    return fail(r);
  }
  let input = file;
  if (input.format !== GRAPH_FORMAT) {
    const found = input.format === undefined ? "it has no 'format' field" : `its format is ${describeValue(input.format)}`;
    r.error('wrong-format', `not an LGGAN Studio graph: ${found}, expected "${GRAPH_FORMAT}"`, { pointer: input.format === undefined ? '' : '/format' });
    return fail(r);
  }
  // `$schema` tells editors where the JSON Schema is; the document itself has no use for it.
  if (Object.hasOwn(input, '$schema')) {
    const ref = input.$schema;
    if (typeof ref !== 'string' || ref.length > MAX_SCHEMA_REF) {
      r.error('bad-schema-ref', `'$schema' must be a string of at most ${MAX_SCHEMA_REF} characters (a URL or path of the JSON Schema), got ${describeValue(ref)}`, { pointer: '/$schema' });
      return fail(r);
    }
    input = { ...input };
    delete input.$schema;
  }
  const version = input.version;
  if (version === undefined) {
    r.error('bad-version', `missing field 'version': expected the integer format version (this build reads up to ${GRAPH_VERSION})`, { pointer: '' });
    return fail(r);
  }
  if (!Number.isSafeInteger(version) || (version as number) < 0) {
    r.error('bad-version', `version must be a whole number ≥ 0, got ${describeValue(version)}`, { pointer: '/version' });
    return fail(r);
  }
  const v = version as number;
  if (v > GRAPH_VERSION) {
    r.error('newer-version', `made by a newer LGGAN Studio (format version ${v}, this build reads up to ${GRAPH_VERSION})`, { pointer: '/version' });
    return fail(r);
  }

  let value: unknown = input;
  let migratedFrom: number | undefined;
  if (v < GRAPH_VERSION) {
    const migrated = migrateDocument(input, v);
    if (!migrated.ok) {
      r.error('migration-failed', migrated.message, { pointer: '' });
      return fail(r);
    }
    value = migrated.doc;
    migratedFrom = v;
  }

  validateInto(value, r);
  if (migratedFrom !== undefined) {
    const places = r.errorCount > 0 ? '; the places below refer to the converted document' : '';
    r.warning('format-migrated', `converted from format version ${migratedFrom} to ${GRAPH_VERSION}; saving writes version ${GRAPH_VERSION}${places}`, {
      pointer: '/version',
    });
  }
  if (r.errorCount > 0) return fail(r);

  // The validator warned about each colour that is not one; none of them goes further.
  let doc = withoutBadColors((copy ? cloneJson(value) : value) as GraphDocument);
  if (options.registry) doc = upgradeNodes(doc, options.registry, r);
  if (r.errorCount > 0) return fail(r);
  const diagnostics = r.finish();
  return migratedFrom === undefined ? { ok: true, doc, diagnostics } : { ok: true, doc, diagnostics, migratedFrom };
}

/** Brings each node's params up to its type's current version; unknown types stay untouched. */
function upgradeNodes(doc: GraphDocument, registry: NodeVersions, r: Reporter): GraphDocument {
  const nodes = doc.nodes.map((node, i): GraphNode => {
    const where = { pointer: `/nodes/${i}`, node: node.id };
    const def = registry.get(node.type);
    if (!def) {
      r.warning('unknown-node-type', `unknown node type '${node.type}'; the node is kept as a placeholder and saved unchanged`, {
        ...where,
        pointer: `${where.pointer}/type`,
      });
      return node;
    }
    if (node.typeVersion === def.version) return node;
    const typeVersionAt = { ...where, pointer: `${where.pointer}/typeVersion` };
    if (node.typeVersion > def.version) {
      r.error(
        'newer-node-version',
        `node '${node.id}' has ${node.type} version ${node.typeVersion}, but this build knows it only up to version ${def.version}`,
        typeVersionAt,
      );
      return node;
    }
    let params: unknown = node.params;
    if (def.migrate) {
      try {
        params = def.migrate(cloneJson(node.params), node.typeVersion);
      } catch (e) {
        r.error('node-migration-failed', `upgrading ${node.type} from version ${node.typeVersion} to ${def.version} failed: ${(e as Error)?.message ?? e}`, typeVersionAt);
        return node;
      }
      if (!isPlainObject(params) || !checkJsonValue(params).ok) {
        r.error('node-migration-failed', `upgrading ${node.type} from version ${node.typeVersion} gave params that are not a JSON object`, typeVersionAt);
        return node;
      }
    }
    r.warning('node-migrated', `${node.type} upgraded from version ${node.typeVersion} to ${def.version}`, typeVersionAt);
    return { ...node, typeVersion: def.version, params: params as GraphNode['params'] };
  });
  return { ...doc, nodes };
}
