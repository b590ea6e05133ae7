/**
 * For the litegraph view: litegraph.js's LGraph.serialize() writes only the graph fields it knows
 * (last ids, nodes, links, groups, config, extra, version) and LGraphGroup.serialize() only title,
 * bounding, color and font_size. A field the canvas cannot hold cannot have been changed there, so
 * after reading the canvas back, such fields come from the document the canvas was given.
 */
import type { GraphDocument } from '../../graph/document.ts';
import { cloneJson, defineOwn, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { FOREIGN_KEY } from './format.ts';

const CANVAS_GRAPH_FIELDS = new Set(['config', 'extra', 'version']);
const CANVAS_GROUP_FIELDS = new Set(['font_size']);

/** `extra` with the foreign fields of `before` that `after` lacks and the canvas cannot hold added back. */
function withDropped(before: JsonObject | undefined, after: JsonObject | undefined, held: ReadonlySet<string>): JsonObject | undefined {
  const old = before?.[FOREIGN_KEY];
  if (!isPlainObject(old)) return after;
  const current = isPlainObject(after?.[FOREIGN_KEY]) ? (after![FOREIGN_KEY] as JsonObject) : undefined;
  const missing = Object.keys(old).filter((k) => !held.has(k) && !(current && Object.prototype.hasOwnProperty.call(current, k)));
  if (missing.length === 0) return after;
  const foreign: JsonObject = current ? cloneJson(current) : {};
  for (const key of missing) defineOwn(foreign, key, cloneJson(old[key]));
  const out: JsonObject = after ? cloneJson(after) : {};
  defineOwn(out, FOREIGN_KEY, foreign);
  return out;
}

export function keepCanvasDropped(previous: GraphDocument, next: GraphDocument): GraphDocument {
  const extra = withDropped(previous.extra as JsonObject, next.extra as JsonObject, CANVAS_GRAPH_FIELDS) ?? {};
  const before = new Map(previous.groups.map((g) => [g.id, g]));
  const groups = next.groups.map((g) => {
    const old = before.get(g.id);
    const kept = old ? withDropped(old.extra as JsonObject | undefined, g.extra as JsonObject | undefined, CANVAS_GROUP_FIELDS) : g.extra;
    return kept === g.extra ? g : { ...g, extra: kept };
  });
  return extra === next.extra && groups.every((g, i) => g === next.groups[i]) ? next : { ...next, extra, groups };
}
