import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Hex } from './sha256.ts';
import { Gen } from './test-fixtures.test-util.ts';

const nodeSha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('returns 32 bytes', () => {
    expect(sha256('abc')).toHaveLength(32);
  });

  it('agrees with node:crypto on every length around the block boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(sha256Hex(bytes), `length ${n}`).toBe(nodeSha(bytes));
    }
  });

  it('agrees with node:crypto on random strings (hashed as UTF-8)', () => {
    const g = new Gen(12345);
    for (let i = 0; i < 300; i++) {
      const s = g.text(300);
      expect(sha256Hex(s)).toBe(nodeSha(s));
    }
  });
});
