/**
 * Reads a PyTorch checkpoint (torch.save output) from bytes, in the browser or in Node:
 * - the zip container of torch ≥ 1.6: `<prefix>/data.pkl` plus one record per storage,
 *   `<prefix>/data/<key>` (any archive prefix);
 * - the legacy stream of torch 0.4–1.5 (and `_use_new_zipfile_serialization=False`): pickles of
 *   the magic number, the protocol version and the system info, the data pickle with persistent
 *   ids for storages, the list of storage keys, then every storage as an int64 element count and
 *   its raw little-endian bytes.
 * Pickles run on our own reader with an allow-list (OrderedDict, tensor/parameter rebuilds,
 * typed storages); nothing in the file is ever executed.
 *
 * Sizes in the file are claims, checked before they cost anything: zip storages are read only
 * when a tensor's values are asked for, and then a storage's declared size is checked against
 * `maxStorageBytes` (what the caller's graph can use) and its record's declared size against the
 * storage, the file and the archive's inflate budget, all before it is inflated. (A legacy
 * stream's storages are views of the file itself and cost nothing.)
 */
import { TorchCheckpointError } from './errors.ts';
import { PickleDict, describe, readPickle, type PickleCallable, type PickleTuple } from './pickle-read.ts';
import { DTYPE_BYTES, STORAGE_TYPES, checkView, type StorageType, type TorchStorage, type TorchTensor } from './tensor.ts';
import { isZip, openZip } from './zip.ts';

/** The largest data.pkl inflated from a deflated record: a state_dict's pickle is kilobytes (LGGAN's G: about 100 KB). */
export const MAX_PICKLE_BYTES = 16 * 2 ** 20;

export interface ReadLimits {
  /** The most bytes a zip storage that is read may declare (default: no limit beyond the file and the inflate budget). */
  maxStorageBytes?: number;
  /** The most bytes deflated zip records may inflate to in all (default: zip.ts's DEFAULT_MAX_INFLATED_BYTES). */
  maxInflatedBytes?: number;
  /** Sees each piece of inflated output (tests measure the work done with it). */
  onInflate?: (length: number) => void;
}

/** torch.serialization's MAGIC_NUMBER and PROTOCOL_VERSION of the legacy format. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

export interface TorchCheckpoint {
  format: 'zip' | 'legacy';
  /** The unpickled object: tensors are TorchTensor, dicts PickleDict, tuples frozen arrays. */
  root: unknown;
  /** Every storage, by key. */
  storages: Map<string, TorchStorage>;
}

/** What a persistent id resolves to: a storage, or (legacy) an element range of one. */
interface StorageRef {
  readonly kind: 'storage-ref';
  storage: TorchStorage;
  offset: number;
  numel: number;
}

function isStorageRef(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as StorageRef).kind === 'storage-ref';
}

function isStorageType(value: unknown): value is StorageType {
  return typeof value === 'object' && value !== null && typeof (value as StorageType).storageType === 'string';
}

function fail(message: string, byte?: number, entry?: string): never {
  throw new TorchCheckpointError(message, { byte, entry });
}

function intArg(value: unknown, what: string, at: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`${what} at byte ${at} is ${describe(value)}, not an integer`, at);
  return value;
}

/** A count or an offset: a whole number ≥ 0 that a double holds exactly. */
function countArg(value: unknown, what: string, at: number): number {
  const n = intArg(value, what, at);
  if (n < 0 || !Number.isSafeInteger(n)) fail(`${what} at byte ${at} is ${n}, not a count`, at);
  return n;
}

function intTuple(value: unknown, what: string, at: number): number[] {
  if (!Array.isArray(value)) fail(`${what} at byte ${at} is ${describe(value)}, not a tuple`, at);
  return value.map((v, i) => intArg(v, `${what}[${i}]`, at));
}

function callable(qualifiedName: string, call: (args: PickleTuple, at: number) => unknown, build?: PickleCallable['build']): PickleCallable {
  return { qualifiedName, call, build };
}

function rebuildTensor(args: PickleTuple, at: number, label: string): TorchTensor {
  const [ref, offset, size, stride, requiresGrad] = args;
  const where = `tensor rebuilt at byte ${at} of ${label}`;
  if (!isStorageRef(ref)) fail(`${where}: its storage is ${describe(ref)}, not a persistent storage`, at);
  const tensor: TorchTensor = {
    kind: 'tensor',
    dtype: ref.storage.dtype,
    shape: intTuple(size, `${where}: size`, at),
    stride: intTuple(stride, `${where}: stride`, at),
    offset: ref.offset + intArg(offset, `${where}: storage offset`, at),
    storage: ref.storage,
    requiresGrad: requiresGrad === true,
    parameter: false,
  };
  try {
    checkView(tensor, where);
    if (ref.offset > 0 || ref.numel < ref.storage.numel) {
      // A legacy storage view: the tensor must stay inside the view, not just the root storage.
      checkView({ ...tensor, offset: tensor.offset - ref.offset, storage: { ...ref.storage, numel: ref.numel } }, `${where} (storage view of ${ref.numel} elements from ${ref.offset})`);
    }
  } catch (e) {
    if (e instanceof TorchCheckpointError) fail(e.message, at);
    throw e;
  }
  return tensor;
}

/** The allow-list: what a state_dict pickle may name. Everything else is refused by the reader. */
function allowList(label: string): (module: string, name: string) => unknown {
  const orderedDict = callable('collections.OrderedDict', (args, at) => {
    const dict = new PickleDict('collections.OrderedDict');
    if (args.length === 1 && Array.isArray(args[0])) {
      for (const pair of args[0]) {
        if (!Array.isArray(pair) || pair.length !== 2) fail(`collections.OrderedDict at byte ${at}: its items are not (key, value) pairs`, at);
        dict.set(pair[0], pair[1]);
      }
    } else if (args.length !== 0) fail(`collections.OrderedDict at byte ${at} called with ${args.length} arguments`, at);
    return dict;
  });
  const globals: Record<string, unknown> = {
    'collections.OrderedDict': orderedDict,
    'torch._utils._rebuild_tensor_v2': callable('torch._utils._rebuild_tensor_v2', (args, at) => rebuildTensor(args, at, label)),
    'torch._utils._rebuild_tensor': callable('torch._utils._rebuild_tensor', (args, at) => rebuildTensor(args, at, label)),
    'torch._utils._rebuild_parameter': callable('torch._utils._rebuild_parameter', (args, at) => asParameter(args, at)),
    'torch._utils._rebuild_parameter_with_state': callable('torch._utils._rebuild_parameter_with_state', (args, at) => asParameter(args, at)),
    // Python 3 bytes in a protocol-2 pickle: _codecs.encode(text, 'latin1').
    '_codecs.encode': callable('_codecs.encode', (args, at) => {
      const [text, encoding] = args;
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) fail(`_codecs.encode at byte ${at}: only (str, 'latin1') is supported`, at);
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }),
  };
  for (const [storageType, { dtype, bytes }] of Object.entries(STORAGE_TYPES)) {
    const marker: StorageType = { storageType, dtype, elementBytes: bytes };
    globals[`torch.${storageType}`] = marker;
  }
  return (module, name) => globals[`${module}.${name}`];
}

function asParameter(args: PickleTuple, at: number): TorchTensor {
  const [data, requiresGrad] = args;
  if (typeof data !== 'object' || data === null || (data as TorchTensor).kind !== 'tensor') fail(`torch._utils._rebuild_parameter at byte ${at}: its data is ${describe(data)}, not a tensor`, at);
  return { ...(data as TorchTensor), requiresGrad: requiresGrad === true, parameter: true };
}

/** ('storage', storage_type, key, location, numel[, view_metadata]) → the storage, registered by key. */
function storageFromPid(pid: unknown, at: number, storages: Map<string, TorchStorage>, legacy: boolean): { ref: StorageRef; isNew: boolean } {
  if (!Array.isArray(pid) || pid[0] !== 'storage') fail(`persistent id at byte ${at} is ${describe(pid)}, not a ('storage', …) tuple`, at);
  const [, type, key, location, numel, view] = pid;
  if (!isStorageType(type)) fail(`persistent id at byte ${at}: storage type is ${describe(type)}, not a torch storage type`, at);
  if (typeof key !== 'string') fail(`persistent id at byte ${at}: storage key is ${describe(key)}, not a string`, at);
  const count = countArg(numel, `persistent id at byte ${at}: element count`, at);
  let storage = storages.get(key);
  const isNew = storage === undefined;
  if (!storage) {
    storage = { key, dtype: type.dtype, numel: count, location: typeof location === 'string' ? location : describe(location) };
    storages.set(key, storage);
  } else if (storage.dtype !== type.dtype) {
    fail(`persistent id at byte ${at}: storage '${short(key)}' is used as ${type.storageType} but was ${storage.dtype} before`, at);
  } else if (storage.numel !== count) {
    fail(`persistent id at byte ${at}: storage '${short(key)}' is said to hold ${count} elements but held ${storage.numel} before`, at);
  }
  if (legacy && view !== null && view !== undefined) {
    // (view_key, offset, view_size): an element range of the root storage (torch 0.4 storage views).
    if (!Array.isArray(view) || view.length !== 3) fail(`persistent id at byte ${at}: bad view metadata ${describe(view)}`, at);
    const offset = countArg(view[1], `persistent id at byte ${at}: view offset`, at);
    const size = countArg(view[2], `persistent id at byte ${at}: view size`, at);
    if (offset + size > storage.numel) fail(`persistent id at byte ${at}: view of ${size} elements at ${offset} exceeds storage '${short(key)}' of ${storage.numel}`, at);
    return { ref: { kind: 'storage-ref', storage, offset, numel: size }, isNew };
  }
  return { ref: { kind: 'storage-ref', storage, offset: 0, numel: storage.numel }, isNew };
}

/** A key or name from the file quoted in a message, cut short. */
function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function readZipCheckpoint(bytes: Uint8Array, limits: ReadLimits): TorchCheckpoint {
  const zip = openZip(bytes, { maxInflatedBytes: limits.maxInflatedBytes, onInflate: limits.onInflate });
  const pickles = zip.names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    fail(
      pickles.length === 0
        ? `zip archive has no '<prefix>/data.pkl' record, so it is not a torch.save file (records: ${zip.names.slice(0, 6).map(short).join(', ')})`
        : `zip archive has several data.pkl records: ${pickles.slice(0, 6).map(short).join(', ')}`,
      0,
    );
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = `${prefix}byteorder`;
  if (zip.has(byteorder)) {
    const order = new TextDecoder().decode(zip.read(byteorder, 16)).trim();
    if (order !== 'little') fail(`record '${byteorder}' at byte ${zip.dataOffset(byteorder)} says '${short(order)}': only little-endian checkpoints are supported`, zip.dataOffset(byteorder), byteorder);
  }
  const label = pickles[0];
  const storages = new Map<string, TorchStorage>();
  const { value: root } = readPickle(zip.read(label, MAX_PICKLE_BYTES), 0, {
    label,
    baseOffset: 0,
    findGlobal: allowList(label),
    persistentLoad(pid, at) {
      const { ref, isNew } = storageFromPid(pid, at, storages, false);
      if (isNew) {
        // Everything about the record is checked now; its bytes are read when a tensor needs them.
        const storage = ref.storage;
        const record = `${prefix}data/${storage.key}`;
        if (!zip.has(record)) fail(`storage '${short(storage.key)}' (persistent id at byte ${at} of ${label}) has no record '${short(record)}' in the archive`, at, label);
        const needed = storage.numel * DTYPE_BYTES[storage.dtype];
        const declared = zip.declaredSize(record);
        if (declared < needed) fail(`record '${record}' holds ${declared} bytes but storage '${storage.key}' needs ${needed} (${storage.numel} × ${storage.dtype}): truncated or corrupt`, zip.dataOffset(record), record);
        storage.load = () => {
          // Only storages of tensors someone reads get here: a big storage nobody uses costs nothing.
          if (limits.maxStorageBytes !== undefined && needed > limits.maxStorageBytes) {
            fail(`storage '${short(storage.key)}' (persistent id at byte ${at} of ${label}) declares ${storage.numel} × ${storage.dtype} (${needed} bytes), more than the ${limits.maxStorageBytes} bytes the target's variables can use: refused before reading it`, at, label);
          }
          const data = zip.read(record, needed);
          if (data.length < needed) fail(`record '${record}' holds ${data.length} bytes but storage '${storage.key}' needs ${needed} (${storage.numel} × ${storage.dtype}): truncated or corrupt`, zip.dataOffset(record), record);
          return data;
        };
      }
      return ref;
    },
  });
  return { format: 'zip', root, storages };
}

function readLegacyCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  const label = 'the legacy torch.save stream';
  const noGlobals = () => undefined;
  let magic: unknown;
  let pos: number;
  try {
    ({ value: magic, end: pos } = readPickle(bytes, 0, { label: `${label} (magic number)`, findGlobal: noGlobals }));
  } catch (e) {
    if (!(e instanceof TorchCheckpointError)) throw e;
    fail(`not a PyTorch checkpoint: neither a zip archive nor a legacy torch.save stream (${e.message})`, e.byte ?? 0);
  }
  if (magic !== LEGACY_MAGIC) fail(`not a PyTorch checkpoint: the first pickle (bytes 0–${pos}) is ${describe(magic)}${typeof magic === 'object' ? '' : ` ${short(String(magic))}`}, not torch's magic number`, 0);
  let protocol: unknown;
  ({ value: protocol, end: pos } = readPickle(bytes, pos, { label: `${label} (protocol version)`, findGlobal: noGlobals }));
  if (protocol !== LEGACY_PROTOCOL) fail(`legacy checkpoint at byte ${pos}: protocol version ${typeof protocol === 'object' ? describe(protocol) : short(String(protocol))}, expected ${LEGACY_PROTOCOL}`, pos);
  let sysInfo: unknown;
  const sysInfoAt = pos;
  ({ value: sysInfo, end: pos } = readPickle(bytes, pos, { label: `${label} (system info)`, findGlobal: noGlobals }));
  if (sysInfo instanceof PickleDict && sysInfo.get('little_endian') === false) fail(`legacy checkpoint was written on a big-endian machine (system info at byte ${sysInfoAt}): not supported`, sysInfoAt);

  const storages = new Map<string, TorchStorage>();
  const dataStart = pos;
  let root: unknown;
  ({ value: root, end: pos } = readPickle(bytes, pos, {
    label: `${label} (data pickle from byte ${dataStart})`,
    findGlobal: allowList(label),
    persistentLoad: (pid, at) => storageFromPid(pid, at, storages, true).ref,
  }));
  let keys: unknown;
  const keysAt = pos;
  ({ value: keys, end: pos } = readPickle(bytes, pos, { label: `${label} (storage keys at byte ${keysAt})`, findGlobal: noGlobals }));
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) fail(`legacy checkpoint: the storage key list at byte ${keysAt} is ${describe(keys)}, not a list of strings`, keysAt);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [i, key] of (keys as string[]).entries()) {
    const storage = storages.get(key);
    if (!storage) fail(`legacy checkpoint: storage key '${short(key)}' (#${i} in the list at byte ${keysAt}) is used by no tensor`, keysAt);
    if (storage.bytes) fail(`legacy checkpoint: storage key '${short(key)}' (#${i} in the list at byte ${keysAt}) is listed twice`, keysAt);
    if (pos + 8 > bytes.length) fail(`legacy checkpoint truncated: storage '${short(key)}' (#${i} of ${keys.length}) should start with its 8-byte element count at byte ${pos} but the file ends at byte ${bytes.length}`, pos);
    const count = view.getBigInt64(pos, true);
    if (count !== BigInt(storage.numel)) fail(`legacy checkpoint: storage '${short(key)}' at byte ${pos} says ${count} elements, its persistent id said ${storage.numel}: corrupt`, pos);
    const length = storage.numel * DTYPE_BYTES[storage.dtype];
    if (pos + 8 + length > bytes.length) {
      fail(`legacy checkpoint truncated: storage '${short(key)}' (#${i} of ${keys.length}, ${count} × ${storage.dtype}) needs bytes ${pos + 8}–${pos + 8 + length} but the file has ${bytes.length}`, pos);
    }
    storage.bytes = bytes.subarray(pos + 8, pos + 8 + length);
    pos += 8 + length;
  }
  const unread = [...storages.keys()].filter((k) => !storages.get(k)!.bytes);
  if (unread.length > 0) fail(`legacy checkpoint: storages ${unread.slice(0, 8).map(short).join(', ')}${unread.length > 8 ? ' …' : ''} are used by tensors but not in the key list at byte ${keysAt}`, keysAt);
  return { format: 'legacy', root, storages };
}

function isTar(bytes: Uint8Array): boolean {
  return bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

export function readTorchCheckpoint(bytes: Uint8Array, limits: ReadLimits = {}): TorchCheckpoint {
  if (bytes.length === 0) fail('the file is empty (0 bytes)', 0);
  if (isZip(bytes)) return readZipCheckpoint(bytes, limits);
  if (isTar(bytes)) fail('tar-format checkpoint (PyTorch before 0.1.10): not supported; load and re-save it with a newer PyTorch', 257);
  return readLegacyCheckpoint(bytes);
}
