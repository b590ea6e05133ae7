/**
 * A seeded source of hostile values for the fuzz corpus: the same seed always gives the same cases,
 * so a failing case is reproduced from its seed alone.
 */
import { uniformStream } from '../rng.ts';

/** Keys that mean something to Object.prototype (or used to): each must be an ordinary name to us. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'toLocaleString', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable'];

export class Random {
  private readonly uniform: () => number;

  constructor(seed: number) {
    this.uniform = uniformStream(seed);
  }

  next(): number {
    return this.uniform();
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.uniform() * items.length)];
  }

  /** A length from a heavy-tailed spread: mostly short, sometimes up to `max`. */
  length(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.uniform() * Math.log(max + 1))));
  }

  /** Numbers at the edges: zero signs, limits of doubles and integers, fractions, huge exponents. */
  extremeNumber(): number {
    return this.pick([0, -0, 1, -1, 2, 0.5, -7.25, 1e308, -1e308, 1.7976931348623157e308, 5e-324, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e-7, 123456789012345680000, 4096, 65536]);
  }

  /** Strings that test the boundaries: prototype names, markup, control and lone surrogate characters, pointer syntax. */
  nastyString(): string {
    return this.pick([
      ...PROTOTYPE_NAMES,
      '',
      ' ',
      'a/b',
      '~0~1/',
      '<img src=x onerror=alert(1)>',
      '"; background:url(http://x)',
      '\u0000',
      '\ud800',
      'é✓𝄞',
      'ngf*4',
      'num_classes + 1',
      '1e999',
      '-0',
      'NaN',
      'core/conv2d',
      'lggan/classification',
      '../../etc/passwd',
    ]);
  }

  /** A long string of `n` characters from a small alphabet (ids, keys and expressions stay plausible). */
  longString(n: number): string {
    const unit = this.pick(['a', 'x1_', 'ngf*', '(', '-', 'é', '/']);
    return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  }

  /** Any JSON scalar or empty container, weighted toward the surprising. */
  scalar(): unknown {
    switch (this.int(0, 6)) {
      case 0:
        return this.extremeNumber();
      case 1:
        return this.nastyString();
      case 2:
        return this.pick([true, false, null]);
      case 3:
        return this.pick([[], {}, [1, 2], { x: 1 }]);
      case 4:
        return this.int(-5, 300);
      case 5:
        return this.expression();
      default:
        return this.longString(this.length(5000));
    }
  }

  /**
   * A template expression: mostly well-formed over the usual names, sometimes with prototype names,
   * unknown functions, deep nesting, long argument lists or junk characters.
   */
  expression(): string {
    const names = ['ngf', 'ndf', 'num_classes', 'height', 'width', 'batch', ...PROTOTYPE_NAMES.slice(0, 6), 'x'];
    const functions = ['min', 'max', 'floor', 'ceil', 'round', 'sqrt', ...PROTOTYPE_NAMES.slice(0, 7)];
    switch (this.int(0, 9)) {
      case 0:
        return `${'('.repeat(this.length(20_000))}1${')'.repeat(this.length(20_000))}`;
      case 1:
        return `${'-'.repeat(this.length(20_000))}ngf`;
      case 2:
        return `max(${Array(this.length(20_000)).fill('1').join(',')})`;
      case 3: {
        const alphabet = ' 0123456789.e+-*/(),ngf_$@#[]{}"\'\\\u0000';
        return Array.from({ length: this.length(60) }, () => this.pick(alphabet.split(''))).join('');
      }
      case 4:
        return `${this.pick(functions)}(${this.int(0, 9)})`;
      default: {
        const build = (depth: number): string => {
          if (depth <= 0 || this.chance(0.3)) return this.chance(0.5) ? this.pick(names) : String(this.pick([0, 1, 2, 4, 0.5, 1e3, 2.5e1, 64]));
          switch (this.int(0, 3)) {
            case 0:
              return `${build(depth - 1)} ${this.pick(['+', '-', '*', '/'])} ${build(depth - 1)}`;
            case 1:
              return `(${build(depth - 1)})`;
            case 2:
              return `-${build(depth - 1)}`;
            default:
              return `${this.pick(functions)}(${Array.from({ length: this.int(1, 3) }, () => build(depth - 1)).join(', ')})`;
          }
        };
        return build(this.int(1, 5));
      }
    }
  }
}
