/**
 * Template expressions in params: "ngf*4", "num_classes + 1", "max(ngf/2, 8)".
 * A tiny recursive-descent evaluator over numbers and template names; no `eval`, nothing else.
 *
 * Expressions come from files and share links, so they are hostile input: names are looked up by
 * own keys only (`constructor`, `hasOwnProperty`, `__proto__` are unknown names like any other),
 * and length, nesting depth and argument count are bounded so that no expression can overflow
 * the stack or take long. Every fault is an ExprError with the offset it was found at.
 */
export class ExprError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ExprError';
  }
}

/** Longest expression accepted (characters); real ones are a few dozen. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Deepest nesting of parentheses, unary minus and function calls together. */
export const MAX_EXPRESSION_DEPTH = 32;
/** Most arguments one function call may take. */
export const MAX_FUNCTION_ARGS = 16;

/** A Map, not an object literal: `FUNCTIONS.get('valueOf')` is undefined, not Object.prototype's. */
const FUNCTIONS: ReadonlyMap<string, (...args: number[]) => number> = new Map([
  ['min', Math.min],
  ['max', Math.max],
  ['floor', Math.floor],
  ['ceil', Math.ceil],
  ['round', Math.round],
]);

type Token = { kind: 'num'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number };

/** Shown in messages: a name from the input, cut short so a hostile one cannot flood the output. */
function shown(name: string): string {
  return name.length <= 40 ? name : `${name.slice(0, 40)}…`;
}

const NUMBER = /(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/iy;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) throw new ExprError(`bad number at ${i}`, i);
      tokens.push({ kind: 'num', value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      NAME.lastIndex = i;
      const m = NAME.exec(src)!;
      tokens.push({ kind: 'name', value: m[0], at: i });
      i += m[0].length;
    } else if ('+-*/(),'.includes(ch)) {
      tokens.push({ kind: 'op', value: ch, at: i });
      i++;
    } else {
      throw new ExprError(`unexpected character '${ch}' at ${i}`, i);
    }
  }
  return tokens;
}

/** Evaluates `src` with the given names; throws ExprError naming the unknown name or the syntax fault. */
export function evaluateExpression(src: string, names: Readonly<Record<string, number>>): number {
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExprError(`expression is ${src.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`, MAX_EXPRESSION_LENGTH);
  }
  const tokens = tokenize(src);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const peekOp = (...ops: string[]) => {
    const t = tokens[pos];
    return t !== undefined && t.kind === 'op' && ops.includes(t.value);
  };
  const take = (op?: string): Token => {
    const t = tokens[pos];
    if (!t) throw new ExprError(`expression ends early${op ? `, expected '${op}'` : ''}`, src.length);
    if (op !== undefined && (t.kind !== 'op' || t.value !== op)) throw new ExprError(`expected '${op}' at ${t.at}`, t.at);
    pos++;
    return t;
  };
  /** Runs one nested construct (parenthesis, unary minus, call) within the depth limit. */
  const nested = <T>(at: number, inner: () => T): T => {
    if (++depth > MAX_EXPRESSION_DEPTH) {
      throw new ExprError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels (parentheses, unary minus and calls) at ${at}`, at);
    }
    const value = inner();
    depth--;
    return value;
  };

  function call(name: Token & { kind: 'name' }): number {
    const fn = FUNCTIONS.get(name.value);
    if (!fn) throw new ExprError(`unknown function '${shown(name.value)}' (known: ${[...FUNCTIONS.keys()].join(', ')})`, name.at);
    take('(');
    const args = [sum()];
    while (peekOp(',')) {
      const comma = take(',');
      if (args.length >= MAX_FUNCTION_ARGS) throw new ExprError(`${name.value}() takes at most ${MAX_FUNCTION_ARGS} arguments (at ${comma.at})`, comma.at);
      args.push(sum());
    }
    take(')');
    return fn(...args);
  }

  function primary(): number {
    const t = take();
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      return nested(t.at, () => {
        const v = sum();
        take(')');
        return v;
      });
    }
    if (t.kind === 'op' && t.value === '-') return nested(t.at, () => -primary());
    if (t.kind === 'name') {
      if (peekOp('(')) return nested(t.at, () => call(t));
      if (!Object.hasOwn(names, t.value)) {
        const known = Object.keys(names).sort().join(', ') || 'nothing';
        throw new ExprError(`unknown name '${shown(t.value)}' (template has: ${known})`, t.at);
      }
      return names[t.value];
    }
    throw new ExprError(`unexpected '${t.value}' at ${t.at}`, t.at);
  }

  function product(): number {
    let v = primary();
    while (peekOp('*', '/')) {
      const op = take().value;
      const rhs = primary();
      v = op === '*' ? v * rhs : v / rhs;
    }
    return v;
  }

  function sum(): number {
    let v = product();
    while (peekOp('+', '-')) {
      const op = take().value;
      const rhs = product();
      v = op === '+' ? v + rhs : v - rhs;
    }
    return v;
  }

  if (tokens.length === 0) throw new ExprError('empty expression', 0);
  const value = sum();
  const rest = peek();
  if (rest) throw new ExprError(`unexpected '${shown(String(rest.value))}' at ${rest.at}`, rest.at);
  return value;
}
