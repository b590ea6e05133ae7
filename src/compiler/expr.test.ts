import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExprError, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, MAX_FUNCTION_ARGS } from './expr.ts';

const names = { ngf: 64, num_classes: 35, width: 512 };

describe('template expressions', () => {
  it('evaluates arithmetic with precedence, parentheses, unary minus and functions', () => {
    expect(evaluateExpression('ngf*16', names)).toBe(1024);
    expect(evaluateExpression('num_classes + 1', names)).toBe(36);
    expect(evaluateExpression('width / 2 / 2 - 1', names)).toBe(127);
    expect(evaluateExpression('(ngf + 64) * 2', names)).toBe(256);
    expect(evaluateExpression('-ngf + 65', names)).toBe(1);
    expect(evaluateExpression('max(ngf/16, 8)', names)).toBe(8);
    expect(evaluateExpression('floor(num_classes/2)', names)).toBe(17);
    expect(evaluateExpression('2.5e1', names)).toBe(25);
  });

  it('names the unknown name and lists what the template has', () => {
    expect(() => evaluateExpression('ndf*2', names)).toThrow(/unknown name 'ndf' \(template has: ngf, num_classes, width\)/);
  });

  it('reports syntax faults with their offset', () => {
    for (const [src, pattern] of [
      ['ngf*', /ends early/],
      ['ngf ** 2', /unexpected '\*' at 5/],
      ['(ngf', /expected '\)'/],
      ['ngf $ 2', /unexpected character '\$' at 4/],
      ['', /empty expression/],
      ['sqrt(4)', /unknown function 'sqrt'/],
      ['ngf 2', /unexpected '2' at 4/],
    ] as const) {
      expect(() => evaluateExpression(src, names), src).toThrow(ExprError);
      expect(() => evaluateExpression(src, names), src).toThrow(pattern);
    }
  });

  /** The ExprError `src` throws (the test fails on any other outcome, e.g. a TypeError). */
  function fault(src: string, scope: Record<string, number> = names): ExprError {
    try {
      evaluateExpression(src, scope);
    } catch (e) {
      expect(e, src.slice(0, 60)).toBeInstanceOf(ExprError);
      return e as ExprError;
    }
    throw new Error(`"${src.slice(0, 60)}" evaluated without error`);
  }

  it("treats Object.prototype's members as unknown functions and names", () => {
    const members = ['hasOwnProperty', 'valueOf', 'toLocaleString', 'toString', 'constructor', '__proto__', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__'];
    for (const member of members) {
      const call = fault(`${member}(1)`);
      expect(call.message).toBe(`unknown function '${member}' (known: min, max, floor, ceil, round)`);
      expect(call.offset).toBe(0);
      const name = fault(`1 + ${member}`);
      expect(name.message).toBe(`unknown name '${member}' (template has: ngf, num_classes, width)`);
      expect(name.offset).toBe(4);
    }
    // Also when the template object itself came from JSON with a "__proto__" key of its own.
    const parsed = JSON.parse('{"__proto__": 3, "ngf": 2}') as Record<string, number>;
    expect(evaluateExpression('__proto__ * ngf', parsed)).toBe(6);
    expect(fault('constructor', parsed).message).toMatch(/^unknown name 'constructor'/);
  });

  it('refuses deep nesting with a located error instead of overflowing the stack', () => {
    for (const [open, close] of [['(', ')'], ['-', ''], ['max(', ')'], ['-(', ')']]) {
      const deep = `${open.repeat(100)}1${close.repeat(100)}`;
      const e = fault(deep);
      expect(e.message).toMatch(new RegExp(`nests deeper than ${MAX_EXPRESSION_DEPTH} levels`));
      expect(e.offset).toBeGreaterThan(0);
    }
    // At the limit it still evaluates.
    expect(evaluateExpression(`${'('.repeat(MAX_EXPRESSION_DEPTH)}ngf${')'.repeat(MAX_EXPRESSION_DEPTH)}`, names)).toBe(64);
    expect(evaluateExpression(`${'-'.repeat(MAX_EXPRESSION_DEPTH)}1`, names)).toBe(1);
  });

  it('limits the length and the argument count, at the offset of the fault', () => {
    const long = fault(`1${'+1'.repeat(MAX_EXPRESSION_LENGTH)}`);
    expect(long.message).toBe(`expression is ${2 * MAX_EXPRESSION_LENGTH + 1} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`);
    expect(fault('(1'.repeat(200_000)).message).toMatch(/characters long/);
    const args = fault(`max(${Array(MAX_FUNCTION_ARGS + 1).fill('1').join(',')})`);
    expect(args.message).toBe(`max() takes at most ${MAX_FUNCTION_ARGS} arguments (at ${4 + 2 * MAX_FUNCTION_ARGS - 1})`);
    expect(evaluateExpression(`max(${Array.from({ length: MAX_FUNCTION_ARGS }, (_, i) => i).join(',')})`, names)).toBe(MAX_FUNCTION_ARGS - 1);
  });

  it('cuts a hostile name short in its message', () => {
    const e = fault(`${'x'.repeat(500)} + 1`);
    expect(e.message.length).toBeLessThan(200);
  });
});
