import { Deflate, deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { InflateLimitError, inflateBounded } from './bounded-inflate.ts';
import { checkedShareUrl, decodeShareHash, encodeShareHash, MAX_SHARE_GRAPH_BYTES, MAX_SHARE_HASH_CHARS, SHARE_PREFIX, toBase64Url } from './share-link.ts';

/** A deflate stream of `mebibytes` MiB of spaces, built 1 MiB at a time (the bomb is never whole in memory). */
function deflateBomb(mebibytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const deflater = new Deflate({ level: 9 }, (chunk) => parts.push(chunk));
  const block = new Uint8Array(1 << 20).fill(0x20);
  for (let i = 0; i < mebibytes; i++) deflater.push(block, i === mebibytes - 1);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

describe('bounded inflate', () => {
  it('inflates what fits, byte for byte, across many pieces', () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    const compressed = deflateSync(data);
    expect(compressed.length).toBeGreaterThan(1024); // more than one piece
    expect(inflateBounded(compressed, data.length)).toEqual(data);
  });

  it('stops a bomb early: the error names the limit and how far into the input it got', () => {
    const bomb = deflateBomb(64);
    expect(bomb.length).toBeLessThan(128 * 1024);
    let caught: unknown;
    try {
      inflateBounded(bomb, 1 << 20);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InflateLimitError);
    const message = (caught as Error).message;
    expect(message).toMatch(/more than 1 MiB \(stopped at compressed byte \d+\)/);
    // It stopped within the first few pieces, not after inflating all 64 MiB.
    expect(Number(/byte (\d+)/.exec(message)![1])).toBeLessThan(bomb.length / 8);
  });

  it('damaged data still throws the inflater error', () => {
    expect(() => inflateBounded(strToU8('not deflate data at all'), 1 << 20)).toThrow();
    expect(() => inflateBounded(deflateSync(strToU8('x'.repeat(5000))).subarray(0, 10), 1 << 20)).toThrow(/unexpected EOF/);
  });
});

describe('share link limits', () => {
  const registry = createRegistry();

  it('a link that inflates past the limit is refused with a clear message and opens nothing', () => {
    const hash = SHARE_PREFIX + toBase64Url(deflateBomb(MAX_SHARE_GRAPH_BYTES / (1 << 20) + 1));
    expect(hash.length).toBeLessThan(MAX_SHARE_HASH_CHARS);
    const r = decodeShareHash(hash, registry);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]).toMatchObject({ code: 'bad-link', where: { file: 'share link' } });
    expect(r.diagnostics[0].message).toMatch(/share link was not opened: its graph is too large: it inflates to more than 20 MiB/);
  });

  it('a link longer than the limit is refused before decoding', () => {
    const r = decodeShareHash(SHARE_PREFIX + 'A'.repeat(MAX_SHARE_HASH_CHARS), registry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0].message).toMatch(/the link is 1,048,583 characters long; links up to 1,048,576 are read/);
  });

  it('no link is made that the app would refuse to open', async () => {
    const { loadGraphValue } = await import('../../graph/load.ts');
    const pix2pix = (await import('../../../graphs/tiny-pix2pix.json')).default;
    const loaded = loadGraphValue(pix2pix, { registry });
    if (!loaded.ok) throw new Error('pix2pix did not load');
    const doc = loaded.doc;
    expect(checkedShareUrl('http://h/#old', doc)).toEqual({ ok: true, url: 'http://h/' + encodeShareHash(doc) });
    const tooLong = checkedShareUrl('http://h/', doc, { graphBytes: MAX_SHARE_GRAPH_BYTES, hashChars: 100 });
    expect(tooLong.ok === false && tooLong.message).toMatch(/its link would be [\d,]+ characters; links up to 100 are opened: save it to a file instead/);
    const tooBig = checkedShareUrl('http://h/', doc, { graphBytes: 1000, hashChars: MAX_SHARE_HASH_CHARS });
    expect(tooBig.ok === false && tooBig.message).toMatch(/the graph is [\d,]+ bytes of JSON; a share link carries at most 1,000/);
  });
});
