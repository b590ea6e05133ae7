/**
 * Zip archives for tests, described rather than held: a list of byte parts at offsets over a file
 * of any size (the rest is a hole of zeros). Entries can be real (stored or deflated) or "holes":
 * a stored entry declaring many bytes that are never written, so a multi-GB archive costs only
 * its headers. zip64 records are written when a value needs them or when asked.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../../formats/crc32.ts';
import type { RandomAccess } from './random-access.ts';

export interface SparseFile {
  size: number;
  parts: { offset: number; bytes: Uint8Array }[];
  /** Where each entry's local header and central directory record start (for tests that patch them). */
  locals: number[];
  centrals: number[];
}

export type SparseEntry = { name: string; data: Uint8Array; deflate?: boolean } | { name: string; holeBytes: number };

const MAX32 = 0xffffffff;

class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private at = 0;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number) {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }
  u32(v: number) {
    this.view.setUint32(this.at, v, true);
    this.at += 4;
    return this;
  }
  u64(v: number) {
    this.view.setBigUint64(this.at, BigInt(v), true);
    this.at += 8;
    return this;
  }
  put(b: Uint8Array) {
    this.bytes.set(b, this.at);
    this.at += b.length;
    return this;
  }
}

/** The zip64 extra field holding the values that do not fit 32 bits (or all three when forced). */
function zip64Extra(values: number[]): Uint8Array {
  if (values.length === 0) return new Uint8Array(0);
  const w = new Writer(4 + 8 * values.length).u16(1).u16(8 * values.length);
  for (const v of values) w.u64(v);
  return w.bytes;
}

export function sparseZip(entries: readonly SparseEntry[], options: { zip64?: boolean } = {}): SparseFile {
  const enc = new TextEncoder();
  const parts: SparseFile['parts'] = [];
  const central: Uint8Array[] = [];
  const locals: number[] = [];
  const centrals: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = enc.encode(entry.name);
    let stored: Uint8Array | undefined;
    let method = 0;
    let size: number;
    let crc = 0;
    if ('data' in entry) {
      size = entry.data.length;
      crc = crc32(entry.data);
      stored = entry.deflate ? deflateSync(entry.data) : entry.data;
      method = entry.deflate ? 8 : 0;
    } else size = entry.holeBytes;
    const compressed = stored ? stored.length : size;
    const big = options.zip64 || size >= MAX32 || compressed >= MAX32 || offset >= MAX32;
    const localExtra = big ? zip64Extra([size, compressed]) : new Uint8Array(0);
    const local = new Writer(30 + name.length + localExtra.length)
      .u32(0x04034b50).u16(45).u16(0).u16(method).u16(0).u16(0x21).u32(crc)
      .u32(big ? MAX32 : compressed).u32(big ? MAX32 : size).u16(name.length).u16(localExtra.length).put(name).put(localExtra);
    locals.push(offset);
    parts.push({ offset, bytes: local.bytes });
    if (stored) parts.push({ offset: offset + local.bytes.length, bytes: stored });
    const extra = big ? zip64Extra([size, compressed, offset]) : new Uint8Array(0);
    central.push(
      new Writer(46 + name.length + extra.length)
        .u32(0x02014b50).u16(45).u16(45).u16(0).u16(method).u16(0).u16(0x21).u32(crc)
        .u32(big ? MAX32 : compressed).u32(big ? MAX32 : size).u16(name.length).u16(extra.length).u16(0)
        .u16(0).u16(0).u32(0).u32(big ? MAX32 : offset).put(name).put(extra).bytes,
    );
    offset += local.bytes.length + compressed;
  }
  const dirOffset = offset;
  for (const c of central) centrals.push(offset), parts.push({ offset, bytes: c }), (offset += c.length);
  const dirBytes = offset - dirOffset;
  const big = options.zip64 || entries.length >= 0xffff || dirOffset >= MAX32;
  if (big) {
    const record = offset;
    parts.push({
      offset,
      bytes: new Writer(56).u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(entries.length).u64(entries.length).u64(dirBytes).u64(dirOffset).bytes,
    });
    offset += 56;
    parts.push({ offset, bytes: new Writer(20).u32(0x07064b50).u32(0).u64(record).u32(1).bytes });
    offset += 20;
  }
  const count = big ? 0xffff : entries.length;
  parts.push({ offset, bytes: new Writer(22).u32(0x06054b50).u16(0).u16(0).u16(count).u16(count).u32(big ? MAX32 : dirBytes).u32(big ? MAX32 : dirOffset).u16(0).bytes });
  offset += 22;
  return { size: offset, parts, locals, centrals };
}

/** The file's bytes in memory (only for small archives). */
export function sparseBytes(file: SparseFile): Uint8Array {
  const out = new Uint8Array(file.size);
  for (const p of file.parts) out.set(p.bytes, p.offset);
  return out;
}

/** Random access over a sparse file that counts what is read. */
export function sparseAccess(file: SparseFile): RandomAccess & { calls: number; bytesRead: number } {
  const access = {
    size: file.size,
    calls: 0,
    bytesRead: 0,
    async read(offset: number, length: number): Promise<Uint8Array> {
      access.calls++;
      access.bytesRead += length;
      const out = new Uint8Array(length);
      for (const p of file.parts) {
        const from = Math.max(offset, p.offset);
        const to = Math.min(offset + length, p.offset + p.bytes.length);
        if (from < to) out.set(p.bytes.subarray(from - p.offset, to - p.offset), from - offset);
      }
      return out;
    },
  };
  return access;
}
