/**
 * Hostile checkpoints built byte by byte for the reader's tests and fuzzers: a zip whose every
 * field can lie (declared sizes, extra fields, compression), state_dict pickles with any tensor
 * view, and raw pickle opcodes.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../../formats/crc32.ts';
import { PickleWriter } from './pickle-write.ts';

export const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of arrays) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `ops` repeated `times` times (without spreading arguments, so any count works). */
export function repeated(times: number, ...ops: number[]): Uint8Array {
  const out = new Uint8Array(times * ops.length);
  for (let i = 0; i < times; i++) out.set(ops, i * ops.length);
  return out;
}

export const u16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
export const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export interface RawRecord {
  name: string;
  /** The real (uncompressed) contents. */
  data: Uint8Array;
  /** Store it deflated (default: stored). */
  deflate?: boolean;
  /** What the directory claims the uncompressed size is (default: the truth). */
  declaredSize?: number;
  /** The central directory entry's extra field (default: none). */
  centralExtra?: Uint8Array;
}

/** A zip archive written field by field, so that any field can lie. */
export function rawZip(records: readonly RawRecord[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const r of records) {
    const name = new TextEncoder().encode(r.name);
    const body = r.deflate ? deflateSync(r.data) : r.data;
    const method = r.deflate ? 8 : 0;
    const size = r.declaredSize ?? r.data.length;
    const crc = crc32(r.data);
    const local = concat(u32(0x04034b50), u16(20), u16(0), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(size), u16(name.length), u16(0), name, body);
    const extra = r.centralExtra ?? new Uint8Array(0);
    centrals.push(concat(u32(0x02014b50), u16(20), u16(20), u16(0), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(size), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(0), u32(offset), name, extra));
    locals.push(local);
    offset += local.length;
  }
  const directory = concat(...centrals);
  const end = concat(u32(0x06054b50), u16(0), u16(0), u16(records.length), u16(records.length), u32(directory.length), u32(offset), u16(0));
  return concat(...locals, directory, end);
}

/** A tensor of a crafted state_dict: any view of any storage. */
export interface CraftedTensor {
  key: string;
  storage: string;
  /** Elements the persistent id declares for the storage. */
  numel: number;
  size: number[];
  stride: number[];
  offset?: number;
  storageType?: string;
}

/** data.pkl of an OrderedDict of the given tensors, as torch.save writes it but with any view. */
export function craftedStatePickle(tensors: readonly CraftedTensor[]): Uint8Array {
  const p = new PickleWriter(2);
  p.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  for (const t of tensors) {
    p.string(t.key).global('torch._utils', '_rebuild_tensor_v2').mark();
    p.mark().string('storage').global('torch', t.storageType ?? 'FloatStorage').string(t.storage).string('cpu').int(t.numel).tupleFromMark().persistentId();
    p.int(t.offset ?? 0).intTuple(t.size).intTuple(t.stride).bool(false);
    p.global('collections', 'OrderedDict').emptyTuple().reduce();
    p.tupleFromMark().reduce();
  }
  return p.setItems().finish();
}

/** A zip checkpoint of crafted tensors; `storages` gives each storage record (bytes or a full RawRecord). */
export function craftedCheckpoint(tensors: readonly CraftedTensor[], storages: Record<string, Uint8Array | Omit<RawRecord, 'name'>>, pickle = craftedStatePickle(tensors)): Uint8Array {
  return rawZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, s]) => ({ name: `archive/data/${key}`, ...(s instanceof Uint8Array ? { data: s } : s) })),
  ]);
}

/** A checkpoint whose data.pkl is the given pickle (no storages). */
export function picklePth(pickle: Uint8Array): Uint8Array {
  return rawZip([{ name: 'archive/data.pkl', data: pickle }]);
}
