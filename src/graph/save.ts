/**
 * Canonical text of a graph document: 2-space JSON with a trailing newline, known fields in a
 * fixed order (so diffs stay small and saving twice gives the same bytes), while what the format
 * does not interpret — params values, extra objects, template entries, unknown meta fields — keeps
 * the key order it was loaded with. Unknown node types (placeholders) go through untouched.
 *
 * One limit of JavaScript objects: integer-like keys ("0", "12") always come first, so such keys
 * inside params/extra are written in ascending order whatever order the file had.
 */
import type { GraphComment, GraphDocument, GraphEdge, GraphGroup, GraphMeta, GraphNode, PortRef, Position } from './document.ts';
import { type JsonObject, defineOwn } from './util.ts';
import { FIELDS } from './validate.ts';

export function saveGraph(doc: GraphDocument): string {
  return JSON.stringify(canonicalGraph(doc), null, 2) + '\n';
}

/**
 * The text of a graph file: saveGraph's canonical text with `"$schema": schemaRef` first, so that
 * editors (VS Code and others) validate and complete the file. Who writes decides the reference:
 * the app its own site's copy (an absolute URL), Node writers a path relative to the written
 * file. Share links, the clipboard and the library keep using saveGraph (no `$schema`).
 */
export function saveGraphFile(doc: GraphDocument, schemaRef: string): string {
  const out: JsonObject = {};
  defineOwn(out, '$schema', schemaRef);
  return JSON.stringify(Object.assign(out, canonicalGraph(doc)), null, 2) + '\n';
}

/** Picks `keys` from `obj` in that order, leaving out absent (undefined) ones. */
function pick(obj: object, keys: readonly string[], map: (key: string, value: unknown) => unknown = (_, v) => v): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = (obj as JsonObject)[key];
    if (value !== undefined) defineOwn(out, key, map(key, value));
  }
  return out;
}

const position = (p: Position) => pick(p, FIELDS.position);
const portRef = (r: PortRef) => pick(r, FIELDS.portRef);

/** Known meta fields first, then any others in their loaded order. */
function canonicalMeta(meta: GraphMeta): JsonObject {
  const out = pick(meta, FIELDS.meta);
  for (const key of Object.keys(meta)) {
    const value = (meta as unknown as JsonObject)[key];
    if (!(FIELDS.meta as readonly string[]).includes(key) && value !== undefined) defineOwn(out, key, value);
  }
  return out;
}

export function canonicalNode(node: GraphNode): JsonObject {
  return pick(node, FIELDS.node, (key, value) => (key === 'position' ? position(value as Position) : value));
}

export function canonicalEdge(edge: GraphEdge): JsonObject {
  return pick(edge, FIELDS.edge, (_, value) => portRef(value as PortRef));
}

function canonicalGroup(group: GraphGroup): JsonObject {
  return pick(group, FIELDS.group);
}

function canonicalComment(comment: GraphComment): JsonObject {
  return pick(comment, FIELDS.comment, (key, value) => {
    if (key === 'position') return position(value as Position);
    if (key === 'size') return pick(value as object, FIELDS.size);
    return value;
  });
}

/** The document as a plain object with its keys in canonical order (shares params/extra values with `doc`). */
export function canonicalGraph(doc: GraphDocument): JsonObject {
  return pick(doc, FIELDS.document, (key, value) => {
    switch (key) {
      case 'meta':
        return canonicalMeta(value as GraphMeta);
      case 'init':
        return pick(value as object, FIELDS.init);
      case 'nodes':
        return (value as GraphNode[]).map(canonicalNode);
      case 'edges':
        return (value as GraphEdge[]).map(canonicalEdge);
      case 'groups':
        return (value as GraphGroup[]).map(canonicalGroup);
      case 'comments':
        return (value as GraphComment[]).map(canonicalComment);
      default:
        return value; // format, version, template, extra
    }
  });
}
