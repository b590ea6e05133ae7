/**
 * A seeded corpus of mutated checkpoints for the reader's fuzz test and bench/fuzz-pth.ts: the
 * torch-made fixtures (zip and legacy), the zip ones also re-packed deflated, and one pickle that
 * would run os.system, mutated by flipping bytes, truncating, splicing in pieces of other files,
 * enlarging declared sizes (zip directory fields, any 2-, 4- or 8-byte integer, or the integers
 * of the state_dict pickle: tensor sizes, strides, offsets, storage element counts), mutating
 * data.pkl inside a zip that is then re-packed with valid CRCs (so the pickle reader, not the CRC
 * check, meets the damage), and adding a hostile value to the state_dict (nesting thousands deep,
 * a list or dict containing itself, 2^k-fold shared dicts, a huge APPENDS, a huge integer, a large
 * value re-used as call arguments). `runCase` reads a case fully and classifies the result.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniformStream } from '../../compiler/rng.ts';
import { TorchCheckpointError } from './errors.ts';
import { ascii, concat, rawZip, repeated, u32 } from './hostile.test-util.ts';
import { PickleDict, readPickle, type PickleCallable } from './pickle-read.ts';
import { readTorchCheckpoint } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorValues } from './tensor.ts';
import { openZip, writeZip } from './zip.ts';

export interface FuzzSource {
  name: string;
  bytes: Uint8Array;
}

/** A file an os.system payload would create if anything in a pickle were ever executed. */
export const PAYLOAD_MARKER = join(tmpdir(), `lggan-fuzz-pwned-${process.pid}`);

const FIXTURES = ['basic-zip.pth', 'basic-zip-protocol4.pth', 'basic-legacy.pth', 'wrapped-zip.pth', 'wrapped-legacy.pth', 'spectral-zip.pth', 'spectral-old-legacy.pth'];

export function fuzzSources(): FuzzSource[] {
  const read = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', name)));
  const sources: FuzzSource[] = FIXTURES.map((name) => ({ name, bytes: read(name) }));
  for (const name of ['basic-zip.pth', 'wrapped-zip.pth']) {
    const zip = openZip(read(name));
    sources.push({ name: `${name} (deflated)`, bytes: rawZip(zip.names.map((n) => ({ name: n, data: zip.read(n), deflate: true }))) });
  }
  const payload = ascii(`cos\nsystem\n(S'touch ${PAYLOAD_MARKER}'\ntR.`);
  sources.push({ name: 'os.system pickle (zip)', bytes: writeZip([{ name: 'evil/data.pkl', data: payload }]) });
  return sources;
}

export interface FuzzCase {
  index: number;
  source: string;
  mutation: string;
  bytes: Uint8Array;
}

type Random = () => number;

const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)];

/** Values a lying size field likes to hold. */
function largeValue(random: Random, original: number): number {
  return pick(random, [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, original * 1000 + 1, original + 1, 2 ** 24, 2 ** 20 + 7]);
}

function flip(bytes: Uint8Array, random: Random): Uint8Array {
  const out = bytes.slice();
  const times = 1 + int(random, 8);
  for (let i = 0; i < times && out.length > 0; i++) out[int(random, out.length)] ^= 1 + int(random, 255);
  return out;
}

function truncate(bytes: Uint8Array, random: Random): Uint8Array {
  return bytes.slice(0, int(random, bytes.length));
}

function splice(bytes: Uint8Array, random: Random, other: Uint8Array): Uint8Array {
  const from = int(random, other.length);
  const piece = other.subarray(from, from + 1 + int(random, 256));
  const at = int(random, bytes.length + 1);
  const removed = random() < 0.5 ? piece.length : int(random, 64);
  const out = new Uint8Array(bytes.length - Math.min(removed, bytes.length - at) + piece.length);
  out.set(bytes.subarray(0, at));
  out.set(piece, at);
  out.set(bytes.subarray(Math.min(bytes.length, at + removed)), at + piece.length);
  return out;
}

/** A large little-endian integer of 2, 4 or 8 bytes over whatever was at a random offset. */
function enlargeAnywhere(bytes: Uint8Array, random: Random): Uint8Array {
  const out = bytes.slice();
  if (out.length < 8) return out;
  const view = new DataView(out.buffer);
  const at = int(random, out.length - 8);
  const width = pick(random, [2, 4, 8]);
  if (width === 2) view.setUint16(at, 0xffff - int(random, 4), true);
  else if (width === 4) view.setUint32(at, largeValue(random, view.getUint32(at, true)) >>> 0, true);
  else view.setBigUint64(at, pick(random, [2n ** 63n - 1n, 2n ** 53n, 2n ** 32n, 2n ** 40n + 3n]), true);
  return out;
}

/** A zip whose directory claims other sizes (uncompressed, compressed or both) for some records. */
function enlargeZipSizes(bytes: Uint8Array, random: Random): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const entries: number[] = [];
  for (let at = 0; at + 46 <= out.length; at++) if (view.getUint32(at, true) === 0x02014b50) entries.push(at);
  if (entries.length === 0) return enlargeAnywhere(bytes, random);
  const times = 1 + int(random, 3);
  for (let i = 0; i < times; i++) {
    const entry = pick(random, entries);
    const field = pick(random, [20, 24, 24, 42]); // compressed size, uncompressed size, local header offset
    view.setUint32(entry + field, largeValue(random, view.getUint32(entry + field, true)) >>> 0, true);
  }
  return out;
}

function mutateBytes(bytes: Uint8Array, random: Random, other: Uint8Array): { bytes: Uint8Array; how: string } {
  const how = pick(random, ['flip', 'truncate', 'splice', 'enlarge']);
  if (how === 'flip') return { bytes: flip(bytes, random), how };
  if (how === 'truncate') return { bytes: truncate(bytes, random), how };
  if (how === 'splice') return { bytes: splice(bytes, random, other), how };
  return { bytes: enlargeAnywhere(bytes, random), how };
}

/** Mutates one record of a zip (data.pkl most often) and re-packs it with valid CRCs. */
function mutateRecord(bytes: Uint8Array, random: Random, other: Uint8Array): { bytes: Uint8Array; how: string } {
  const zip = openZip(bytes);
  const pickle = zip.names.find((n) => n.endsWith('data.pkl'));
  const target = pickle !== undefined && random() < 0.7 ? pickle : pick(random, zip.names);
  const changed = mutateBytes(zip.read(target), random, other);
  const deflate = random() < 0.3;
  const records = zip.names.map((name) => ({ name, data: name === target ? changed.bytes : zip.read(name), deflate }));
  return { bytes: rawZip(records), how: `${changed.how} inside ${target.replace(/^[^/]*\//, '')}${deflate ? ', deflated' : ''}` };
}

/** A size drawn on a log scale between 2 and `max`: mostly small, now and then huge. */
function logSize(random: Random, max: number): number {
  return Math.max(2, Math.round(Math.exp(random() * Math.log(max))));
}

const BINUNICODE = (text: string) => concat([0x58], u32(text.length), ascii(text));
const LONG_BINPUT = (i: number) => concat([0x72], u32(i));
const LONG_BINGET = (i: number) => concat([0x6a], u32(i));
/** Memo slots the snippets use, far above any a fixture uses. */
const SLOT = 0x7fff0000;

/** A value (pickle opcodes leaving one value on the stack) that a small file should not be able to make expensive. */
function hostileValue(random: Random): { ops: Uint8Array; what: string } {
  const n = logSize(random, 100_000);
  switch (int(random, 8)) {
    case 0: return { ops: concat(new Uint8Array(n).fill(0x5d), new Uint8Array(n - 1).fill(0x61)), what: `lists nested ${n} deep` };
    case 1: return { ops: concat(repeated(n, 0x7d, 0x4b, 1), [0x7d], repeated(n, 0x73)), what: `dicts nested ${n} deep` };
    case 2: return { ops: concat([0x5d], LONG_BINPUT(SLOT), LONG_BINGET(SLOT), [0x61]), what: 'a list containing itself' };
    case 3: return { ops: concat([0x7d], LONG_BINPUT(SLOT), [0x4b, 1], LONG_BINGET(SLOT), [0x73]), what: 'a dict containing itself' };
    case 4: {
      // d0 = {}; d_i = {'a': d_{i-1}, 'b': d_{i-1}}.
      const levels = Math.min(n, 200);
      const parts = [concat([0x7d], LONG_BINPUT(SLOT))];
      for (let i = 1; i <= levels; i++) parts.push(concat([0x7d, 0x28], BINUNICODE('a'), LONG_BINGET(SLOT + i - 1), BINUNICODE('b'), LONG_BINGET(SLOT + i - 1), [0x75], LONG_BINPUT(SLOT + i)));
      return { ops: concat(...parts), what: `dicts shared 2^${levels}-fold` };
    }
    case 5: return { ops: concat([0x5d, 0x28], repeated(n, 0x4b, 7), [0x65]), what: `APPENDS of ${n} items` };
    case 6: return { ops: concat([0x8b], u32(n * 3), new Uint8Array(n * 3).fill(0x5a)), what: `a LONG4 of ${n * 3} bytes` };
    default: {
      const calls = logSize(random, 20_000);
      const text = 'x'.repeat(Math.min(n, 50_000));
      const call = concat(LONG_BINGET(SLOT), LONG_BINGET(SLOT + 1), [0x52]);
      return {
        ops: concat(ascii('c_codecs\nencode\n'), LONG_BINPUT(SLOT), BINUNICODE(text), BINUNICODE('latin1'), [0x86], LONG_BINPUT(SLOT + 1), repeated(calls, ...call, 0x30), call),
        what: `_codecs.encode of ${text.length} characters called ${calls + 1} times`,
      };
    }
  }
}

/** Where the pickle starting at `start` ends (after its STOP), read with every global and persistent id accepted as data. */
function pickleEnd(bytes: Uint8Array, start: number): number {
  const anything: PickleCallable = { qualifiedName: 'anything', call: () => new PickleDict() };
  return readPickle(bytes, start, { label: 'fuzz source', findGlobal: () => anything, persistentLoad: () => null }).end;
}

/** The bytes of the state_dict pickle: data.pkl of a zip, the fourth pickle of a legacy stream. */
function statePickleRange(bytes: Uint8Array): { start: number; end: number } {
  let start = 0;
  for (let i = 0; i < 3; i++) start = pickleEnd(bytes, start);
  return { start, end: pickleEnd(bytes, start) };
}

/** A changed state_dict pickle: a hostile value added to the root dict, or its small integers enlarged. */
function mutatePickle(pickle: Uint8Array, random: Random): { bytes: Uint8Array; how: string } {
  if (random() < 0.5) {
    // The root dict is on top of the stack just before STOP: SETITEM a new key into it.
    const value = hostileValue(random);
    return { bytes: concat(pickle.subarray(0, pickle.length - 1), BINUNICODE('fuzz'), value.ops, [0x73, 0x2e]), how: `state_dict['fuzz'] = ${value.what}` };
  }
  // BININT1/BININT2 operands (sizes, strides, offsets, element counts) become large 4- or 8-byte integers.
  const out: number[] = [];
  let changed = 0;
  for (let i = 0; i < pickle.length; i++) {
    const op = pickle[i];
    if ((op === 0x4b || op === 0x4d) && i + (op === 0x4b ? 1 : 2) < pickle.length && random() < 0.15) {
      const big = pick(random, [2 ** 31 - 1, 2 ** 24, 2 ** 30 + 3, -1, 0, 2 ** 53 - 1, 2 ** 40]);
      if (Math.abs(big) < 2 ** 31) out.push(0x4a, ...u32(big >>> 0));
      else {
        const le: number[] = [];
        for (let v = BigInt(big), k = 0; k < 8; k++, v >>= 8n) le.push(Number(v & 0xffn));
        out.push(0x8a, 8, ...le);
      }
      i += op === 0x4b ? 1 : 2;
      changed++;
    } else out.push(op);
  }
  return { bytes: Uint8Array.from(out), how: `${changed} small integers of the pickle enlarged` };
}

/** The state_dict pickle of a source changed by mutatePickle, the file re-packed around it. */
function mutateStatePickle(bytes: Uint8Array, random: Random): { bytes: Uint8Array; how: string } {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const zip = openZip(bytes);
    const target = zip.names.find((n) => n.endsWith('data.pkl'))!;
    const changed = mutatePickle(zip.read(target), random);
    return { bytes: rawZip(zip.names.map((name) => ({ name, data: name === target ? changed.bytes : zip.read(name) }))), how: changed.how };
  }
  const { start, end } = statePickleRange(bytes);
  const changed = mutatePickle(bytes.subarray(start, end), random);
  return { bytes: concat(bytes.subarray(0, start), changed.bytes, bytes.subarray(end)), how: changed.how };
}

/** Case `index` of the corpus seeded by `seed`: the same pair always gives the same bytes. */
export function fuzzCase(sources: readonly FuzzSource[], seed: number, index: number): FuzzCase {
  const random = uniformStream((seed * 0x9e3779b1 + index) >>> 0);
  const source = pick(random, sources);
  const other = pick(random, sources).bytes;
  const zipped = source.bytes[0] === 0x50 && source.bytes[1] === 0x4b;
  const payload = source.name.startsWith('os.system');
  const kind = int(random, 6);
  let mutated: { bytes: Uint8Array; how: string };
  if (kind >= 4 && !payload) mutated = mutateStatePickle(source.bytes, random);
  else if (kind === 3 && zipped) mutated = mutateRecord(source.bytes, random, other);
  else if (kind === 2 && zipped) mutated = { bytes: enlargeZipSizes(source.bytes, random), how: 'enlarge zip sizes' };
  else mutated = mutateBytes(source.bytes, random, other);
  // Now and then a second mutation on top of the first.
  if (random() < 0.25) {
    const again = mutateBytes(mutated.bytes, random, other);
    mutated = { bytes: again.bytes, how: `${mutated.how} + ${again.how}` };
  }
  return { index, source: source.name, mutation: mutated.how, bytes: mutated.bytes };
}

export interface CaseOutcome {
  /** 'read': the container or the pickle; 'state_dict': finding the tensors; 'values': decoding them. */
  stage: 'ok' | 'read' | 'state_dict' | 'values';
  error?: TorchCheckpointError;
  /** Bytes the inflater produced. */
  inflated: number;
  /** Tensor elements decoded. */
  elements: number;
}

/** Something the reader must never do: throw anything but its own error, or lose the place of a read error. */
export class FuzzFailure extends Error {}

/** Reads a case fully (container, state_dict, every tensor's values); throws FuzzFailure for anything but a located TorchCheckpointError. */
export function runCase(bytes: Uint8Array): CaseOutcome {
  const outcome: CaseOutcome = { stage: 'ok', inflated: 0, elements: 0 };
  const stage = <T>(name: CaseOutcome['stage'], run: () => T): T => {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof TorchCheckpointError)) throw new FuzzFailure(`${name}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      if (name === 'read' && typeof e.byte !== 'number') throw new FuzzFailure(`read: an error without its byte position: ${e.message}`);
      outcome.stage = name;
      outcome.error = e;
      throw e;
    }
  };
  try {
    const checkpoint = stage('read', () => readTorchCheckpoint(bytes, { onInflate: (n) => (outcome.inflated += n) }));
    const sd = stage('state_dict', () => extractStateDict(checkpoint.root));
    stage('values', () => {
      for (const [key, tensor] of sd.tensors) outcome.elements += tensorValues(tensor, `'${key}'`).length;
    });
  } catch (e) {
    if (e instanceof FuzzFailure) throw e;
  }
  return outcome;
}

/** Whether anything from a file reached outside the reader: a payload that ran, or Object.prototype changed. */
export function escapes(prototypeBefore: readonly string[]): string[] {
  const found: string[] = [];
  if (existsSync(PAYLOAD_MARKER)) found.push(`a pickle payload ran: ${PAYLOAD_MARKER} exists`);
  const now = Object.getOwnPropertyNames(Object.prototype);
  if (now.length !== prototypeBefore.length || now.some((n, i) => n !== prototypeBefore[i])) found.push(`Object.prototype changed: ${now.join(', ')}`);
  return found;
}
