/**
 * The safetensors format (huggingface/safetensors), read and written in plain TypeScript over
 * Uint8Array/DataView, so the same code runs in the browser and in Node:
 *
 *   [8 bytes: header length N, unsigned little-endian] [N bytes: JSON header] [data buffer]
 *
 * The header maps every tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets are
 * relative to the start of the data buffer) and may hold a `__metadata__` object of string values.
 * Reading validates strictly and names the tensor at fault: the tensors must lie inside the data
 * buffer, match their dtype×shape size, not overlap and leave no holes (the format's own rules).
 *
 * Supported dtypes: F32 and I32 (read and written), F16 (read as float32; written from float32
 * with round-to-nearest-even) and I64 (read as JavaScript numbers, refusing values beyond ±2^53).
 */

export type SafetensorsDtype = 'F32' | 'F16' | 'I32' | 'I64';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, I32: 4, I64: 8 };

/** The format's own cap on the header size (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensor {
  /** The dtype stored in the file. */
  dtype: SafetensorsDtype;
  shape: number[];
  /** F32 and F16 give float32 values, I32 gives int32 values, I64 gives plain numbers. */
  values: Float32Array | Int32Array | number[];
}

export interface SafetensorsFile {
  /** In the header's order. */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

const hostIsLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// float16 ↔ float32

/** IEEE 754 half → number (subnormals, infinities and NaN included). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** number → IEEE 754 half bits, rounding the float32 value to nearest even; overflow gives ±Infinity. */
export function floatToHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or a quiet NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the full significand, rounding to nearest even.
    if (halfExponent < -10) return sign;
    const significand = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let half = significand >> shift;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half += 1; // may carry into the exponent: still correct
  return sign | half;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) throw new SafetensorsError(`truncated file: ${bytes.length} bytes, the 8-byte header length is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) throw new SafetensorsError(`header length ${headerLength} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLength > bytes.length) {
    throw new SafetensorsError(`truncated file: the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the length field`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError('header must be a JSON object');

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError('__metadata__ must be an object of strings');
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string') throw new SafetensorsError(`__metadata__ value '${key}' must be a string, got ${JSON.stringify(value)}`);
        metadata[key] = value;
      }
      continue;
    }
    entries.push(parseEntry(name, raw));
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

function parseEntry(name: string, raw: unknown): HeaderEntry {
  const where = `tensor '${name}'`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw new SafetensorsError(`${where}: unknown or unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be a list of non-negative whole numbers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] byte offsets, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const expected = elementCount(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(`${where}: ${dtype} [${shape.join(', ')}] needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape: [...shape], begin, end };
}

/** Offsets must cover the data buffer exactly: inside it, without overlaps and without holes. */
function checkLayout(entries: HeaderEntry[], dataLength: number): void {
  for (const e of entries) {
    if (e.end > dataLength) {
      throw new SafetensorsError(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] run past the end of the ${dataLength}-byte data buffer (truncated file?)`);
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const e of sorted) {
    if (e.begin < covered && previous) {
      throw new SafetensorsError(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap tensor '${previous.name}' [${previous.begin}, ${previous.end}]`);
    }
    if (e.begin > covered) throw new SafetensorsError(`data buffer has a hole: bytes ${covered}..${e.begin} belong to no tensor (before tensor '${e.name}')`);
    covered = Math.max(covered, e.end);
    if (e.end > e.begin) previous = e;
  }
  if (covered !== dataLength) throw new SafetensorsError(`data buffer has ${dataLength - covered} trailing bytes that belong to no tensor`);
}

function readValues(e: HeaderEntry, data: Uint8Array): SafetensorsTensor['values'] {
  const n = elementCount(e.shape);
  const bytes = data.subarray(e.begin, e.end);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (e.dtype) {
    case 'F32': {
      // new Uint8Array(view) copies into a fresh, aligned buffer (Node's Buffer.slice would not copy)
      if (hostIsLittleEndian) return new Float32Array(new Uint8Array(bytes).buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'I32': {
      if (hostIsLittleEndian) return new Int32Array(new Uint8Array(bytes).buffer);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case 'I64': {
      const out: number[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const big = view.getBigInt64(8 * i, true);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new SafetensorsError(`tensor '${e.name}': I64 element ${i} (${big}) is beyond ±2^53 and cannot be read as a number exactly`);
        }
        out[i] = Number(big);
      }
      return out;
    }
  }
}

/** Parses and validates a whole safetensors file. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, metadata, dataStart } = parseHeader(bytes);
  const data = bytes.subarray(dataStart);
  checkLayout(entries, data.length);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, values: readValues(e, data) });
  return { tensors, metadata };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface TensorToWrite {
  /** Default F32. */
  dtype?: SafetensorsDtype;
  shape: number[];
  values: ArrayLike<number>;
}

function encodeValues(name: string, t: TensorToWrite, dtype: SafetensorsDtype): Uint8Array {
  const n = elementCount(t.shape);
  if (t.values.length !== n) {
    throw new SafetensorsError(`tensor '${name}': shape [${t.shape.join(', ')}] holds ${n} values but ${t.values.length} were given`);
  }
  const out = new Uint8Array(n * DTYPE_BYTES[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.values[i];
    switch (dtype) {
      case 'F32':
        view.setFloat32(4 * i, v, true);
        break;
      case 'F16':
        view.setUint16(2 * i, floatToHalf(v), true);
        break;
      case 'I32':
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new SafetensorsError(`tensor '${name}': element ${i} (${v}) is not a 32-bit integer`);
        view.setInt32(4 * i, v, true);
        break;
      case 'I64':
        if (!Number.isSafeInteger(v)) throw new SafetensorsError(`tensor '${name}': element ${i} (${v}) is not a whole number within ±2^53`);
        view.setBigInt64(8 * i, BigInt(v), true);
        break;
    }
  }
  return out;
}

/**
 * Serialises tensors (in the given order) and optional string metadata. The header is padded
 * with spaces to a multiple of 8 bytes, as the reference implementation does, so that the data
 * buffer starts aligned.
 */
export function writeSafetensors(tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsError(`__metadata__ value '${key}' must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new SafetensorsError("'__metadata__' is reserved and cannot name a tensor");
    const dtype = t.dtype ?? 'F32';
    if (!isDtype(dtype)) throw new SafetensorsError(`tensor '${name}': unsupported dtype ${JSON.stringify(dtype)}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(`tensor '${name}': bad shape [${t.shape.join(', ')}]`);
    const data = encodeValues(name, t, dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(headerBytes.length + padding).fill(0x20);
    padded.set(headerBytes);
    headerBytes = padded;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
