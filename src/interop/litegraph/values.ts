/** Small value helpers for the converter: pairs as litegraph stores them, equality, extra splitting. */
import { cloneJson, defineOwn, isPlainObject, type JsonObject } from '../../graph/util.ts';
import { FOREIGN_KEY } from './format.ts';

/**
 * `[x, y]` from what litegraph writes for pos and size: a plain array, a Float32Array (what
 * LGraph.serialize() returns before JSON; litegraph 0.7 allocates node positions as
 * `new Float32Array(10, 10)`, ten entries of which the first two count), or `{"0": x, "1": y, …}`
 * (a Float32Array after JSON.stringify). Null when it is none of these or holds no numbers.
 */
export function readPair(value: unknown): [number, number] | null {
  let a: unknown;
  let b: unknown;
  if (Array.isArray(value)) {
    if (value.length !== 2) return null;
    [a, b] = value;
  } else if (ArrayBuffer.isView(value)) {
    const list = value as unknown as ArrayLike<unknown>;
    if (list.length < 2) return null;
    [a, b] = [list[0], list[1]];
  } else if (isPlainObject(value) && '0' in value && '1' in value && Object.keys(value).every((k) => /^(0|[1-9][0-9]?)$/.test(k))) {
    [a, b] = [value['0'], value['1']];
  } else return null;
  return typeof a === 'number' && typeof b === 'number' ? [a, b] : null;
}

/** Four numbers (a group's bounding), from an array, typed array or `{"0"…"3"}` object. */
export function readBox(value: unknown): [number, number, number, number] | null {
  const list: unknown[] | null = Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>) : isPlainObject(value) ? [0, 1, 2, 3].map((i) => value[i]) : null;
  if (!list || list.length !== 4 || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  return list as [number, number, number, number];
}

/** Same JSON text: order-sensitive deep equality for JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Does `stored` (exact) come back as `seen` after litegraph kept it in a Float32Array? */
export function sameAfterFloat32(stored: number, seen: number): boolean {
  return seen === stored || seen === Math.fround(stored);
}

/** Can `key` be an own property of a litegraph object? ("__proto__" is lost in LGraphNode.configure.) */
export function isSafeKey(key: string): boolean {
  return key !== '__proto__';
}

/**
 * Our `extra` split for export: the foreign part (`extra.litegraph`, fields that go back into the
 * litegraph object) and the rest (kept in the litegraph object's meta). `at` is the foreign key's
 * index in `extra` when it is not last, so that joining restores the key order.
 */
export interface SplitExtra {
  rest?: JsonObject;
  foreign?: JsonObject;
  at?: number;
}

export function splitExtra(extra: JsonObject | undefined, usable: (foreign: JsonObject) => boolean): SplitExtra {
  if (extra === undefined) return {};
  const value = extra[FOREIGN_KEY];
  if (!Object.prototype.hasOwnProperty.call(extra, FOREIGN_KEY) || !isPlainObject(value) || !usable(value)) return { rest: cloneJson(extra) };
  const keys = Object.keys(extra);
  const rest: JsonObject = {};
  for (const key of keys) if (key !== FOREIGN_KEY) defineOwn(rest, key, cloneJson(extra[key]));
  const index = keys.indexOf(FOREIGN_KEY);
  return index === keys.length - 1 ? { rest, foreign: value } : { rest, foreign: value, at: index };
}

/** The inverse of splitExtra: `rest` with the foreign fields (when any) back under `litegraph`. */
export function joinExtra(rest: JsonObject | undefined, foreign: JsonObject, at: number | undefined): JsonObject | undefined {
  if (Object.keys(foreign).length === 0) return rest === undefined ? undefined : cloneJson(rest);
  const keys = Object.keys(rest ?? {}).filter((k) => k !== FOREIGN_KEY);
  const position = at === undefined ? keys.length : Math.min(Math.max(0, at), keys.length);
  const out: JsonObject = {};
  keys.forEach((key, i) => {
    if (i === position) defineOwn(out, FOREIGN_KEY, foreign);
    defineOwn(out, key, cloneJson(rest![key]));
  });
  if (position === keys.length) defineOwn(out, FOREIGN_KEY, foreign);
  return out;
}

export function nonEmpty(obj: JsonObject): boolean {
  return Object.keys(obj).length > 0;
}
