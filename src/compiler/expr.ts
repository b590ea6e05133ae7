/**
 * Template expressions in params: "ngf*4", "num_classes + 1", "max(ngf/2, 8)".
 * A tiny recursive-descent evaluator over numbers and template names; no `eval`, nothing else.
 */
export class ExprError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ExprError';
  }
}

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
};

type Token = { kind: 'num'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch)) {
      const m = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i));
      if (!m) throw new ExprError(`bad number at ${i}`, i);
      tokens.push({ kind: 'num', value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
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
export function evaluateExpression(src: string, names: Record<string, number>): number {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (op?: string): Token => {
    const t = tokens[pos];
    if (!t) throw new ExprError(`expression ends early${op ? `, expected '${op}'` : ''}`, src.length);
    if (op !== undefined && (t.kind !== 'op' || t.value !== op)) throw new ExprError(`expected '${op}' at ${t.at}`, t.at);
    pos++;
    return t;
  };

  function primary(): number {
    const t = take();
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = sum();
      take(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '-') return -primary();
    if (t.kind === 'name') {
      const next = peek();
      if (next?.kind === 'op' && next.value === '(') {
        const fn = FUNCTIONS[t.value];
        if (!fn) throw new ExprError(`unknown function '${t.value}' (known: ${Object.keys(FUNCTIONS).join(', ')})`, t.at);
        take('(');
        const args = [sum()];
        while (peek()?.kind === 'op' && peek()!.value === ',') {
          take(',');
          args.push(sum());
        }
        take(')');
        return fn(...args);
      }
      if (!(t.value in names)) {
        throw new ExprError(`unknown name '${t.value}' (template has: ${Object.keys(names).sort().join(', ') || 'nothing'})`, t.at);
      }
      return names[t.value];
    }
    throw new ExprError(`unexpected '${t.value}' at ${t.at}`, t.at);
  }

  function product(): number {
    let v = primary();
    while (peek()?.kind === 'op' && (peek()!.value === '*' || peek()!.value === '/')) {
      const op = take().value;
      const rhs = primary();
      v = op === '*' ? v * rhs : v / rhs;
    }
    return v;
  }

  function sum(): number {
    let v = product();
    while (peek()?.kind === 'op' && (peek()!.value === '+' || peek()!.value === '-')) {
      const op = take().value;
      const rhs = product();
      v = op === '+' ? v + rhs : v - rhs;
    }
    return v;
  }

  if (tokens.length === 0) throw new ExprError('empty expression', 0);
  const value = sum();
  if (pos < tokens.length) throw new ExprError(`unexpected '${tokens[pos].value}' at ${tokens[pos].at}`, tokens[pos].at);
  return value;
}
