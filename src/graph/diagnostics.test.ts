import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, capDiagnostics, error, formatDiagnostic, formatDiagnostics, warning } from './diagnostics.ts';

describe('capDiagnostics', () => {
  it('keeps short lists as they are', () => {
    const list = [warning('w', 'a'), error('e', 'b')];
    expect(capDiagnostics(list, 2)).toEqual(list);
  });

  it('lists errors before warnings, then says how many of each were left out', () => {
    const list = [warning('w', 'w1'), warning('w', 'w2'), error('e', 'e1'), warning('w', 'w3'), error('e', 'e2'), error('e', 'e3')];
    const capped = capDiagnostics(list, 2);
    expect(capped.map((d) => d.message)).toEqual(['e1', 'e2', '… and 4 more not listed (1 error and 3 warnings); only the first 2 are shown']);
    expect(capped[2]).toMatchObject({ severity: 'error', code: 'too-many-diagnostics' });
    expect(capDiagnostics(list, 3).at(-1)).toMatchObject({ severity: 'warning', message: '… and 3 more not listed (3 warnings); only the first 3 are shown' });
  });

  it('formats at most the cap plus one line, however long the list', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => warning('unreachable', `node ${i}`, { pointer: `/nodes/${i}` }));
    expect(formatDiagnostics(many)).toHaveLength(201);
  });
});

describe('error and warning', () => {
  it('cut a message that quotes a huge name, saying how much was left out', () => {
    const d = error('duplicate-id', `duplicate node id '${'x'.repeat(1_000_000)}'`);
    expect(d.message).toHaveLength(MAX_MESSAGE_CHARS + '… (999020 more characters)'.length);
    expect(d.message.endsWith('… (999020 more characters)')).toBe(true);
    expect(warning('w', 'short').message).toBe('short');
  });
});

describe('formatDiagnostic', () => {
  it('cuts names from the file short in the place', () => {
    const line = formatDiagnostic(error('bad-param', 'x', { node: 'n'.repeat(100_000), param: 'p'.repeat(100_000), pointer: `/nodes/0/params/${'p'.repeat(100_000)}` }));
    expect(line.length).toBeLessThan(500);
  });
});
