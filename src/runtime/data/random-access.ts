/**
 * Bytes read by position, without holding the whole file: a Blob (a dropped or picked File in the
 * browser, a Blob in Node ≥ 20) is read with Blob.slice, so only the range asked for is ever
 * loaded; memory (tests, generated data) is read by subarray.
 */

/** What a dataset file must offer: a Blob (or File) in the browser and in Node ≥ 20. */
export interface BlobLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
  slice(start?: number, end?: number): BlobLike;
}

export interface RandomAccess {
  readonly size: number;
  /** Bytes [offset, offset + length); the caller keeps the range inside `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobAccess(blob: BlobLike): RandomAccess {
  return {
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

export function bytesAccess(bytes: Uint8Array): RandomAccess {
  return {
    size: bytes.length,
    async read(offset, length) {
      return bytes.subarray(offset, offset + length);
    },
  };
}
