/** Small helpers shared by the loader, validator, migrations and writer. */

export type JsonObject = Record<string, unknown>;

/** A plain `{…}` object (what JSON.parse makes), not an array, null or class instance. */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets an own enumerable property. Plain `obj[key] = v` would change the prototype when key is
 * "__proto__", a key JSON.parse happily creates as an ordinary own property.
 */
export function defineOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * A string from a file, cut for a message: at most `max` characters, then "…" and how many more.
 * Keeps one hostile 1 MB key or expression from turning one diagnostic into a megabyte of output.
 */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Items by key, each list in input order; built in one pass (one push per item, no copying). */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function escapePointerToken(token: string | number): string {
  const text = String(token);
  return text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text;
}

/** Appends tokens to a JSON pointer: pointerTo('/nodes', 3, 'params') → "/nodes/3/params". */
export function pointerTo(base: string, ...tokens: (string | number)[]): string {
  let pointer = base;
  for (const token of tokens) pointer += '/' + escapePointerToken(token);
  return pointer;
}

/** "a string", "an array", "null" … for "expected X, got Y" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : `the non-finite number ${value}`;
  if (typeof value === 'string') return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a string';
  if (typeof value === 'boolean') return `${value}`;
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return isPlainObject(value) ? 'an object' : `a ${name ?? 'non-plain object'}`;
  }
  return `a ${typeof value}`;
}

/** How deep params/extra/meta values may nest; also stops cycles in already-parsed input. */
export const MAX_VALUE_DEPTH = 64;

export type JsonCheck = { ok: true } | { ok: false; path: (string | number)[]; reason: 'not-json' | 'too-deep'; value: unknown };

/** Is `value` something JSON can hold (finite numbers, no undefined, no class instances)? */
export function checkJsonValue(value: unknown, depth = 0): JsonCheck {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { ok: true };
  if (typeof value === 'number') return Number.isFinite(value) ? { ok: true } : { ok: false, path: [], reason: 'not-json', value };
  if (depth >= MAX_VALUE_DEPTH) return { ok: false, path: [], reason: 'too-deep', value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = checkJsonValue(value[i], depth + 1);
      if (!r.ok) return { ...r, path: [i, ...r.path] };
    }
    return { ok: true };
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const r = checkJsonValue(value[key], depth + 1);
      if (!r.ok) return { ...r, path: [key, ...r.path] };
    }
    return { ok: true };
  }
  return { ok: false, path: [], reason: 'not-json', value };
}

/** A deep copy of a JSON value (checked with checkJsonValue first), safe for "__proto__" keys. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) defineOwn(out, key, cloneJson((value as JsonObject)[key]));
    return out as T;
  }
  return value;
}
