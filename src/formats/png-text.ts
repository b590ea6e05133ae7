/**
 * Text chunks in PNG files: write one iTXt chunk (UTF-8, zlib-compressed) into an existing PNG,
 * and find the text stored under a keyword (iTXt, zTXt or tEXt) in a PNG from anywhere.
 *
 * Reading treats the bytes as hostile: every chunk's length is checked against what is left
 * before anything is sliced, the wanted chunk's CRC is checked, the compressed and decompressed
 * sizes are capped (decompression goes in small steps, so a zip bomb stops at the cap), and text
 * is decoded as strict UTF-8. Problems throw PngTextError saying which chunk and where.
 */
import { zlibSync } from 'fflate';
import { inflateWithin } from './bounded-inflate.ts';
import { concatBytes } from './bytes.ts';
import { crc32 } from './crc32.ts';
import { PNG_SIGNATURE, pngChunk } from './png.ts';

/** The largest text chunk read (its data as stored, compressed or not). */
export const MAX_TEXT_CHUNK_BYTES = 16 * 1024 * 1024;
/** The largest text a chunk may decompress to. */
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;
/** The PNG limit on a chunk's length (2^31 − 1). */
const MAX_CHUNK_LENGTH = 0x7fffffff;

export class PngTextError extends Error {
  override name = 'PngTextError';
}

const TEXT_TYPES = ['iTXt', 'zTXt', 'tEXt'] as const;

const typeName = (bytes: Uint8Array, at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);

/** A PNG keyword: 1–79 printable Latin-1 characters, no leading, trailing or double spaces. */
function checkKeyword(keyword: string): void {
  if (!/^[\x21-\x7e\xa1-\xff](?:[\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/.test(keyword) || keyword.includes('  ')) {
    throw new RangeError(`'${keyword.slice(0, 90)}' is not a PNG text keyword (1–79 printable Latin-1 characters)`);
  }
}

/** Where each chunk of a PNG is; checks the signature and that every chunk fits in the file. */
function* chunks(png: Uint8Array): Generator<{ type: string; start: number; length: number }> {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new PngTextError('not a PNG file (the 8-byte PNG signature is missing)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  while (at < png.length) {
    if (png.length - at < 12) throw new PngTextError(`the file is truncated: ${png.length - at} bytes at offset ${at} cannot hold a chunk (12 bytes at least)`);
    const length = view.getUint32(at);
    const type = typeName(png, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngTextError(`bad chunk type at offset ${at + 4} (not four letters): the file is damaged`);
    if (length > MAX_CHUNK_LENGTH) throw new PngTextError(`chunk '${type}' at offset ${at} declares ${length} bytes, more than PNG allows (2^31 − 1)`);
    if (length > png.length - at - 12) throw new PngTextError(`chunk '${type}' at offset ${at} declares ${length} bytes but the file ends ${png.length - at - 12} bytes later: the file is truncated`);
    yield { type, start: at, length };
    if (type === 'IEND') return;
    at += 12 + length;
  }
  throw new PngTextError('the file is truncated: it ends without an IEND chunk');
}

/**
 * The PNG with an iTXt chunk `keyword` holding `text` (UTF-8, zlib-compressed) right after IHDR;
 * earlier text chunks with the same keyword are dropped, so writing twice keeps one.
 */
export function withTextChunk(png: Uint8Array, keyword: string, text: string): Uint8Array {
  checkKeyword(keyword);
  const kw = Uint8Array.from(keyword, (c) => c.charCodeAt(0));
  const body = zlibSync(new TextEncoder().encode(text), { level: 9 });
  // keyword \0, compression flag 1, method 0 (zlib), empty language tag \0, empty translated keyword \0, text
  const data = new Uint8Array(kw.length + 5 + body.length);
  data.set(kw, 0);
  data.set([0, 1, 0, 0, 0], kw.length);
  data.set(body, kw.length + 5);
  const added = pngChunk('iTXt', data);

  const parts: Uint8Array[] = [png.subarray(0, 8)];
  let header = false;
  for (const c of chunks(png)) {
    const whole = png.subarray(c.start, c.start + 12 + c.length);
    const same = (TEXT_TYPES as readonly string[]).includes(c.type) && keywordOf(png.subarray(c.start + 8, c.start + 8 + c.length)) === keyword;
    if (!same) parts.push(whole);
    if (c.type === 'IHDR' && !header) {
      parts.push(added);
      header = true;
    }
  }
  if (!header) throw new PngTextError('the PNG has no IHDR chunk');
  return concatBytes(parts);
}

/** The Latin-1 keyword that starts a text chunk's data (undefined when it has no terminator in 80 bytes). */
function keywordOf(data: Uint8Array): string | undefined {
  const end = data.subarray(0, 80).indexOf(0);
  return end < 1 ? undefined : String.fromCharCode(...data.subarray(0, end));
}

export interface FoundText {
  text: string;
  /** The chunk it came from and its offset in the file, for messages. */
  chunk: string;
}

/**
 * The text stored under `keyword` (the first such chunk), or undefined when no text chunk has it.
 * Throws PngTextError when the file is not a PNG, is damaged or truncated, or the chunk is bad.
 */
export function readTextChunk(png: Uint8Array, keyword: string): FoundText | undefined {
  checkKeyword(keyword);
  for (const c of chunks(png)) {
    if (!(TEXT_TYPES as readonly string[]).includes(c.type)) continue;
    const data = png.subarray(c.start + 8, c.start + 8 + c.length);
    if (keywordOf(data) !== keyword) continue;
    const where = `${c.type} chunk '${keyword}' at offset ${c.start}`;
    if (c.length > MAX_TEXT_CHUNK_BYTES) throw new PngTextError(`${where} holds ${c.length} bytes, more than the ${MAX_TEXT_CHUNK_BYTES} read`);
    const stored = new DataView(png.buffer, png.byteOffset).getUint32(c.start + 8 + c.length);
    if (crc32(png.subarray(c.start + 4, c.start + 8 + c.length)) !== stored) throw new PngTextError(`${where} fails its CRC check: the file is damaged`);
    return { text: decodeText(c.type, data.subarray(keyword.length + 1), where), chunk: where };
  }
  return undefined;
}

/** The text of a chunk's data after its keyword and \0. */
function decodeText(type: string, rest: Uint8Array, where: string): string {
  let compressed = false;
  let body = rest;
  if (type === 'zTXt') {
    if (rest.length < 1 || rest[0] !== 0) throw new PngTextError(`${where}: unknown compression method`);
    compressed = true;
    body = rest.subarray(1);
  } else if (type === 'iTXt') {
    if (rest.length < 2 || rest[0] > 1 || rest[1] !== 0) throw new PngTextError(`${where}: bad compression flag or method`);
    compressed = rest[0] === 1;
    // language tag \0 translated keyword \0, then the text
    const lang = rest.indexOf(0, 2);
    const translated = lang < 0 ? -1 : rest.indexOf(0, lang + 1);
    if (translated < 0) throw new PngTextError(`${where}: the language tag or translated keyword is not terminated`);
    body = rest.subarray(translated + 1);
  }
  const bytes = compressed ? inflateCapped(body, where) : body;
  if (bytes.length > MAX_TEXT_BYTES) throw new PngTextError(`${where}: the text is longer than ${MAX_TEXT_BYTES} bytes`);
  try {
    // tEXt is Latin-1 by the standard, but writers (ComfyUI among them) put UTF-8 there; strict UTF-8 reads both when ASCII.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PngTextError(`${where}: the text is not valid UTF-8`);
  }
}

/** zlib data → bytes, stopping with an error as soon as the output passes MAX_TEXT_BYTES. */
function inflateCapped(body: Uint8Array, where: string): Uint8Array {
  let inflated: { bytes: Uint8Array; complete: boolean };
  try {
    inflated = inflateWithin(body, MAX_TEXT_BYTES, { format: 'zlib', tooLarge: () => new PngTextError(`${where}: the text decompresses to more than ${MAX_TEXT_BYTES} bytes`) });
  } catch (e) {
    if (e instanceof PngTextError) throw e;
    throw new PngTextError(`${where}: the compressed text is damaged (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!inflated.complete) throw new PngTextError(`${where}: the compressed text is truncated`);
  return inflated.bytes;
}
