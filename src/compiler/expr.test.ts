import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExprError } from './expr.ts';

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
});
