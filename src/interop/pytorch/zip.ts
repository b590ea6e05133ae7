/**
 * The zip container of torch.save ≥ 1.6, read and written over Uint8Array (browser and Node).
 *
 * Reading: the end-of-central-directory record (zip64 included), the central directory, then each
 * record's local header; stored records are returned without copying, deflated ones through a
 * bounded inflater (inflate.ts). CRCs are checked when a record is read. Every offset and length
 * from the file is checked against the file (and an extra field against its own length) before it
 * is used, and a deflated record's declared size against the caller's limit, deflate's own
 * maximum ratio and what is left of the archive's inflate budget before anything is allocated.
 * Every problem names the record and the byte offset.
 * Writing: stored (uncompressed) records whose data start on a 64-byte boundary, as PyTorch's own
 * writer pads them (an extra field of zeros in the local header), so the file can be memory-mapped.
 */
import { crc32 } from '../../formats/crc32.ts';
import { TorchCheckpointError } from './errors.ts';
import { inflateExactly, maxInflatedSize } from './inflate.ts';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/** Bytes all deflated records of one archive may inflate to, unless the caller says otherwise. */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 2 ** 20;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Where this entry sits in the central directory (for messages). */
  directoryOffset: number;
}

export interface ZipOptions {
  /** Total bytes the archive's deflated records may inflate to (stored records cost nothing). */
  maxInflatedBytes?: number;
  /** Sees each piece of inflated output (tests measure the work done with it). */
  onInflate?: (length: number) => void;
}

export interface ZipArchive {
  /** Record names in central-directory order. */
  names: string[];
  has(name: string): boolean;
  /** The size the directory declares for the record's contents (nothing is read). */
  declaredSize(name: string): number;
  /**
   * The record's bytes (a view into the file when stored); throws naming the record when corrupt.
   * `maxBytes`: the most the caller can use; a deflated record declaring more is refused before
   * it is inflated (a stored one is a view of the file and costs nothing).
   */
  read(name: string, maxBytes?: number): Uint8Array;
  /** Where the record's data starts in the file (for messages about its contents). */
  dataOffset(name: string): number;
}

function fail(message: string, byte?: number, entry?: string): never {
  throw new TorchCheckpointError(`zip: ${message}`, { byte, entry });
}

function findEndOfDirectory(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= min; at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) return at;
  }
  fail(`no end-of-central-directory record in the last ${view.byteLength - min} bytes: the file is truncated or not a zip archive`, min);
}

/** Reads the zip64 values that replace 0xffffffff fields, in the order the format lists them; never past the extra field. */
function applyZip64Extra(view: DataView, start: number, length: number, entry: CentralEntry): void {
  let at = start;
  const end = start + length;
  while (at + 4 <= end) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) {
      fail(`record '${entry.name}': the extra field at byte ${at} says ${size} bytes but only ${end - at - 4} remain in the entry's extra data (${length} bytes from byte ${start}): corrupt`, at, entry.name);
    }
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + size) fail(`record '${entry.name}': its zip64 extra field at byte ${at} is too short (${size} bytes)`, at, entry.name);
        const value = view.getBigUint64(field, true);
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`record '${entry.name}': its zip64 extra field at byte ${at} holds ${value}, beyond any file`, field, entry.name);
        field += 8;
        return Number(value);
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      return;
    }
    at += 4 + size;
  }
}

function directoryLocation(view: DataView, eocd: number): { offset: number; count: number } {
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) fail(`the end record at byte ${eocd} asks for zip64 but no zip64 locator precedes it`, eocd);
    const record = view.getBigUint64(locator + 8, true);
    if (record + 56n > BigInt(view.byteLength) || view.getUint32(Number(record), true) !== ZIP64_END_OF_DIRECTORY) fail(`no zip64 end record at byte ${record} (named by the locator at byte ${locator})`, locator);
    const at = Number(record);
    const count64 = view.getBigUint64(at + 32, true);
    const offset64 = view.getBigUint64(at + 48, true);
    // Each directory entry takes at least 46 bytes of the file.
    if (offset64 > BigInt(view.byteLength) || count64 > BigInt(view.byteLength)) fail(`the zip64 end record at byte ${at} says ${count64} entries from byte ${offset64}, beyond the file (${view.byteLength} bytes)`, at);
    count = Number(count64);
    offset = Number(offset64);
  }
  return { offset, count };
}

export function openZip(bytes: Uint8Array, options: ZipOptions = {}): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 22) fail(`file of ${bytes.length} bytes is too short for a zip archive`, 0);
  const eocd = findEndOfDirectory(view);
  const { offset: directory, count } = directoryLocation(view, eocd);
  const entries = new Map<string, CentralEntry>();
  const decoder = new TextDecoder();
  let at = directory;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length) fail(`central directory entry ${i} at byte ${at} runs past the end of the file (${bytes.length} bytes): truncated`, at);
    if (view.getUint32(at, true) !== CENTRAL_HEADER) fail(`central directory entry ${i} at byte ${at} has a bad signature: corrupt`, at);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > bytes.length) fail(`central directory entry ${i} at byte ${at} runs past the end of the file: truncated`, at);
    const entry: CentralEntry = {
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
      directoryOffset: at,
    };
    applyZip64Extra(view, at + 46 + nameLength, extraLength, entry);
    entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }

  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let inflated = 0;
  const dataStart = (entry: CentralEntry): number => {
    const local = entry.localOffset;
    if (local + 30 > bytes.length) fail(`record '${entry.name}': its local header at byte ${local} lies past the end of the file: truncated`, entry.directoryOffset, entry.name);
    if (view.getUint32(local, true) !== LOCAL_HEADER) fail(`record '${entry.name}': bad local header signature at byte ${local}: corrupt`, local, entry.name);
    return local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  };
  const entryOf = (name: string): CentralEntry => entries.get(name) ?? fail(`no record '${name}' in the archive (records: ${[...entries.keys()].slice(0, 8).join(', ')}${entries.size > 8 ? ' …' : ''})`, directory);

  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    declaredSize: (name) => entryOf(name).size,
    dataOffset: (name) => dataStart(entryOf(name)),
    read(name, maxBytes = Infinity) {
      const entry = entryOf(name);
      const start = dataStart(entry);
      const end = start + entry.compressedSize;
      const refuse = (message: string): never => fail(`record '${name}' at byte ${start} ${message}`, start, name);
      if (end > bytes.length) fail(`record '${name}' needs bytes ${start}–${end} but the file has ${bytes.length}: truncated`, start, name);
      let data: Uint8Array;
      if (entry.method === METHOD_STORED) data = bytes.subarray(start, end);
      else if (entry.method === METHOD_DEFLATE) {
        // Everything about the size is checked before the output is allocated.
        if (entry.size > maxBytes) refuse(`declares ${entry.size} bytes uncompressed but at most ${maxBytes} can be used here: refused before inflating`);
        if (entry.size > maxInflatedSize(entry.compressedSize)) refuse(`declares ${entry.size} bytes from ${entry.compressedSize} compressed bytes, more than deflate can encode: corrupt`);
        if (inflated + entry.size > maxInflated) refuse(`declares ${entry.size} bytes uncompressed; with the ${inflated} bytes inflated so far that exceeds this archive's limit of ${maxInflated}: refused before inflating`);
        inflated += entry.size;
        data = inflateExactly(bytes.subarray(start, end), entry.size, (message) => refuse(message), options.onInflate);
      } else fail(`record '${name}' uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`, entry.directoryOffset, name);
      if (data.length !== entry.size) refuse(`holds ${data.length} bytes, the directory says ${entry.size}: corrupt`);
      if (crc32(data) !== entry.crc) fail(`record '${name}' at byte ${start}: CRC-32 mismatch, the data is corrupt`, start, name);
      return data;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface ZipRecord {
  name: string;
  data: Uint8Array;
}

/** Data of every record starts at a multiple of this (PyTorch's kFieldAlignment). */
const ALIGNMENT = 64;
/** Extra-field id PyTorch uses for its alignment padding ("FB"). */
const PADDING_EXTRA_ID = 0x4246;
/** 1980-01-01 00:00 in DOS format: files are reproducible byte for byte. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function writeZip(records: readonly ZipRecord[]): Uint8Array {
  const encoder = new TextEncoder();
  const names = records.map((r) => encoder.encode(r.name));
  const crcs = records.map((r) => crc32(r.data));
  const layout: { local: number; extra: number }[] = [];
  let offset = 0;
  records.forEach((record, i) => {
    const headerEnd = offset + 30 + names[i].length + 4; // with the 4-byte extra-field header
    const extra = 4 + ((ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT);
    layout.push({ local: offset, extra });
    offset += 30 + names[i].length + extra + record.data.length;
  });
  const directoryStart = offset;
  const directorySize = names.reduce((n, name) => n + 46 + name.length, 0);
  const total = directoryStart + directorySize + 22;
  if (total > 0xffffffff || records.length > 0xffff) throw new TorchCheckpointError(`zip: ${total} bytes in ${records.length} records is beyond this writer (no zip64)`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  records.forEach((record, i) => {
    const { local, extra } = layout[i];
    view.setUint32(local, LOCAL_HEADER, true);
    view.setUint16(local + 4, 20, true); // version needed
    view.setUint16(local + 6, 0, true); // flags
    view.setUint16(local + 8, METHOD_STORED, true);
    view.setUint16(local + 10, 0, true); // time
    view.setUint16(local + 12, DOS_DATE, true);
    view.setUint32(local + 14, crcs[i], true);
    view.setUint32(local + 18, record.data.length, true);
    view.setUint32(local + 22, record.data.length, true);
    view.setUint16(local + 26, names[i].length, true);
    view.setUint16(local + 28, extra, true);
    out.set(names[i], local + 30);
    const extraAt = local + 30 + names[i].length;
    view.setUint16(extraAt, PADDING_EXTRA_ID, true);
    view.setUint16(extraAt + 2, extra - 4, true); // the padding itself stays zero
    out.set(record.data, extraAt + extra);
  });
  let at = directoryStart;
  records.forEach((record, i) => {
    view.setUint32(at, CENTRAL_HEADER, true);
    view.setUint16(at + 4, 20, true); // version made by
    view.setUint16(at + 6, 20, true); // version needed
    view.setUint16(at + 10, METHOD_STORED, true);
    view.setUint16(at + 14, DOS_DATE, true);
    view.setUint32(at + 16, crcs[i], true);
    view.setUint32(at + 20, record.data.length, true);
    view.setUint32(at + 24, record.data.length, true);
    view.setUint16(at + 28, names[i].length, true);
    view.setUint32(at + 42, layout[i].local, true);
    out.set(names[i], at + 46);
    at += 46 + names[i].length;
  });
  view.setUint32(at, END_OF_DIRECTORY, true);
  view.setUint16(at + 8, records.length, true);
  view.setUint16(at + 10, records.length, true);
  view.setUint32(at + 12, directorySize, true);
  view.setUint32(at + 16, directoryStart, true);
  return out;
}
