import { describe, expect, it } from 'vitest';
import { formatBytes } from './byte-size.ts';

describe('formatBytes', () => {
  it('picks the largest unit the count reaches, with one decimal', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 ** 20)).toBe('1.0 MiB');
    expect(formatBytes(445.8 * 2 ** 20)).toBe('445.8 MiB');
    expect(formatBytes(4 * 2 ** 30)).toBe('4.0 GiB');
  });

  it('drops a ".0" when asked, for limits and totals shown in the app', () => {
    expect(formatBytes(20 * 2 ** 20, { dropZeroDecimal: true })).toBe('20 MiB');
    expect(formatBytes(1536, { dropZeroDecimal: true })).toBe('1.5 KiB');
  });

  it('writes a dash for a count that is not a number', () => {
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });
});
