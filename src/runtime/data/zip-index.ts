/**
 * The index of a zip archive, read from its tail without reading the archive: the end record
 * (zip64's locator and end record for archives past 4 GiB or 65,535 entries), then the central
 * directory in chunks, one record per file. Nothing else is read; each entry is read later on its
 * own (zip-source.ts).
 *
 * Every number in the archive is a claim: counts, sizes and offsets are checked against the file,
 * the directory's bounds and the limits below before anything is allocated or read, and each
 * refusal names the archive, the entry and the field.
 */
import { DatasetError } from './errors.ts';
import type { RandomAccess } from './random-access.ts';

export interface ZipEntry {
  /** As stored, '/'-separated. */
  name: string;
  /** 0 stored, 8 deflate (others are refused when read). */
  method: number;
  /** General-purpose flags (bit 0: encrypted). */
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Index in the central directory and byte position of its record, for messages. */
  index: number;
  directoryOffset: number;
}

export interface ZipIndexLimits {
  /** Most entries an archive may declare (Cityscapes with coarse labels: ~100,000 files; ADE20K: ~50,000). */
  maxEntries: number;
  /** Longest entry name, in bytes. */
  maxNameBytes: number;
  /** Largest central directory read. */
  maxDirectoryBytes: number;
}

export const ZIP_INDEX_LIMITS: ZipIndexLimits = { maxEntries: 400_000, maxNameBytes: 1024, maxDirectoryBytes: 256 * 2 ** 20 };

export interface ZipIndexOptions {
  limits?: Partial<ZipIndexLimits>;
  /** Called after each chunk of the directory: entries indexed so far, entries declared. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops the indexing between chunks (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Directory bytes fetched per read, and so between progress reports (default 1 MiB). */
  chunkBytes?: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const ZIP64_EXTRA_ID = 0x0001;
const EOCD_BYTES = 22;
const LOCATOR_BYTES = 20;
const ZIP64_EOCD_BYTES = 56;
const CENTRAL_BYTES = 46;
/** Smallest local header: data can start no earlier than 30 bytes after it. */
export const LOCAL_HEADER_BYTES = 30;
/** Deflate's largest expansion: 258 bytes from 2 bits, ≈1032:1. */
export const MAX_DEFLATE_RATIO = 1032;
const CHUNK_BYTES = 1 << 20;

const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Number of a 64-bit field, refused when beyond what any file can hold. */
function u64(view: DataView, at: number, refuse: (value: bigint) => never): number {
  const value = view.getBigUint64(at, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? refuse(value) : Number(value);
}

interface Directory {
  offset: number;
  bytes: number;
  count: number;
  /** Where the directory must end: the zip64 end record or the end record. */
  end: number;
}

/** Finds and checks the directory's place from the archive's tail. */
async function locateDirectory(access: RandomAccess, archive: string, limits: ZipIndexLimits): Promise<Directory> {
  const bad = (detail: string): never => {
    throw new DatasetError('decode', archive, `not a readable zip archive: ${detail}`);
  };
  if (access.size < EOCD_BYTES) bad(`${access.size} bytes is too short for a zip archive`);
  // The end record: 22 bytes, then a comment of up to 65,535 bytes.
  const tailStart = Math.max(0, access.size - EOCD_BYTES - 0xffff);
  const tail = await access.read(tailStart, access.size - tailStart);
  const tv = viewOf(tail);
  let at = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) bad(`no end-of-central-directory record in its last ${tail.length} bytes (truncated, or not a zip)`);
  const eocd = tailStart + at;
  let count = tv.getUint16(at + 10, true);
  let bytes = tv.getUint32(at + 12, true);
  let offset = tv.getUint32(at + 16, true);
  let end = eocd;
  if (count === 0xffff || bytes === 0xffffffff || offset === 0xffffffff) {
    // Zip64: a 20-byte locator just before the end record names the zip64 end record.
    if (eocd < LOCATOR_BYTES) bad(`the end record at byte ${eocd} asks for zip64 but there is no room for a zip64 locator before it`);
    const locator = viewOf(await access.read(eocd - LOCATOR_BYTES, LOCATOR_BYTES));
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR) bad(`the end record at byte ${eocd} asks for zip64 but no zip64 locator precedes it`);
    const record = u64(locator, 8, (v) => bad(`the zip64 locator at byte ${eocd - LOCATOR_BYTES} names a zip64 end record at byte ${v}, beyond any file`));
    if (record + ZIP64_EOCD_BYTES > eocd - LOCATOR_BYTES) bad(`the zip64 locator at byte ${eocd - LOCATOR_BYTES} names a zip64 end record at byte ${record}, which does not fit before the locator`);
    const z = viewOf(await access.read(record, ZIP64_EOCD_BYTES));
    if (z.getUint32(0, true) !== ZIP64_EOCD) bad(`no zip64 end record at byte ${record} (named by the locator at byte ${eocd - LOCATOR_BYTES})`);
    const field = (name: string, pos: number) => u64(z, pos, (v) => bad(`field '${name}' of the zip64 end record at byte ${record} is ${v}, beyond any file`));
    count = field('total entries', 32);
    bytes = field('directory size', 40);
    offset = field('directory offset', 48);
    end = record;
  }
  if (count > limits.maxEntries) bad(`its end record declares ${count} entries, more than the ${limits.maxEntries} an archive may have here`);
  if (bytes > limits.maxDirectoryBytes) bad(`its end record declares a central directory of ${bytes} bytes, more than the ${limits.maxDirectoryBytes} read here`);
  if (offset + bytes > end) bad(`its end record places the central directory at bytes ${offset}–${offset + bytes}, past where it must end (byte ${end}; the archive has ${access.size} bytes)`);
  if (count * CENTRAL_BYTES > bytes) bad(`its end record declares ${count} entries in a central directory of ${bytes} bytes, too small for them (${CENTRAL_BYTES} bytes each at least)`);
  return { offset, bytes, count, end };
}

/** The directory's bytes, loaded chunk by chunk as the entries are walked in order. */
class ChunkReader {
  /** File position of bytes[0]. */
  start = 0;
  bytes: Uint8Array = new Uint8Array(0);
  view = viewOf(this.bytes);

  constructor(
    private readonly access: RandomAccess,
    private readonly end: number,
    private readonly chunkBytes: number,
  ) {}

  /** Whether [at, at + length) is loaded. */
  holds(at: number, length: number): boolean {
    return at >= this.start && at + length <= this.start + this.bytes.length;
  }

  /** Loads a chunk from `at` holding at least `length` bytes (the caller keeps them inside the directory). */
  async load(at: number, length: number): Promise<void> {
    this.start = at;
    this.bytes = await this.access.read(at, Math.min(this.end - at, Math.max(length, this.chunkBytes)));
    this.view = viewOf(this.bytes);
  }
}

/**
 * Every entry of the archive in directory order (folders included: their names end in '/').
 * Rejects with a DatasetError naming the archive and, for one bad entry, the entry and field.
 */
export async function readZipIndex(access: RandomAccess, archive: string, options: ZipIndexOptions = {}): Promise<ZipEntry[]> {
  const limits = { ...ZIP_INDEX_LIMITS, ...options.limits };
  options.signal?.throwIfAborted();
  const dir = await locateDirectory(access, archive, limits);
  const dirEnd = dir.offset + dir.bytes;
  const chunk = new ChunkReader(access, dirEnd, options.chunkBytes ?? CHUNK_BYTES);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = dir.offset;
  for (let k = 0; k < dir.count; k++) {
    const where = () => `central directory entry ${k} (byte ${at}) of ${archive}`;
    const damaged = (detail: string): never => {
      throw new DatasetError('decode', archive, `not a readable zip archive: ${where()} ${detail}`);
    };
    if (at + CENTRAL_BYTES > dirEnd) damaged(`runs past the directory's end at byte ${dirEnd}`);
    if (!chunk.holds(at, CENTRAL_BYTES)) {
      // A chunk boundary: report, let a cancel in, read on.
      options.onProgress?.(k, dir.count);
      options.signal?.throwIfAborted();
      await chunk.load(at, CENTRAL_BYTES);
    }
    let p = at - chunk.start;
    if (chunk.view.getUint32(p, true) !== CENTRAL) damaged('has a bad signature: the directory is damaged');
    const nameBytes = chunk.view.getUint16(p + 28, true);
    const extraBytes = chunk.view.getUint16(p + 30, true);
    const commentBytes = chunk.view.getUint16(p + 32, true);
    if (nameBytes === 0) damaged('has an empty file name');
    if (nameBytes > limits.maxNameBytes) damaged(`has field 'file name length' ${nameBytes}, more than the ${limits.maxNameBytes} bytes a name may have here`);
    const recordBytes = CENTRAL_BYTES + nameBytes + extraBytes + commentBytes;
    if (at + recordBytes > dirEnd) damaged(`runs past the directory's end at byte ${dirEnd} (its name, extra field and comment take ${recordBytes - CENTRAL_BYTES} bytes)`);
    if (!chunk.holds(at, recordBytes)) {
      await chunk.load(at, recordBytes);
      p = 0;
    }
    const view = chunk.view;
    const entry: ZipEntry = {
      name: decoder.decode(chunk.bytes.subarray(p + CENTRAL_BYTES, p + CENTRAL_BYTES + nameBytes)),
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
      index: k,
      directoryOffset: at,
    };
    const bad = (field: string, detail: string): never => {
      throw new DatasetError('decode', entry.name, `field '${field}' of ${where()}: ${detail}`);
    };
    if (extraBytes > 0) applyZip64Extra(view, p + CENTRAL_BYTES + nameBytes, extraBytes, entry, bad);
    if (names.has(entry.name)) bad('file name', 'the name appears twice in the archive');
    // All data lies before the directory: a header or data reaching into it is a lie.
    if (entry.localOffset + LOCAL_HEADER_BYTES > dir.offset) bad('local header offset', `${entry.localOffset} is past the archive's data, which ends at byte ${dir.offset}`);
    if (entry.localOffset + LOCAL_HEADER_BYTES + entry.compressedSize > dir.offset) {
      bad('compressed size', `${entry.compressedSize} bytes from byte ${entry.localOffset} runs past the archive's data, which ends at byte ${dir.offset}`);
    }
    if (entry.method === 0 && entry.size !== entry.compressedSize) bad('uncompressed size', `${entry.size} bytes, but the entry is stored and holds ${entry.compressedSize}`);
    if (entry.method === 8 && entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      bad('uncompressed size', `${entry.size} bytes from ${entry.compressedSize} compressed, more than deflate can produce`);
    }
    names.add(entry.name);
    entries.push(entry);
    at += recordBytes;
  }
  options.onProgress?.(dir.count, dir.count);
  return entries;
}

/** Sizes and offset saturated at 0xffffffff live in the zip64 extra field (id 1), in this order; never read past the extra data. */
function applyZip64Extra(view: DataView, start: number, length: number, entry: ZipEntry, bad: (field: string, detail: string) => never): void {
  const end = start + length;
  const wanted = [entry.size, entry.compressedSize, entry.localOffset].filter((v) => v === 0xffffffff).length;
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) bad('extra field length', `a field at byte ${at - start} of the extra data says ${size} bytes, but only ${end - at - 4} remain`);
    if (id === ZIP64_EXTRA_ID) {
      if (size < wanted * 8) bad('zip64 extra field', `${size} bytes, too short for the ${wanted} values the entry saturates`);
      let field = at + 4;
      const next = (name: string) => {
        const value = u64(view, field, (v) => bad(name, `the zip64 value ${v} is beyond any file`));
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next('uncompressed size');
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next('compressed size');
      if (entry.localOffset === 0xffffffff) entry.localOffset = next('local header offset');
      return;
    }
    at += 4 + size;
  }
  // 0xffffffff without a zip64 field is taken at face value (a 4 GiB − 1 entry); the checks against the file follow.
}
