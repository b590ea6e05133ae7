/**
 * A FileSource over a zip archive that is never read whole: the index comes from the central
 * directory alone (zip-index.ts), and each read fetches just that entry's local header and data
 * (Blob.slice in the browser), then inflates it with fflate (deflate) or returns it as is (stored).
 * Sizes are checked against the dataset file limit before anything is read, and the CRC-32 after.
 */
import { inflateWithin } from '../../formats/bounded-inflate.ts';
import { crc32 } from '../../formats/crc32.ts';
import { DatasetError } from './errors.ts';
import { filterListing, MAX_DATASET_FILE_BYTES, normalizePath, type FileSource } from './file-source.ts';
import { bytesAccess, type RandomAccess } from './random-access.ts';
import { LOCAL_HEADER_BYTES, readZipIndex, type ZipEntry, type ZipIndexOptions } from './zip-index.ts';

/** An entry's data inflating past its declared size. */
class Overflow extends Error {}

const LOCAL = 0x04034b50;
/** A backslash, or an empty or '.' path segment: what normalizePath changes. */
const NEEDS_NORMALIZING = /\\|(^|\/)\.?(\/|$)/;

export class ZipFileSource implements FileSource {
  private readonly entries = new Map<string, ZipEntry>();

  private constructor(
    private readonly access: RandomAccess,
    readonly name: string,
    index: readonly ZipEntry[],
  ) {
    for (const entry of index) {
      if (entry.name.endsWith('/')) continue; // a folder
      // Most names are normal already; normalizing 100,000 of them would take a good part of indexing.
      this.entries.set(NEEDS_NORMALIZING.test(entry.name) ? normalizePath(entry.name) : entry.name, entry);
    }
  }

  /** Indexes the archive behind `access` (its central directory only). */
  static async open(access: RandomAccess, name: string, options: ZipIndexOptions = {}): Promise<ZipFileSource> {
    return new ZipFileSource(access, name, await readZipIndex(access, name, options));
  }

  /** An archive held in memory (tests, generated data). */
  static fromBytes(bytes: Uint8Array, name = 'archive.zip'): Promise<ZipFileSource> {
    return ZipFileSource.open(bytesAccess(bytes), name);
  }

  list(prefix = ''): string[] {
    return filterListing(this.entries.keys(), prefix);
  }

  /** The size the central directory declares (nothing is read). */
  sizeOf(path: string): number | undefined {
    return this.entries.get(normalizePath(path))?.size;
  }

  async read(path: string): Promise<Uint8Array> {
    const entry = this.entries.get(normalizePath(path));
    if (!entry) throw new DatasetError('missing', path, `no such file in ${this.name}`);
    const refuse = (code: 'size' | 'decode', detail: string): never => {
      throw new DatasetError(code, path, `${detail} (entry ${entry.index} of ${this.name})`);
    };
    if (entry.flags & 1) refuse('decode', 'is encrypted: not read');
    if (entry.method !== 0 && entry.method !== 8) refuse('decode', `uses zip compression method ${entry.method}; only stored (0) and deflate (8) are read`);
    // Everything about the size is checked before a byte of the entry is read or allocated.
    if (entry.size > MAX_DATASET_FILE_BYTES) {
      refuse('size', `field 'uncompressed size' declares ${entry.size} bytes, more than the ${MAX_DATASET_FILE_BYTES / 2 ** 20} MiB a dataset file may have: not read`);
    }
    // Deflate never grows data by more than a few bytes per 64 KiB block: a larger compressed size would only cost memory.
    if (entry.compressedSize > MAX_DATASET_FILE_BYTES) {
      refuse('size', `field 'compressed size' declares ${entry.compressedSize} bytes, more than the ${MAX_DATASET_FILE_BYTES / 2 ** 20} MiB a dataset file may have: not read`);
    }
    const header = await this.access.read(entry.localOffset, LOCAL_HEADER_BYTES);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (header.length < LOCAL_HEADER_BYTES || view.getUint32(0, true) !== LOCAL) refuse('decode', `no local header at byte ${entry.localOffset}, where the central directory says it is`);
    const start = entry.localOffset + LOCAL_HEADER_BYTES + view.getUint16(26, true) + view.getUint16(28, true);
    if (start + entry.compressedSize > this.access.size) refuse('decode', `its data (bytes ${start}–${start + entry.compressedSize}) runs past the end of the archive (${this.access.size} bytes): truncated?`);
    const data = await this.access.read(start, entry.compressedSize);
    const out = entry.method === 0 ? data : this.inflate(data, entry, refuse);
    if (crc32(out) !== entry.crc) refuse('decode', 'fails its CRC-32 check: the archive is damaged');
    return out;
  }

  private inflate(data: Uint8Array, entry: ZipEntry, refuse: (code: 'decode', detail: string) => never): Uint8Array {
    let out: Uint8Array;
    try {
      // Into one buffer of the declared size, stopped as soon as the stream makes more (formats/bounded-inflate.ts).
      ({ bytes: out } = inflateWithin(data, entry.size, { format: 'deflate', preallocate: true, pieceBytes: 1 << 16, tooLarge: () => new Overflow() }));
    } catch (e) {
      if (e instanceof Overflow) return refuse('decode', `inflates to more than the ${entry.size} bytes its entry declares`);
      return refuse('decode', `cannot be inflated: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (out.length !== entry.size) refuse('decode', `inflates to ${out.length} bytes, not the ${entry.size} bytes its entry declares`);
    return out;
  }
}
