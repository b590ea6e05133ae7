/**
 * Writes a state_dict as torch.save (≥ 1.6) does: a zip archive with `archive/data.pkl` (pickle
 * protocol 2: an OrderedDict of tensors rebuilt by torch._utils._rebuild_tensor_v2 from
 * persistent storages), `archive/byteorder`, one record `archive/data/<n>` per tensor and
 * `archive/version`. `torch.load` reads it, and the official code's `load_state_dict` takes it.
 */
import { floatToHalf } from '../../formats/safetensors.ts';
import { TorchCheckpointError } from './errors.ts';
import { PickleWriter } from './pickle-write.ts';
import { DTYPE_BYTES, numelOf, storageTypeName, type TorchDtype } from './tensor.ts';
import { writeZip, type ZipRecord } from './zip.ts';

export type WritableDtype = Exclude<TorchDtype, 'bfloat16' | 'int16' | 'int8'>;

export interface TensorToSave {
  key: string;
  dtype: WritableDtype;
  /** PyTorch's shape; [] for a scalar. */
  shape: readonly number[];
  /** Row-major values; int64 as bigint or whole numbers. */
  values: ArrayLike<number> | BigInt64Array;
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The file format version torch 1.13 writes. */
const FILE_FORMAT_VERSION = '3\n';

function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = step;
    step *= shape[i];
  }
  return stride;
}

function encode(tensor: TensorToSave): Uint8Array {
  const count = numelOf(tensor.shape);
  if (tensor.values.length !== count) {
    throw new TorchCheckpointError(`cannot write '${tensor.key}': shape [${tensor.shape.join(', ')}] has ${count} elements but ${tensor.values.length} values were given`);
  }
  if (tensor.dtype === 'float32' && hostIsLittleEndian) return new Uint8Array(Float32Array.from(tensor.values as ArrayLike<number>).buffer);
  const size = DTYPE_BYTES[tensor.dtype];
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  const values = tensor.values;
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const v = values[i];
    switch (tensor.dtype) {
      case 'float32': view.setFloat32(at, Number(v), true); break;
      case 'float64': view.setFloat64(at, Number(v), true); break;
      case 'float16': view.setUint16(at, floatToHalf(Number(v)), true); break;
      case 'int64': view.setBigInt64(at, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))), true); break;
      case 'int32': view.setInt32(at, Number(v), true); break;
      case 'uint8': view.setUint8(at, Number(v)); break;
      case 'bool': view.setUint8(at, Number(v) ? 1 : 0); break;
    }
  }
  return out;
}

/** The data.pkl of an OrderedDict of contiguous tensors; tensor i uses storage key `i`. */
function statePickle(tensors: readonly TensorToSave[]): Uint8Array {
  const p = new PickleWriter(2);
  p.global('collections', 'OrderedDict').emptyTuple().reduce();
  const BATCH = 1000; // what Python's pickler uses per SETITEMS
  for (let start = 0; start < tensors.length; start += BATCH) {
    p.mark();
    tensors.slice(start, start + BATCH).forEach((t, j) => {
      const i = start + j;
      p.string(t.key);
      p.global('torch._utils', '_rebuild_tensor_v2').mark();
      // persistent id: ('storage', torch.<Type>Storage, key, location, numel)
      p.mark().string('storage').global('torch', storageTypeName(t.dtype)).string(String(i)).string('cpu').int(numelOf(t.shape)).tupleFromMark().persistentId();
      p.int(0).intTuple(t.shape).intTuple(contiguousStride(t.shape)).bool(false);
      p.global('collections', 'OrderedDict').emptyTuple().reduce(); // backward hooks
      p.tupleFromMark().reduce();
    });
    p.setItems();
  }
  return p.finish();
}

export interface WriteOptions {
  /** The zip's top folder (torch.save uses the file name without extension; "archive" since torch 2). */
  archiveName?: string;
}

export function writeTorchCheckpoint(tensors: readonly TensorToSave[], options: WriteOptions = {}): Uint8Array {
  const archive = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(archive)) throw new TorchCheckpointError(`archive name '${archive}' must be a plain folder name`);
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.key)) throw new TorchCheckpointError(`cannot write: key '${t.key}' appears twice`);
    seen.add(t.key);
  }
  const records: ZipRecord[] = [
    { name: `${archive}/data.pkl`, data: statePickle(tensors) },
    { name: `${archive}/byteorder`, data: new TextEncoder().encode('little') },
    ...tensors.map((t, i) => ({ name: `${archive}/data/${i}`, data: encode(t) })),
    { name: `${archive}/version`, data: new TextEncoder().encode(FILE_FORMAT_VERSION) },
  ];
  return writeZip(records);
}
