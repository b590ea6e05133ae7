/**
 * A content hash of a graph: what it computes, not how it is drawn. Two documents that differ only
 * in layout (positions, titles, groups, comments), metadata, extra data, node order, edge order or
 * key order hash the same; any change to template, init, a node's type/version/params/network/mode
 * or the wiring changes it. Good as a cache key for compiled models and as a checkpoint's "made for".
 */
import { DEFAULT_INIT, type GraphDocument } from './document.ts';
import { sha256Hex } from './sha256.ts';

/** JSON with every object's keys sorted (by UTF-16 code units) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] !== undefined) parts.push(JSON.stringify(key) + ':' + canonicalJson(obj[key]));
    }
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The version of what is hashed, not the file's format version. Format v2 only added the node mode,
 * which is hashed only when set, so a graph without modes keeps the hash it had as a v1 file and
 * checkpoints made for it still match after the migration.
 */
const HASHED_CONTENT_VERSION = 1;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The hashed content as canonical JSON (exposed so a test or tool can see what is covered). */
export function graphContent(doc: GraphDocument): string {
  const nodes = doc.nodes
    .map((n) => ({ id: n.id, type: n.type, typeVersion: n.typeVersion, params: n.params, network: n.network, mode: n.mode }))
    .sort((a, b) => byString(a.id, b.id));
  const edges = doc.edges
    .map((e) => {
      const edge = { from: { node: e.from.node, port: e.from.port }, to: { node: e.to.node, port: e.to.port } };
      return { edge, key: canonicalJson(edge) };
    })
    .sort((a, b) => byString(a.key, b.key))
    .map((e) => e.edge);
  // An absent init means the default one, so spelling the default out does not change the hash.
  const init = doc.init ?? DEFAULT_INIT;
  return canonicalJson({ format: doc.format, version: HASHED_CONTENT_VERSION, template: doc.template, init, nodes, edges });
}

/** Hex SHA-256 of graphContent(doc). */
export function graphHash(doc: GraphDocument): string {
  return sha256Hex(graphContent(doc));
}
