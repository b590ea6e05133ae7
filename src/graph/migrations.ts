/**
 * Document format migrations: pure functions, each lifting a document one format version, applied
 * in sequence until it reaches GRAPH_VERSION. They run before validation on whatever the file
 * held, so they convert what they recognise, carry everything else over unchanged (validation
 * then reports it) and never mutate their input.
 *
 * Format version 0 — the pre-release draft, as written by the early prototypes:
 *
 *   {
 *     "format": "lggan-studio.graph",
 *     "version": 0,
 *     "meta": { "name": "…" },                       // as in v1
 *     "globals": { "height": 256, "ngf": 64 },       // v1: "template"
 *     "init": { "scheme": "xavier-normal", … },      // as in v1, optional
 *     "nodes": [
 *       { "id": "enc1", "type": "core/conv2d",
 *         "properties": { "filters": 64 },           // v1: "params"
 *         "pos": [120, 80],                          // v1: "position": { "x": 120, "y": 80 }
 *         "title": "…", "network": "G" }             // as in v1, optional
 *     ],                                             // no "typeVersion" (v1: 1)
 *     "links": [["enc1", "y", "enc2", "x"]]          // [fromNode, fromPort, toNode, toPort];
 *   }                                                // v1: "edges": [{ from: {node, port}, to: {node, port} }]
 *
 * Version 0 had no groups, comments or extra (v1: [], [], {}).
 *
 * Format version 1 → 2: v2 added the optional per-node "mode" ("bypass" | "mute"). Every v1 node
 * was active, which v2 says by leaving mode out, so only the version number changes. The bump is
 * there so that a build that reads only v1 refuses a file with modes ("made by a newer LGGAN
 * Studio") instead of reporting an unknown field.
 */
import { GRAPH_VERSION } from './document.ts';
import { type JsonObject, defineOwn, hasOwn, isPlainObject } from './util.ts';

export interface Migration {
  from: number;
  to: number;
  description: string;
  migrate(doc: unknown): unknown;
}

/** Copies `obj` with keys renamed/replaced by `change` (undefined drops a key), keeping key order. */
function rewrite(obj: JsonObject, change: (key: string, value: unknown) => [string, unknown] | undefined): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    const next = change(key, obj[key]);
    if (next) defineOwn(out, next[0], next[1]);
  }
  return out;
}

function nodeV0ToV1(node: unknown): unknown {
  if (!isPlainObject(node)) return node;
  // A key that already exists under its v1 name wins over the v0 one.
  const out = rewrite(node, (key, value) => {
    if (key === 'properties') return hasOwn(node, 'params') ? [key, value] : ['params', value];
    if (key === 'pos') {
      if (hasOwn(node, 'position')) return [key, value];
      return ['position', Array.isArray(value) && value.length === 2 ? { x: value[0], y: value[1] } : value];
    }
    return [key, value];
  });
  if (!hasOwn(out, 'typeVersion')) out.typeVersion = 1;
  return out;
}

function linkV0ToV1(link: unknown): unknown {
  if (!Array.isArray(link) || link.length !== 4) return link; // validation says what is wrong
  const [fromNode, fromPort, toNode, toPort] = link;
  return { from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } };
}

const migrate0to1: Migration = {
  from: 0,
  to: 1,
  description: 'links → edges, properties → params, pos → position, globals → template; adds typeVersion, groups, comments, extra',
  migrate(doc) {
    if (!isPlainObject(doc)) return doc;
    const out = rewrite(doc, (key, value) => {
      if (key === 'version') return [key, 1];
      if (key === 'globals') return hasOwn(doc, 'template') ? [key, value] : ['template', value];
      if (key === 'links') return hasOwn(doc, 'edges') ? [key, value] : ['edges', Array.isArray(value) ? value.map(linkV0ToV1) : value];
      if (key === 'nodes') return [key, Array.isArray(value) ? value.map(nodeV0ToV1) : value];
      return [key, value];
    });
    if (!hasOwn(out, 'edges')) out.edges = [];
    if (!hasOwn(out, 'groups')) out.groups = [];
    if (!hasOwn(out, 'comments')) out.comments = [];
    if (!hasOwn(out, 'extra')) out.extra = {};
    return out;
  },
};

const migrate1to2: Migration = {
  from: 1,
  to: 2,
  description: 'version 1 → 2; nodes gain the optional mode (bypass / mute), absent on every v1 node (active)',
  migrate(doc) {
    if (!isPlainObject(doc)) return doc;
    return rewrite(doc, (key, value) => (key === 'version' ? [key, 2] : [key, value]));
  },
};

/** Every migration, in order; migration i lifts version i to i + 1. */
export const MIGRATIONS: readonly Migration[] = [migrate0to1, migrate1to2];

export type MigrateResult =
  | { ok: true; doc: unknown; applied: Migration[] }
  | { ok: false; message: string; applied: Migration[] };

/** Runs the migrations from `fromVersion` up to `toVersion` (GRAPH_VERSION by default). Never throws. */
export function migrateDocument(doc: unknown, fromVersion: number, toVersion: number = GRAPH_VERSION): MigrateResult {
  const applied: Migration[] = [];
  let current = doc;
  for (let version = fromVersion; version < toVersion; ) {
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) return { ok: false, message: `no migration from format version ${version}`, applied };
    try {
      current = step.migrate(current);
    } catch (e) {
      return { ok: false, message: `migration ${step.from}→${step.to} failed: ${(e as Error)?.message ?? e}`, applied };
    }
    applied.push(step);
    version = step.to;
  }
  return { ok: true, doc: current, applied };
}
