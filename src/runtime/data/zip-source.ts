/**
 * A FileSource over a zip archive held in memory (a dropped .zip in the browser, or a file read in
 * Node). The central directory is read once; each read inflates just that entry with fflate.
 * Stored and deflated entries are supported, and zip64 sizes and offsets.
 */
import { inflateSync } from 'fflate';
import { DatasetError } from './errors.ts';
import { filterListing, MAX_DATASET_FILE_BYTES, normalizePath, type FileSource } from './file-source.ts';

interface Entry {
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Deflate's largest expansion: 258 bytes from 2 bits, ≈1032:1. */
const MAX_DEFLATE_RATIO = 1032;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipFileSource implements FileSource {
  private readonly entries = new Map<string, Entry>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'archive.zip',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      this.readDirectory();
    } catch (e) {
      // A size or offset that points past the end: DataView's RangeError, said as a damaged archive.
      if (e instanceof RangeError) this.fail(`a record points past the end of the file (${e.message})`);
      throw e;
    }
  }

  private fail(detail: string): never {
    throw new DatasetError('decode', this.name, `not a readable zip archive: ${detail}`);
  }

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  private u64(at: number): number {
    return Number(this.view.getBigUint64(at, true));
  }

  private readDirectory(): void {
    const len = this.bytes.length;
    // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes.
    let eocd = -1;
    for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
      if (this.u32(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail('no end-of-central-directory record');
    let count = this.u16(eocd + 10);
    let offset = this.u32(eocd + 16);
    if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && this.u32(eocd - 20) === ZIP64_LOCATOR) {
      const record = this.u64(eocd - 20 + 8);
      if (this.u32(record) !== ZIP64_EOCD) this.fail('bad zip64 end-of-central-directory record');
      count = this.u64(record + 32);
      offset = this.u64(record + 48);
    }
    const decoder = new TextDecoder();
    for (let k = 0, at = offset; k < count; k++) {
      if (at + 46 > len || this.u32(at) !== CENTRAL) this.fail(`central directory entry ${k} is damaged`);
      const nameLength = this.u16(at + 28);
      const extraLength = this.u16(at + 30);
      const commentLength = this.u16(at + 32);
      const entry: Entry = { method: this.u16(at + 10), compressedSize: this.u32(at + 20), size: this.u32(at + 24), localOffset: this.u32(at + 42) };
      const name = decoder.decode(this.bytes.subarray(at + 46, at + 46 + nameLength));
      this.readZip64Extra(entry, at + 46 + nameLength, extraLength);
      if (!name.endsWith('/')) this.entries.set(normalizePath(name), entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
  }

  /** Sizes and offset saturated at 0xffffffff live in the zip64 extra field (id 1), in this order. */
  private readZip64Extra(entry: Entry, at: number, length: number): void {
    for (let p = at; p + 4 <= at + length; ) {
      const id = this.u16(p);
      const size = this.u16(p + 2);
      if (id === 1) {
        let q = p + 4;
        if (entry.size === 0xffffffff) (entry.size = this.u64(q)), (q += 8);
        if (entry.compressedSize === 0xffffffff) (entry.compressedSize = this.u64(q)), (q += 8);
        if (entry.localOffset === 0xffffffff) entry.localOffset = this.u64(q);
      }
      p += 4 + size;
    }
  }

  list(prefix = ''): string[] {
    return filterListing(this.entries.keys(), prefix);
  }

  async read(path: string): Promise<Uint8Array> {
    const key = normalizePath(path);
    const entry = this.entries.get(key);
    if (!entry) throw new DatasetError('missing', path, `no such file in ${this.name}`);
    const at = entry.localOffset;
    if (at + 30 > this.bytes.length || this.u32(at) !== LOCAL) throw new DatasetError('decode', path, `damaged local header in ${this.name}`);
    const start = at + 30 + this.u16(at + 26) + this.u16(at + 28);
    if (start + entry.compressedSize > this.bytes.length) throw new DatasetError('decode', path, `its data runs past the end of ${this.name} (truncated?)`);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) {
      if (entry.size !== entry.compressedSize) throw new DatasetError('decode', path, `stored entry declares ${entry.size} bytes but holds ${entry.compressedSize} in ${this.name}`);
      return data;
    }
    if (entry.method !== 8) throw new DatasetError('decode', path, `zip compression method ${entry.method} is not supported (only stored and deflate)`);
    // The declared size is allocated below: bound it by what deflate can produce and by the file limit.
    if (entry.size > MAX_DATASET_FILE_BYTES) throw new DatasetError('size', path, `declares ${entry.size} bytes unpacked, more than the ${MAX_DATASET_FILE_BYTES / 2 ** 20} MiB a dataset file may have: not unpacked`);
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new DatasetError('decode', path, `declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than deflate can produce: damaged entry in ${this.name}`);
    }
    let out: Uint8Array;
    try {
      // One byte of room more than declared: fflate drops what does not fit, so a longer stream shows as a full buffer.
      out = inflateSync(data, { out: new Uint8Array(entry.size + 1) });
    } catch (e) {
      throw new DatasetError('decode', path, `cannot inflate from ${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (out.length !== entry.size) {
      const got = out.length > entry.size ? 'more than' : `${out.length} bytes, not`;
      throw new DatasetError('decode', path, `inflates to ${got} the ${entry.size} bytes its entry in ${this.name} declares`);
    }
    return out;
  }
}
