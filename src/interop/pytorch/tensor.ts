/**
 * PyTorch storages and tensors as the reader rebuilds them: a storage is typed raw bytes, a tensor
 * a strided view into one (offset, size, stride, all in elements). Values are decoded on demand,
 * in logical (row-major) order, whatever the strides. A storage's bytes are read when a tensor's
 * values are first asked for, so storages nobody uses are never inflated. A view is checked
 * against its storage before anything is allocated: every element it addresses must lie inside,
 * and a view of more elements than its storage holds (stride 0, a broadcast) is limited to
 * MAX_BROADCAST_ELEMENTS, so a few bytes cannot ask for gigabytes of output.
 */
import { halfToFloat } from '../../formats/safetensors.ts';
import { TorchCheckpointError } from './errors.ts';

export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** torch.<Name>Storage ⇄ dtype and element size. */
export const STORAGE_TYPES: Record<string, { dtype: TorchDtype; bytes: number }> = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
};

export const DTYPE_BYTES: Record<TorchDtype, number> = Object.fromEntries(Object.values(STORAGE_TYPES).map((t) => [t.dtype, t.bytes])) as Record<TorchDtype, number>;

export function storageTypeName(dtype: TorchDtype): string {
  return Object.entries(STORAGE_TYPES).find(([, t]) => t.dtype === dtype)![0];
}

/** The marker a `torch.FloatStorage` global resolves to. */
export interface StorageType {
  readonly storageType: string;
  readonly dtype: TorchDtype;
  readonly elementBytes: number;
}

/** One serialised storage: its bytes arrive later in the legacy format, so they are filled in afterwards. */
export interface TorchStorage {
  key: string;
  dtype: TorchDtype;
  /** Elements in the root storage. */
  numel: number;
  location: string;
  /** The raw bytes, once read. */
  bytes?: Uint8Array;
  /** Reads the bytes on first use (zip records); absent when `bytes` is set up front (legacy streams). */
  load?: () => Uint8Array;
}

/** A tensor view; `offset` and `stride` are in elements of the storage. */
export interface TorchTensor {
  readonly kind: 'tensor';
  dtype: TorchDtype;
  shape: number[];
  stride: number[];
  offset: number;
  storage: TorchStorage;
  requiresGrad: boolean;
  /** True when rebuilt by torch._utils._rebuild_parameter (an nn.Parameter). */
  parameter: boolean;
}

export function isTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && (value as TorchTensor).kind === 'tensor';
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The most elements a view may have beyond its storage's (a stride-0 broadcast): 2^24, 64 MiB as float32. */
export const MAX_BROADCAST_ELEMENTS = 2 ** 24;
/** Dimensions a view may have (torch allows 64). */
export const MAX_RANK = 64;

/** Checks that every element the view addresses lies inside its storage, before anything is allocated. `what` names the tensor. */
export function checkView(tensor: TorchTensor, what: string): void {
  const { shape, stride, offset, storage } = tensor;
  if (shape.length !== stride.length) throw new TorchCheckpointError(`${what}: size ${fmt(shape)} and stride ${fmt(stride)} differ in rank`);
  if (shape.length > MAX_RANK) throw new TorchCheckpointError(`${what}: ${shape.length} dimensions; at most ${MAX_RANK} are supported`);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || stride.some((s) => !Number.isSafeInteger(s) || s < 0) || !Number.isSafeInteger(offset) || offset < 0) {
    throw new TorchCheckpointError(`${what}: invalid view (size ${fmt(shape)}, stride ${fmt(stride)}, offset ${offset})`);
  }
  const count = numelOf(shape);
  if (count === 0) return;
  // Each term is checked on its own, so huge sizes cannot overflow into a small sum.
  let last = offset;
  for (let i = 0; i < shape.length && last < storage.numel; i++) last += (shape[i] - 1) * stride[i];
  if (last >= storage.numel) {
    throw new TorchCheckpointError(
      `${what}: the view (size ${fmt(shape)}, stride ${fmt(stride)}, offset ${offset}) reads element ${last} of storage '${storage.key}', which has ${storage.numel} elements`,
    );
  }
  if (count > storage.numel && count > MAX_BROADCAST_ELEMENTS) {
    throw new TorchCheckpointError(
      `${what}: the view (size ${fmt(shape)}, stride ${fmt(stride)}) has ${count} elements from a storage of ${storage.numel}; a broadcast view may have at most ${MAX_BROADCAST_ELEMENTS}`,
    );
  }
}

const fmt = (xs: readonly number[]) => (xs.length > 8 ? `[${xs.slice(0, 8).join(', ')}, … (${xs.length} dimensions)]` : `[${xs.join(', ')}]`);
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Calls `visit(n, index)` with the storage element index of the tensor's n-th value in row-major
 * order of its shape, without materialising the indices.
 */
function forEachElement(tensor: TorchTensor, visit: (n: number, index: number) => void): void {
  const { shape, stride, offset } = tensor;
  const count = numelOf(shape);
  if (isContiguous(tensor)) {
    for (let n = 0; n < count; n++) visit(n, offset + n);
    return;
  }
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let n = 0; n < count; n++) {
    visit(n, at);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      at += stride[d];
      if (index[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** Whether the values are one run of the storage, in order (then they can be copied at once). */
function isContiguous(tensor: TorchTensor): boolean {
  let expected = 1;
  for (let i = tensor.shape.length - 1; i >= 0; i--) {
    if (tensor.shape[i] !== 1 && tensor.stride[i] !== expected) return false;
    expected *= tensor.shape[i];
  }
  return true;
}

function storageBytes(tensor: TorchTensor, what: string): Uint8Array {
  const storage = tensor.storage;
  if (!storage.bytes && storage.load) storage.bytes = storage.load();
  const bytes = storage.bytes;
  if (!bytes) throw new TorchCheckpointError(`${what}: the data of storage '${storage.key}' was never read`);
  if (bytes.length < storage.numel * DTYPE_BYTES[storage.dtype]) {
    throw new TorchCheckpointError(`${what}: storage '${storage.key}' holds ${bytes.length} bytes, its ${storage.numel} × ${storage.dtype} need ${storage.numel * DTYPE_BYTES[storage.dtype]}`);
  }
  return bytes;
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

type Reader = (view: DataView, byteOffset: number) => number;

const FLOAT_READERS: Partial<Record<TorchDtype, Reader>> = {
  float32: (v, o) => v.getFloat32(o, true),
  float64: (v, o) => v.getFloat64(o, true),
  float16: (v, o) => halfToFloat(v.getUint16(o, true)),
  bfloat16: (v, o) => {
    // bfloat16 is the upper half of a float32.
    bf16Scratch.setUint32(0, v.getUint16(o, true) << 16, false);
    return bf16Scratch.getFloat32(0, false);
  },
  int64: (v, o) => Number(v.getBigInt64(o, true)),
  int32: (v, o) => v.getInt32(o, true),
  int16: (v, o) => v.getInt16(o, true),
  int8: (v, o) => v.getInt8(o),
  uint8: (v, o) => v.getUint8(o),
  bool: (v, o) => (v.getUint8(o) ? 1 : 0),
};

/** The tensor's values as float32, in row-major order (any dtype; int64 beyond 2^24 loses precision as float32 does). */
export function tensorToFloat32(tensor: TorchTensor, what = 'tensor'): Float32Array {
  checkView(tensor, what);
  const bytes = storageBytes(tensor, what);
  const size = DTYPE_BYTES[tensor.dtype];
  const count = numelOf(tensor.shape);
  if (tensor.dtype === 'float32' && hostIsLittleEndian && isContiguous(tensor)) {
    const begin = bytes.byteOffset + tensor.offset * 4;
    return new Float32Array(bytes.buffer.slice(begin, begin + count * 4));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = FLOAT_READERS[tensor.dtype]!;
  const out = new Float32Array(count);
  forEachElement(tensor, (n, index) => (out[n] = read(view, index * size)));
  return out;
}

/** Values in the tensor's own precision: Float64Array for float64, BigInt64Array for int64, Float32Array for the other floats, Int32Array for the other integers and bool. */
export function tensorValues(tensor: TorchTensor, what = 'tensor'): Float32Array | Float64Array | BigInt64Array | Int32Array {
  if (tensor.dtype === 'float32' || tensor.dtype === 'float16' || tensor.dtype === 'bfloat16') return tensorToFloat32(tensor, what);
  checkView(tensor, what);
  const bytes = storageBytes(tensor, what);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_BYTES[tensor.dtype];
  const count = numelOf(tensor.shape);
  if (tensor.dtype === 'int64') {
    const out = new BigInt64Array(count);
    forEachElement(tensor, (n, index) => (out[n] = view.getBigInt64(index * size, true)));
    return out;
  }
  if (tensor.dtype === 'float64') {
    const out = new Float64Array(count);
    forEachElement(tensor, (n, index) => (out[n] = view.getFloat64(index * size, true)));
    return out;
  }
  const read = FLOAT_READERS[tensor.dtype]!;
  const out = new Int32Array(count);
  forEachElement(tensor, (n, index) => (out[n] = read(view, index * size)));
  return out;
}
