/**
 * The litegraph/ComfyUI file a document was opened from, kept whole in the document's extra under
 * SOURCE_KEY, so that writing it back starts from the file itself and changes only what the user
 * changed (merge.ts). Kept for files that are not our own export (no `extra.lggan` record), or
 * whose record says it was written from such a source (`source: true`).
 */
import type { GraphDocument } from '../../graph/document.ts';
import { MAX_VALUE_DEPTH, checkJsonValue, cloneJson, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { META_KEY } from './format.ts';

/** The key in our document's `extra` that holds the source file. */
export const SOURCE_KEY = 'litegraphSource';

/** Depth of the source inside a document (doc → extra → source): it must stay within the format's limit. */
const SOURCE_DEPTH = 2;

/** The source kept in a document, if it has one. */
export function sourceOf(doc: Pick<GraphDocument, 'extra'>): JsonObject | undefined {
  const value = (doc.extra as JsonObject | undefined)?.[SOURCE_KEY];
  return isPlainObject(value) && Array.isArray(value.nodes) ? value : undefined;
}

/** The document's extra without the source (what the plain exporter and the comparisons see). */
export function withoutSource<T extends Pick<GraphDocument, 'extra'>>(doc: T): T {
  const extra = doc.extra as JsonObject | undefined;
  if (!extra || !Object.prototype.hasOwnProperty.call(extra, SOURCE_KEY)) return doc;
  const rest: JsonObject = {};
  for (const key of Object.keys(extra)) if (key !== SOURCE_KEY) rest[key] = extra[key];
  return { ...doc, extra: rest };
}

/** Can this JSON be kept as a source (JSON values only, shallow enough for the document's limits)? */
export function keepable(json: unknown): json is JsonObject {
  return isPlainObject(json) && checkJsonValue(json, SOURCE_DEPTH).ok && MAX_VALUE_DEPTH > SOURCE_DEPTH;
}

/**
 * The file without what an export of a kept source added: `extra.lggan` and each node's
 * `properties.lggan` (and the containers made only for them, as the record and metas say).
 */
export function stripStudioKeys(json: JsonObject): JsonObject {
  const out = cloneJson(json);
  const extra = out.extra;
  if (isPlainObject(extra) && isPlainObject(extra[META_KEY])) {
    const bare = (extra[META_KEY] as JsonObject).noExtra === true;
    delete extra[META_KEY];
    if (bare && Object.keys(extra).length === 0) delete out.extra;
  }
  if (Array.isArray(out.nodes)) {
    for (const node of out.nodes) {
      if (!isPlainObject(node) || !isPlainObject(node.properties)) continue;
      const props = node.properties;
      const meta = props[META_KEY];
      if (meta === undefined) continue;
      delete props[META_KEY];
      if (isPlainObject(meta) && meta.noProperties === true && Object.keys(props).length === 0) delete node.properties;
    }
  }
  return out;
}
