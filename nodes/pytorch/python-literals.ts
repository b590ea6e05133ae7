/** Python source literals from TypeScript values, written deterministically. */

/** A Python string literal (JSON's escapes are valid Python escapes). */
export function pyStr(value: string): string {
  return JSON.stringify(value);
}

/** A Python float literal: always with a point or exponent, shortest round-trip digits. */
export function pyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a Python literal`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

export function pyInt(value: number): string {
  if (!Number.isInteger(value)) throw new Error(`expected a whole number, got ${value}`);
  return String(value);
}

export function pyBool(value: boolean): string {
  return value ? 'True' : 'False';
}

export type PyValue = string | number | boolean | null | readonly PyValue[] | { readonly [key: string]: PyValue };

/**
 * Any JSON-like value as a Python literal; numbers keep their kind (whole numbers stay ints).
 * Use `PyFloat` to force a float.
 */
export function py(value: PyValue | PyFloat | PyCode): string {
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (value instanceof PyCode) return value.code;
  if (value === null) return 'None';
  if (typeof value === 'string') return pyStr(value);
  if (typeof value === 'boolean') return pyBool(value);
  if (typeof value === 'number') return Number.isInteger(value) ? pyInt(value) : pyFloat(value);
  if (Array.isArray(value)) return `[${value.map((v) => py(v as PyValue)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, PyValue>);
  return `{${entries.map(([k, v]) => `${pyStr(k)}: ${py(v)}`).join(', ')}}`;
}

/** Marks a number to be written as a float. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export const f = (value: number): PyFloat => new PyFloat(value);

/** Python source written as it is (a variable, a call). */
export class PyCode {
  constructor(readonly code: string) {}
}

export const code = (source: string): PyCode => new PyCode(source);

/** A call `callee(a=…, b=…)` with keyword arguments in the given order. */
export function pyCall(callee: string, args: Record<string, PyValue | PyFloat | PyCode>): string {
  return `${callee}(${Object.entries(args)
    .map(([k, v]) => `${k}=${py(v)}`)
    .join(', ')})`;
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** Keyword arguments of a call from (name, source expression) pairs; Python keywords go through **{…}. */
export function pyKeywordArgs(args: Array<[name: string, expression: string]>): string {
  const plain = args.filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name));
  const other = args.filter((a) => !plain.includes(a));
  const parts = plain.map(([name, expr]) => `${name}=${expr}`);
  if (other.length > 0) parts.push(`**{${other.map(([name, expr]) => `${pyStr(name)}: ${expr}`).join(', ')}}`);
  return parts.join(', ');
}
