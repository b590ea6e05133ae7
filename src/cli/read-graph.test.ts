/** Diagnostics placed at FILE:LINE:COLUMN, and the line printed from them. */
import { describe, expect, it } from 'vitest';
import { error, warning } from '../graph/diagnostics.ts';
import { formatCliDiagnostic, placeDiagnostics } from './read-graph.ts';

const text = '{\n  "nodes": [\n    {"id": "a"},\n    {"id": "b"}\n  ],\n  "edges": [\n    {"from": 1},\n    {"from": 2}\n  ]\n}';

describe('placeDiagnostics', () => {
  it('places by pointer, else by the node id or edge index the diagnostic names; keeps a line it has', () => {
    const placed = placeDiagnostics(
      [
        error('bad-param', 'm', { node: 'b', param: 'k', pointer: '/nodes/1/params/k' }),
        error('compile', 'm', { node: 'b' }),
        warning('w', 'm', { edge: 1 }),
        error('json-syntax', 'm', { line: 9, column: 4 }),
        error('x', 'm', { node: 'nowhere' }),
        warning('too-many-diagnostics', 'm'),
      ],
      'g.json',
      text,
    );
    expect(placed.map((d) => [d.where.file, d.where.line, d.where.column])).toEqual([
      ['g.json', 4, 5], // /nodes/1/params/k is not written: its node
      ['g.json', 4, 5],
      ['g.json', 8, 5],
      ['g.json', 9, 4],
      ['g.json', undefined, undefined],
      ['g.json', undefined, undefined],
    ]);
    expect(placeDiagnostics([error('compile', 'm', { node: 'a' })], 'g.json', 'not json')[0].where.line).toBeUndefined();
  });

  it('prints FILE:LINE:COLUMN: severity: [code] place: message, as compilers do', () => {
    const [d] = placeDiagnostics([error('bad-param', 'kernel expects 1…15', { node: 'b', param: 'k', pointer: '/nodes/1/params/k' })], 'g.json', text);
    expect(formatCliDiagnostic(d)).toBe("g.json:4:5: error: [bad-param] node 'b' param 'k' (/nodes/1/params/k): kernel expects 1…15");
    expect(formatCliDiagnostic(warning('w', 'm', { file: 'g.json' }))).toBe('g.json: warning: [w] m');
    expect(formatCliDiagnostic(warning('w', 'm'))).toBe('warning: [w] m');
  });
});
