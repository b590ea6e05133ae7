import { zlibSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { writePng } from './png.ts';
import { MAX_TEXT_BYTES, MAX_TEXT_CHUNK_BYTES, PngTextError, readTextChunk, withTextChunk } from './png-text.ts';

const image = () => writePng({ width: 3, height: 2, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) });

/** The offset of the first chunk of `type`. */
function chunkAt(png: Uint8Array, type: string): number {
  const view = new DataView(png.buffer, png.byteOffset);
  for (let at = 8; at < png.length; at += 12 + view.getUint32(at)) {
    if (String.fromCharCode(...png.subarray(at + 4, at + 8)) === type) return at;
  }
  throw new Error(`no ${type}`);
}

/** A raw chunk with a correct CRC. */
function rawChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(Uint8Array.from(type, (c) => c.charCodeAt(0)), 4);
  out.set(data, 8);
  new DataView(out.buffer).setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** `png` with `extra` inserted right after IHDR. */
function insertAfterHeader(png: Uint8Array, extra: Uint8Array): Uint8Array {
  const at = 8 + 25;
  const out = new Uint8Array(png.length + extra.length);
  out.set(png.subarray(0, at));
  out.set(extra, at);
  out.set(png.subarray(at), at + extra.length);
  return out;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('PNG text chunks', () => {
  it('round-trips UTF-8 text through an iTXt chunk, and the image still decodes the same', () => {
    const text = JSON.stringify({ name: 'Graphe 図 ✓', nodes: Array.from({ length: 200 }, (_, i) => `n${i}`) });
    const png = withTextChunk(image(), 'lggan-graph', text);
    expect(readTextChunk(png, 'lggan-graph')).toEqual({ text, chunk: 'iTXt chunk \'lggan-graph\' at offset 33' });
    const decoded = PNG.sync.read(Buffer.from(png));
    expect([...decoded.data.subarray(0, 4)]).toEqual([0, 13, 26, 255]);
    expect(decoded.width).toBe(3);
  });

  it('keeps one chunk per keyword when written twice, and leaves other keywords alone', () => {
    let png = withTextChunk(image(), 'other', 'keep me');
    png = withTextChunk(withTextChunk(png, 'lggan-graph', 'first'), 'lggan-graph', 'second');
    expect(readTextChunk(png, 'lggan-graph')?.text).toBe('second');
    expect(readTextChunk(png, 'other')?.text).toBe('keep me');
    expect(Buffer.from(png).toString('latin1').split('lggan-graph').length).toBe(2);
  });

  it('reads tEXt and zTXt chunks as other writers store them', () => {
    const t = insertAfterHeader(image(), rawChunk('tEXt', latin1('workflow\0{"a":1}')));
    expect(readTextChunk(t, 'workflow')?.text).toBe('{"a":1}');
    const z = insertAfterHeader(image(), rawChunk('zTXt', new Uint8Array([...latin1('prompt\0\0'), ...zlibSync(latin1('{"b":2}'))])));
    expect(readTextChunk(z, 'prompt')?.text).toBe('{"b":2}');
  });

  it('gives undefined for a PNG without the keyword', () => {
    expect(readTextChunk(image(), 'lggan-graph')).toBeUndefined();
    expect(readTextChunk(withTextChunk(image(), 'lggan-graphs', 'x'), 'lggan-graph')).toBeUndefined();
  });

  it('refuses a chunk whose CRC does not match, naming the chunk', () => {
    const png = withTextChunk(image(), 'lggan-graph', 'hello');
    png[chunkAt(png, 'iTXt') + 20] ^= 0xff;
    expect(() => readTextChunk(png, 'lggan-graph')).toThrow(/iTXt chunk 'lggan-graph' at offset 33 fails its CRC check/);
  });

  it('refuses a file cut before the end of its text chunk, at every byte, never reading past the end', () => {
    const png = withTextChunk(image(), 'lggan-graph', 'hello '.repeat(50));
    const textEnd = chunkAt(png, 'iTXt') + 12 + new DataView(png.buffer).getUint32(chunkAt(png, 'iTXt'));
    for (let cut = 0; cut < textEnd; cut++) {
      expect(() => readTextChunk(png.subarray(0, cut), 'lggan-graph'), `cut at ${cut}`).toThrow(PngTextError);
    }
    // The text chunk comes first, so a file cut later in its pixels still gives its (CRC-checked) text.
    expect(readTextChunk(png.subarray(0, textEnd + 5), 'lggan-graph')?.text).toBe('hello '.repeat(50));
    expect(() => readTextChunk(image().subarray(0, image().length - 12), 'lggan-graph')).toThrow(/ends without an IEND chunk/);
  });

  it('checks a declared length against the file before slicing anything', () => {
    const png = withTextChunk(image(), 'lggan-graph', 'hello');
    new DataView(png.buffer).setUint32(chunkAt(png, 'iTXt'), 0x7ffffff0);
    expect(() => readTextChunk(png, 'lggan-graph')).toThrow(/declares 2147483632 bytes but the file ends \d+ bytes later/);
    new DataView(png.buffer).setUint32(chunkAt(png, 'IHDR'), 0xffffffff);
    expect(() => readTextChunk(png, 'lggan-graph')).toThrow(/more than PNG allows/);
  });

  it('refuses an oversized chunk and a text that decompresses past the cap', () => {
    const big = insertAfterHeader(image(), rawChunk('tEXt', new Uint8Array(MAX_TEXT_CHUNK_BYTES + 10).fill(0x61).fill(0, 1, 2)));
    expect(() => readTextChunk(big, 'a')).toThrow(/holds 16777226 bytes, more than the 16777216 read/);
    // A zip bomb: ~33 KB of zlib that would inflate to 33 MiB of spaces.
    const bomb = zlibSync(new Uint8Array(MAX_TEXT_BYTES + 1024).fill(0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    const png = insertAfterHeader(image(), rawChunk('zTXt', new Uint8Array([...latin1('bomb\0\0'), ...bomb])));
    expect(() => readTextChunk(png, 'bomb')).toThrow(/zTXt chunk 'bomb' at offset 33: the text decompresses to more than 33554432 bytes/);
  });

  it('refuses damaged compressed text, bad flags and text that is not UTF-8', () => {
    const damaged = insertAfterHeader(image(), rawChunk('iTXt', new Uint8Array([...latin1('k\0\x01\0\0\0'), 0x78, 0x9c, 0xff, 0xff, 0xff])));
    expect(() => readTextChunk(damaged, 'k')).toThrow(/the compressed text is (damaged|truncated)/);
    const flag = insertAfterHeader(image(), rawChunk('iTXt', latin1('k\0\x07\0\0\0x')));
    expect(() => readTextChunk(flag, 'k')).toThrow(/bad compression flag/);
    const notUtf8 = insertAfterHeader(image(), rawChunk('tEXt', latin1('k\0caf\xe9')));
    expect(() => readTextChunk(notUtf8, 'k')).toThrow(/tEXt chunk 'k' at offset 33: the text is not valid UTF-8/);
  });

  it('refuses what is not a PNG, and keywords PNG does not allow', () => {
    expect(() => readTextChunk(latin1('{"format":"x"}'), 'k')).toThrow(/not a PNG file/);
    expect(() => withTextChunk(image(), '', 'x')).toThrow(RangeError);
    expect(() => withTextChunk(image(), 'x'.repeat(80), 'x')).toThrow(RangeError);
    expect(() => withTextChunk(image(), ' lead', 'x')).toThrow(RangeError);
  });
});
