/**
 * A pickle reader that builds data and executes nothing. It understands protocols 0–5 as far as
 * state_dicts need them (containers, numbers, strings, bytes, memo, persistent ids, REDUCE/NEWOBJ/
 * BUILD on allow-listed globals). A GLOBAL/STACK_GLOBAL is resolved through the caller's
 * allow-list at the moment it is read; anything else stops the read with
 * "refusing pickle global os.system at byte 123", before any other opcode runs.
 *
 * A small hostile pickle must not cost much either, so the work is bounded by its length:
 * integers are at most MAX_INT_BYTES long (decoded in linear time), every opcode is O(1) or
 * proportional to the items it pops, re-using a large value (memo) as call arguments or BUILD
 * state draws from a budget proportional to the pickle's length, and the finished value is walked
 * once, iteratively, refusing cycles and nesting deeper than MAX_NESTING, so that no consumer
 * can recurse without end. Every error carries the byte of the opcode (or container) at fault.
 */
import { TorchCheckpointError } from './errors.ts';

/** A Python dict / OrderedDict, keys in insertion order; BUILD state lands in `attributes`. */
export class PickleDict extends Map<unknown, unknown> {
  #attributes: Map<string, unknown> | undefined;
  constructor(readonly pyClass: 'dict' | 'collections.OrderedDict' = 'dict') {
    super();
  }
  /** Made on first use: most dicts have none, and a hostile pickle may hold a million dicts. */
  get attributes(): Map<string, unknown> {
    return (this.#attributes ??= new Map());
  }
  get hasAttributes(): boolean {
    return this.#attributes !== undefined && this.#attributes.size > 0;
  }
}

/** Python tuples are frozen arrays (lists are plain arrays). */
export type PickleTuple = readonly unknown[];

/** What an allow-listed global resolves to: something REDUCE/NEWOBJ may call with its arguments. */
export interface PickleCallable {
  /** "module.name", for messages. */
  readonly qualifiedName: string;
  call(args: PickleTuple, at: number): unknown;
  /** BUILD on an object this callable made (optional). */
  build?(target: unknown, state: unknown, at: number): void;
}

export function isCallable(value: unknown): value is PickleCallable {
  return typeof value === 'object' && value !== null && typeof (value as PickleCallable).call === 'function' && 'qualifiedName' in value;
}

export interface PickleReadOptions {
  /** Where the pickle is, for messages: "archive/data.pkl", "the legacy stream" … */
  label: string;
  /** The zip record or stream part, kept on errors (default: the label). */
  entry?: string;
  /** Added to positions in messages (the pickle's offset inside the file). */
  baseOffset?: number;
  /** The allow-list: a value for a known global, undefined to refuse it. */
  findGlobal(module: string, name: string): unknown;
  /** persistent_load: turns a persistent id into a value (storages). Without it, persistent ids are refused. */
  persistentLoad?(pid: unknown, at: number): unknown;
}

/** Longest integer (LONG1/LONG4 bytes; LONG's decimal digits count as 0.42 bytes each): 2048 bits. */
export const MAX_INT_BYTES = 256;
/** Deepest nesting of containers (a state_dict is about 6 deep: checkpoint → optimizer → state → …). */
export const MAX_NESTING = 100;
/** Work units a pickle may spend beyond one per opcode, per byte of pickle (plus a fixed allowance). */
const WORK_PER_BYTE = 4;
const WORK_ALLOWANCE = 1 << 20;

class MarkObject {}
const MARK = new MarkObject();

const decoder = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A bigint as a number when that is exact. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Little-endian two's-complement integer (callers cap the length): one hex parse, linear time. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += HEX[bytes[i]];
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return narrow(value);
}

/** Values the structure walk descends into. */
function childrenOf(value: unknown): Iterable<unknown> | null {
  if (Array.isArray(value) || value instanceof Set) return value;
  if (value instanceof PickleDict) return dictChildren(value);
  return null;
}

function* dictChildren(dict: PickleDict): Iterable<unknown> {
  for (const [k, v] of dict) {
    yield k;
    yield v;
  }
  if (dict.hasAttributes) yield* dict.attributes.values();
}

function isEmpty(container: object): boolean {
  if (Array.isArray(container)) return container.length === 0;
  if (container instanceof PickleDict) return container.size === 0 && !container.hasAttributes;
  return (container as Set<unknown>).size === 0;
}

/** How many items a value holds at its top level: what copying it out of the memo costs. */
function sizeOf(value: unknown): number {
  if (Array.isArray(value) || typeof value === 'string' || value instanceof Uint8Array) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  return 0;
}

/** Decimal digits of the longest LONG (MAX_INT_BYTES bytes). */
const MAX_INT_DIGITS = Math.ceil(MAX_INT_BYTES * 8 * Math.log10(2)) + 1;

/** A hostile text quoted in a message, cut short. */
function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
}

function tuple(items: unknown[]): PickleTuple {
  return Object.freeze(items);
}

/** Reads one pickle starting at `start`; returns its value and the position after STOP. */
export function readPickle(bytes: Uint8Array, start: number, options: PickleReadOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const base = options.baseOffset ?? 0;
  const where = (at: number) => `at byte ${base + at} of ${options.label}`;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opAt = start;
  let opName = '';
  const entry = options.entry ?? options.label;
  /** Where each container was made, for errors found when walking the finished value. */
  const madeAt = new Map<object, number>(); // a Map: a WeakMap of 100k keys costs the GC far more
  let work = 0;
  const workLimit = WORK_PER_BYTE * (bytes.length - start) + WORK_ALLOWANCE;

  function fail(message: string, at = opAt): never {
    throw new TorchCheckpointError(`pickle: ${message}`, { byte: base + at, entry });
  }
  /** Re-using big values many times (memo) is what a small pickle could make expensive. */
  const charge = (units: number) => {
    work += units;
    if (work > workLimit) fail(`${opName} ${where(opAt)}: the pickle re-uses large values more than a ${bytes.length - start}-byte pickle can need (over ${workLimit} items copied): refused`);
  };
  const made = <T>(value: T): T => {
    if (typeof value === 'object' && value !== null) madeAt.set(value, opAt);
    return value;
  };
  const longOfLength = (n: number): number | bigint => {
    if (n > MAX_INT_BYTES) fail(`${opName} ${where(opAt)} declares a ${n}-byte integer; at most ${MAX_INT_BYTES} bytes are supported (a state_dict holds small integers)`);
    return decodeLong(take(n));
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > bytes.length) {
      fail(`truncated: ${opName} ${where(opAt)} needs ${n} more bytes but only ${bytes.length - pos} remain`);
    }
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = () => take(1)[0];
  const u16 = () => (take(2), view.getUint16(pos - 2, true));
  const u32 = () => (take(4), view.getUint32(pos - 4, true));
  const i32 = () => (take(4), view.getInt32(pos - 4, true));
  const u64 = () => {
    take(8);
    const value = view.getBigUint64(pos - 8, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${opName} ${where(opAt)} declares a length of ${value} bytes`);
    return Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated: ${opName} ${where(opAt)} has no end of line`);
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail(`${opName} ${where(opAt)} pops an empty stack: corrupt pickle`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`${opName} ${where(opAt)} needs a value on the stack: corrupt pickle`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) fail(`${opName} ${where(opAt)} without a MARK: corrupt pickle`);
    return stack.splice(mark);
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) fail(`${opName} ${where(opAt)} reads memo entry ${index}, which was never stored: corrupt pickle`);
    return memo.get(index);
  };
  const resolveGlobal = (module: string, name: string): unknown => {
    const found = options.findGlobal(module, name);
    if (found === undefined) fail(`refusing pickle global ${short(module)}.${short(name)} ${where(opAt)}: it is not on the allow-list of what a PyTorch state_dict may contain (nothing was executed)`);
    return found;
  };
  const dictOf = (target: unknown): PickleDict => {
    if (!(target instanceof PickleDict)) fail(`${opName} ${where(opAt)} sets items on a ${describe(target)}, not a dict`);
    return target;
  };
  const listOf = (target: unknown): unknown[] => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`${opName} ${where(opAt)} appends to a ${describe(target)}, not a list`);
    return target as unknown[];
  };
  const setItems = (dict: PickleDict, items: unknown[]) => {
    if (items.length % 2 !== 0) fail(`${opName} ${where(opAt)} has an odd number of items: corrupt pickle`);
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (!isCallable(callable)) fail(`${opName} ${where(opAt)} calls a ${describe(callable)}, which is not an allow-listed callable`);
    if (!Array.isArray(args)) fail(`${opName} ${where(opAt)} passes ${describe(args)} as arguments, not a tuple`);
    // A callable may read every argument once (OrderedDict's items, a tensor's size): that is the cost.
    charge(args.length + args.reduce((n: number, a) => n + sizeOf(a), 0));
    return made(located(() => callable.call(args as PickleTuple, base + opAt)));
  };
  const persistent = (pid: unknown): unknown => {
    if (!options.persistentLoad) fail(`${opName} ${where(opAt)}: persistent ids are not expected in ${options.label}`);
    return located(() => options.persistentLoad!(pid, base + opAt));
  };
  /** A caller's error (a tensor rebuild, a persistent id) gets this opcode's byte and the pickle's record when it has none. */
  const located = <T>(run: () => T): T => {
    try {
      return run();
    } catch (e) {
      if (e instanceof TorchCheckpointError && (e.entry === undefined || e.byte === undefined) && e.constructor === TorchCheckpointError) {
        throw new TorchCheckpointError(e.message, { byte: e.byte ?? base + opAt, entry: e.entry ?? entry });
      }
      throw e;
    }
  };
  const builders = new WeakMap<object, PickleCallable>();

  /**
   * One iterative depth-first walk of the finished value (each container once, however often it
   * is shared): refuses a container inside itself and nesting deeper than MAX_NESTING, naming
   * the byte where the offending container was made.
   */
  const checkStructure = (root: unknown) => {
    const height = new Map<object, number>(); // containers done: how deep they nest below
    const onPath = new Set<object>();
    const path: { value: object; children: Iterator<unknown>; height: number }[] = [];
    const placeOf = (value: object) => madeAt.get(value) ?? opAt;
    const tooDeep = (value: object): never =>
      fail(`the ${describe(value)} made ${where(placeOf(value))} is nested more than ${MAX_NESTING} levels deep: not a state_dict`, placeOf(value));
    const enter = (container: object, children: Iterable<unknown>) => {
      if (onPath.has(container)) fail(`the ${describe(container)} made ${where(placeOf(container))} contains itself: a state_dict has no cycles`, placeOf(container));
      if (path.length >= MAX_NESTING) tooDeep(container);
      onPath.add(container);
      path.push({ value: container, children: children[Symbol.iterator](), height: 0 });
    };
    const rootChildren = childrenOf(root);
    if (rootChildren !== null) enter(root as object, rootChildren);
    while (path.length > 0) {
      const frame = path[path.length - 1];
      const next = frame.children.next();
      if (next.done) {
        path.pop();
        onPath.delete(frame.value);
        height.set(frame.value, frame.height);
        if (path.length > 0) path[path.length - 1].height = Math.max(path[path.length - 1].height, frame.height + 1);
        continue;
      }
      const children = childrenOf(next.value);
      if (children === null) continue; // a number, a string, a tensor …
      const container = next.value as object;
      if (isEmpty(container)) {
        // Nothing inside: one level deep, no cycle possible (the common case for millions of `[]`).
        if (path.length + 1 > MAX_NESTING) tooDeep(container);
        continue;
      }
      const below = height.get(container);
      if (below === undefined) {
        enter(container, children);
        continue;
      }
      // Shared and already walked: only its depth below counts.
      if (path.length + 1 + below > MAX_NESTING) tooDeep(container);
      frame.height = Math.max(frame.height, below + 1);
    }
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.length) fail(`truncated: the pickle in ${options.label} ends ${where(pos)} without a STOP opcode`);
    const op = bytes[pos++];
    opName = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
    switch (op) {
      case 0x80: { // PROTO
        const protocol = u8();
        if (protocol > 5) fail(`unsupported pickle protocol ${protocol} ${where(opAt)}`);
        break;
      }
      case 0x95: u64(); break; // FRAME: framing is only a read-ahead hint
      case 0x2e: { // STOP
        const value = pop();
        checkStructure(value);
        return { value, end: pos };
      }
      case 0x28: marks.push(stack.length); break;
      case 0x30: if (marks.length > 0 && marks[marks.length - 1] === stack.length) marks.pop(); else pop(); break;
      case 0x31: popMark(); break;
      case 0x32: stack.push(top()); break;
      // Numbers
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break;
      case 0x4d: stack.push(u16()); break;
      case 0x4a: stack.push(i32()); break;
      case 0x8a: stack.push(longOfLength(u8())); break;
      case 0x8b: {
        const n = i32();
        if (n < 0) fail(`LONG4 ${where(opAt)} has a negative length`);
        stack.push(longOfLength(n));
        break;
      }
      case 0x47: take(8); stack.push(view.getFloat64(pos - 8, false)); break; // big-endian double
      case 0x49: { // INT (protocol 0): "01"/"00" are True/False
        const text = line().trim();
        if (text === '01' || text === '00') stack.push(text === '01');
        else {
          const value = Number(text);
          if (!Number.isFinite(value)) fail(`INT ${where(opAt)} is not a number: '${short(text)}'`);
          stack.push(value);
        }
        break;
      }
      case 0x4c: { // LONG (protocol 0)
        const text = line().trim().replace(/L$/, '');
        if (text.length > MAX_INT_DIGITS) fail(`LONG ${where(opAt)} has ${text.length} digits; at most ${MAX_INT_DIGITS} are supported (a state_dict holds small integers)`);
        if (!/^[-+]?\d+$/.test(text)) fail(`LONG ${where(opAt)} is not an integer: '${short(text)}'`);
        stack.push(narrow(BigInt(text)));
        break;
      }
      case 0x46: {
        const text = line().trim();
        const value = Number(text);
        if (Number.isNaN(value) && text.toLowerCase() !== 'nan') fail(`FLOAT ${where(opAt)} is not a number: '${short(text)}'`);
        stack.push(value);
        break;
      }
      // Strings and bytes
      case 0x58: stack.push(decoder.decode(take(u32()))); break;
      case 0x8c: stack.push(decoder.decode(take(u8()))); break;
      case 0x8d: stack.push(decoder.decode(take(u64()))); break;
      case 0x56: stack.push(line()); break; // raw-unicode-escape; state_dict keys are ASCII
      case 0x55: stack.push(decoder.decode(take(u8()))); break; // Python 2 str, read as torch.load does (utf-8)
      case 0x54: {
        const n = i32();
        if (n < 0) fail(`BINSTRING ${where(opAt)} has a negative length`);
        stack.push(decoder.decode(take(n)));
        break;
      }
      case 0x53: { // STRING: a quoted repr
        const text = line().trim();
        if (text.length < 2 || text[0] !== text[text.length - 1] || (text[0] !== "'" && text[0] !== '"')) fail(`STRING ${where(opAt)} is not quoted: corrupt pickle`);
        stack.push(text.slice(1, -1));
        break;
      }
      case 0x43: stack.push(take(u8()).slice()); break;
      case 0x42: stack.push(take(u32()).slice()); break;
      case 0x8e: stack.push(take(u64()).slice()); break;
      case 0x96: stack.push(take(u64()).slice()); break;
      // Containers
      case 0x29: stack.push(made(tuple([]))); break;
      case 0x74: stack.push(made(tuple(popMark()))); break;
      case 0x85: stack.push(made(tuple([pop()]))); break;
      case 0x86: { const b = pop(); const a = pop(); stack.push(made(tuple([a, b]))); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(made(tuple([a, b, c]))); break; }
      case 0x5d: stack.push(made([])); break;
      case 0x6c: stack.push(made(popMark())); break;
      case 0x61: { const item = pop(); listOf(top()).push(item); break; }
      case 0x65: { // APPENDS: one push per item (a spread of 300k items overflows the call stack)
        const items = popMark();
        const list = listOf(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x7d: stack.push(made(new PickleDict())); break;
      case 0x64: { const dict = made(new PickleDict()); setItems(dict, popMark()); stack.push(dict); break; }
      case 0x73: { const value = pop(); const key = pop(); dictOf(top()).set(key, value); break; }
      case 0x75: { const items = popMark(); setItems(dictOf(top()), items); break; }
      case 0x8f: stack.push(made(new Set())); break;
      case 0x90: {
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) fail(`ADDITEMS ${where(opAt)} adds to a ${describe(set)}, not a set`);
        for (const item of items) (set as Set<unknown>).add(item);
        break;
      }
      case 0x91: stack.push(made(Object.freeze(new Set(popMark())))); break;
      // Memo
      case 0x71: memo.set(u8(), top()); break;
      case 0x72: memo.set(u32(), top()); break;
      case 0x70: memo.set(Number(line()), top()); break;
      case 0x94: memo.set(memo.size, top()); break;
      case 0x68: stack.push(memoGet(u8())); break;
      case 0x6a: stack.push(memoGet(u32())); break;
      case 0x67: stack.push(memoGet(Number(line()))); break;
      // Globals and calls: only through the allow-list
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL ${where(opAt)} needs two strings`);
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        const result = call(callable, args);
        if (isCallable(callable) && callable.build && typeof result === 'object' && result !== null) builders.set(result, callable);
        stack.push(result);
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        const result = call(cls, args);
        if (isCallable(cls) && cls.build && typeof result === 'object' && result !== null) builders.set(result, cls);
        stack.push(result);
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        charge(1 + sizeOf(state));
        const builder = typeof target === 'object' && target !== null ? builders.get(target) : undefined;
        if (builder?.build) builder.build(target, state, base + opAt);
        else if (target instanceof PickleDict && state instanceof PickleDict) {
          for (const [k, v] of state) {
            // Attribute names are strings; anything else (a list nested 100k deep) must not reach String().
            if (typeof k !== 'string') fail(`BUILD ${where(opAt)} sets an attribute named by a ${describe(k)}, not a string`);
            target.attributes.set(k, v);
          }
        } else fail(`BUILD ${where(opAt)} on a ${describe(target)} is not supported`);
        break;
      }
      case 0x51: stack.push(persistent(pop())); break; // BINPERSID
      case 0x50: stack.push(persistent(line())); break; // PERSID
      case 0x69: case 0x6f: case 0x92: case 0x82: case 0x83: case 0x84: case 0x97: case 0x98:
        fail(`opcode ${opName} ${where(opAt)} is not allowed in a state_dict pickle`);
        break;
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')} ${where(opAt)}: corrupt pickle or not a pickle`);
    }
  }
}

/** A short description of a value's Python-side type, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value === MARK) return 'MARK';
  if (Array.isArray(value)) return Object.isFrozen(value) ? `tuple of ${value.length}` : `list of ${value.length}`;
  if (value instanceof PickleDict) return value.pyClass;
  if (value instanceof Uint8Array) return 'bytes';
  if (isCallable(value)) return value.qualifiedName;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value === 'string' ? 'str' : typeof value;
}
