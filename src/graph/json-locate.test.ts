import { describe, expect, it } from 'vitest';
import { locatePointer, locatePointers, pointerSegment } from './json-locate.ts';

/** The 1-based line and column of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let k = 0; k <= nth; k++) offset = text.indexOf(needle, offset + 1);
  if (offset < 0) throw new Error(`'${needle}' not in the text`);
  const before = text.slice(0, offset).split(/\r\n|\n|\r/);
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('locatePointers', () => {
  const text = [
    '{',
    '  "format": "x",',
    '  "nodes": [',
    '    { "id": "a", "params": { "kernel": 3 } },',
    '    {',
    '      "id": "b]}\\"{[",',
    '      "params": {"kernel": 99, "pad": [1, [2, 3], {"x": "}"}]}',
    '    }',
    '  ]',
    '}',
  ].join('\n');

  it('places members at their key and array elements at their value, past strings full of brackets', () => {
    const places = locatePointers(text, ['', '/format', '/nodes', '/nodes/0', '/nodes/1', '/nodes/1/params/kernel', '/nodes/1/params/pad/2/x', '/nodes/1/params/pad/1/1']);
    expect(places.get('')).toEqual({ line: 1, column: 1 });
    expect(places.get('/format')).toEqual(at(text, '"format"'));
    expect(places.get('/nodes')).toEqual(at(text, '"nodes"'));
    expect(places.get('/nodes/0')).toEqual({ line: 4, column: 5 });
    expect(places.get('/nodes/1')).toEqual({ line: 5, column: 5 });
    expect(places.get('/nodes/1/params/kernel')).toEqual(at(text, '"kernel"', 1));
    expect(places.get('/nodes/1/params/pad/2/x')).toEqual(at(text, '"x": "}"'));
    expect(places.get('/nodes/1/params/pad/1/1')).toEqual(at(text, '3]'));
  });

  it('matches keys by their decoded value, with RFC 6901 escapes for "/" and "~"', () => {
    const json = '{"a\\"b": 1, "\\u0041": 2, "x/y": {"m~n": 3}, "\\n": 4}';
    expect(locatePointer(json, '/a"b')).toEqual({ line: 1, column: 2 });
    expect(locatePointer(json, '/A')).toEqual(at(json, '"\\u0041"'));
    expect(pointerSegment('x/y')).toBe('x~1y');
    expect(pointerSegment('m~n')).toBe('m~0n');
    expect(locatePointer(json, '/x~1y/m~0n')).toEqual(at(json, '"m~n"'));
    expect(locatePointer(json, '/\n')).toEqual(at(json, '"\\n"'));
  });

  it('counts CRLF and CR as one line end, skips a BOM, and counts columns in UTF-16 units', () => {
    const crlf = '\uFEFF{\r\n  "é😀": 1,\r\n  "b": 2\r}';
    expect(locatePointer(crlf, '/b')).toEqual({ line: 3, column: 3 });
    const wide = '{"😀": "😀", "k": 1}';
    expect(locatePointer(wide, '/k')).toEqual({ line: 1, column: wide.indexOf('"k"') + 1 });
  });

  it('places a repeated key at its last occurrence, the one JSON.parse keeps', () => {
    const dup = '{"k": 1,\n "k": 2}';
    expect(locatePointer(dup, '/k')).toEqual({ line: 2, column: 2 });
  });

  it('falls back to the nearest written ancestor for a value left out', () => {
    expect(locatePointer(text, '/nodes/0/params/stride')).toEqual(at(text, '"params"'));
    expect(locatePointer(text, '/nodes/7/id')).toEqual(at(text, '"nodes"'));
    expect(locatePointers(text, ['not-a-pointer']).size).toBe(0);
  });

  it('never throws on hostile text: malformed, truncated, deep or huge', () => {
    // Malformed after the place: what was found before the fault is kept.
    expect(locatePointer('{"a": 1, "b": [1, 2,, }', '/a')).toEqual({ line: 1, column: 2 });
    expect(locatePointer('{"a": {"b": "unterminated', '/a/b')).toEqual({ line: 1, column: 8 });
    expect(locatePointer('{"a": {"b" "x"}}', '/a/c')).toEqual({ line: 1, column: 2 });
    expect(locatePointer('{"a": }}}]]', '/a/b')).toEqual({ line: 1, column: 2 });
    expect(locatePointer('', '/a')).toEqual({ line: 1, column: 1 });
    expect(locatePointer('{"a" 1}', '/a')).toEqual({ line: 1, column: 1 });
    // A million nested arrays beside the wanted member: skipped flat, no recursion.
    const deep = `{"deep": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}, "k": 1}`;
    expect(locatePointer(deep, '/k')).toEqual({ line: 1, column: deep.indexOf('"k"') + 1 });
    // A wanted pointer deeper than maxDepth: tracking stops, the deepest tracked ancestor is given.
    const nested = `${'['.repeat(10)}1${']'.repeat(10)}`;
    expect(locatePointers(nested, ['/0/0/0/0/0/0/0/0/0/0'], { maxChars: 1000, maxDepth: 3 }).get('/0/0/0/0/0/0/0/0/0/0')).toEqual({ line: 1, column: 4 });
    // Past maxChars nothing is read.
    expect(locatePointers('{"a": 1}', ['/a'], { maxChars: 4, maxDepth: 8 }).size).toBe(0);
  });
});
