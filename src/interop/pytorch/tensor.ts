/**
 * PyTorch storages and tensors as the reader rebuilds them: a storage is typed raw bytes, a tensor
 * a strided view into one (offset, size, stride, all in elements). Values are decoded on demand,
 * in logical (row-major) order, whatever the strides.
 */
import { halfToFloat } from '../../runtime/safetensors.ts';
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
  bytes?: Uint8Array;
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

/** Checks that every element the view addresses lies inside its storage. `what` names the tensor. */
export function checkView(tensor: TorchTensor, what: string): void {
  const { shape, stride, offset, storage } = tensor;
  if (shape.length !== stride.length) throw new TorchCheckpointError(`${what}: size ${fmt(shape)} and stride ${fmt(stride)} differ in rank`);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || stride.some((s) => !Number.isInteger(s) || s < 0) || !Number.isInteger(offset) || offset < 0) {
    throw new TorchCheckpointError(`${what}: invalid view (size ${fmt(shape)}, stride ${fmt(stride)}, offset ${offset})`);
  }
  if (numelOf(shape) === 0) return;
  const last = offset + shape.reduce((n, d, i) => n + (d - 1) * stride[i], 0);
  if (last >= storage.numel) {
    throw new TorchCheckpointError(
      `${what}: the view (size ${fmt(shape)}, stride ${fmt(stride)}, offset ${offset}) reads element ${last} of storage '${storage.key}', which has ${storage.numel} elements`,
    );
  }
}

const fmt = (xs: readonly number[]) => `[${xs.join(', ')}]`;
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The storage element indices of the tensor's values, in row-major order of its shape. */
function elementIndices(tensor: TorchTensor): { contiguous: true; start: number; count: number } | { contiguous: false; indices: Float64Array } {
  const { shape, stride, offset } = tensor;
  const count = numelOf(shape);
  let expected = 1;
  let contiguous = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) contiguous = false;
    expected *= shape[i];
  }
  if (contiguous) return { contiguous: true, start: offset, count };
  const indices = new Float64Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let n = 0; n < count; n++) {
    indices[n] = at;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      at += stride[d];
      if (index[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return { contiguous: false, indices };
}

function storageBytes(tensor: TorchTensor, what: string): Uint8Array {
  const bytes = tensor.storage.bytes;
  if (!bytes) throw new TorchCheckpointError(`${what}: the data of storage '${tensor.storage.key}' was never read`);
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
  const plan = elementIndices(tensor);
  if (plan.contiguous && tensor.dtype === 'float32' && hostIsLittleEndian) {
    const begin = bytes.byteOffset + plan.start * 4;
    return new Float32Array(bytes.buffer.slice(begin, begin + plan.count * 4));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = FLOAT_READERS[tensor.dtype]!;
  const count = numelOf(tensor.shape);
  const out = new Float32Array(count);
  if (plan.contiguous) for (let n = 0; n < count; n++) out[n] = read(view, (plan.start + n) * size);
  else for (let n = 0; n < count; n++) out[n] = read(view, plan.indices[n] * size);
  return out;
}

/** Values in the tensor's own precision: Float64Array for float64, BigInt64Array for int64, Float32Array for the other floats, Int32Array for the other integers and bool. */
export function tensorValues(tensor: TorchTensor, what = 'tensor'): Float32Array | Float64Array | BigInt64Array | Int32Array {
  if (tensor.dtype === 'float32' || tensor.dtype === 'float16' || tensor.dtype === 'bfloat16') return tensorToFloat32(tensor, what);
  checkView(tensor, what);
  const bytes = storageBytes(tensor, what);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_BYTES[tensor.dtype];
  const plan = elementIndices(tensor);
  const count = numelOf(tensor.shape);
  const at = (n: number) => (plan.contiguous ? plan.start + n : plan.indices[n]) * size;
  if (tensor.dtype === 'int64') {
    const out = new BigInt64Array(count);
    for (let n = 0; n < count; n++) out[n] = view.getBigInt64(at(n), true);
    return out;
  }
  if (tensor.dtype === 'float64') {
    const out = new Float64Array(count);
    for (let n = 0; n < count; n++) out[n] = view.getFloat64(at(n), true);
    return out;
  }
  const read = FLOAT_READERS[tensor.dtype]!;
  const out = new Int32Array(count);
  for (let n = 0; n < count; n++) out[n] = read(view, at(n));
  return out;
}
