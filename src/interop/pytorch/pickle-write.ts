/**
 * A small protocol-2 pickle writer for the subset torch.save produces for a state_dict: strings,
 * integers, booleans, tuples, GLOBAL references, REDUCE calls, persistent ids and dict items.
 * The caller composes these calls in the order the object is to be rebuilt.
 */
import { concatBytes } from '../../formats/bytes.ts';

const OP = {
  PROTO: 0x80, STOP: 0x2e, MARK: 0x28, GLOBAL: 0x63, REDUCE: 0x52, BINPERSID: 0x51, EMPTY_TUPLE: 0x29, TUPLE: 0x74,
  TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, BINUNICODE: 0x58,
  NEWTRUE: 0x88, NEWFALSE: 0x89, SETITEMS: 0x75, NONE: 0x4e,
} as const;

export class PickleWriter {
  private chunks: Uint8Array[] = [];
  private current = new Uint8Array(1 << 16);
  private length = 0;
  private readonly encoder = new TextEncoder();

  constructor(protocol = 2) {
    this.bytes(OP.PROTO, protocol);
  }

  private bytes(...values: number[]): void {
    for (const v of values) {
      if (this.length === this.current.length) this.flush();
      this.current[this.length++] = v;
    }
  }

  private raw(data: Uint8Array): void {
    this.flush();
    this.chunks.push(data);
  }

  private flush(): void {
    if (this.length > 0) this.chunks.push(this.current.slice(0, this.length));
    this.length = 0;
  }

  private u32(value: number): void {
    this.bytes(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  mark(): this {
    this.bytes(OP.MARK);
    return this;
  }

  /** A module-level name: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` … */
  global(module: string, name: string): this {
    this.bytes(OP.GLOBAL);
    this.raw(this.encoder.encode(`${module}\n${name}\n`));
    return this;
  }

  string(text: string): this {
    const data = this.encoder.encode(text);
    this.bytes(OP.BINUNICODE);
    this.u32(data.length);
    this.raw(data);
    return this;
  }

  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw new Error(`pickle writer: ${value} is not a safe integer`);
    if (value >= 0 && value < 0x100) this.bytes(OP.BININT1, value);
    else if (value >= 0 && value < 0x10000) this.bytes(OP.BININT2, value & 0xff, value >>> 8);
    else if (value >= -0x80000000 && value < 0x80000000) {
      this.bytes(OP.BININT);
      this.u32(value >>> 0);
    } else {
      // LONG1: little-endian two's complement, as short as the value allows.
      const out: number[] = [];
      let v = BigInt(value);
      for (;;) {
        const byte = Number(v & 0xffn);
        out.push(byte);
        v >>= 8n;
        if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) break;
      }
      this.bytes(OP.LONG1, out.length, ...out);
    }
    return this;
  }

  bool(value: boolean): this {
    this.bytes(value ? OP.NEWTRUE : OP.NEWFALSE);
    return this;
  }

  none(): this {
    this.bytes(OP.NONE);
    return this;
  }

  /** A tuple of integers (sizes, strides). */
  intTuple(values: readonly number[]): this {
    if (values.length === 0) {
      this.bytes(OP.EMPTY_TUPLE);
      return this;
    }
    if (values.length > 3) this.mark();
    for (const v of values) this.int(v);
    this.bytes(values.length === 1 ? OP.TUPLE1 : values.length === 2 ? OP.TUPLE2 : values.length === 3 ? OP.TUPLE3 : OP.TUPLE);
    return this;
  }

  emptyTuple(): this {
    this.bytes(OP.EMPTY_TUPLE);
    return this;
  }

  /** Closes the items since the last mark() into a tuple. */
  tupleFromMark(): this {
    this.bytes(OP.TUPLE);
    return this;
  }

  /** Calls the callable below the argument tuple on the stack. */
  reduce(): this {
    this.bytes(OP.REDUCE);
    return this;
  }

  /** The value on the stack becomes a persistent id for the unpickler's persistent_load. */
  persistentId(): this {
    this.bytes(OP.BINPERSID);
    return this;
  }

  /** Adds the key/value pairs since the last mark() to the dict below them. */
  setItems(): this {
    this.bytes(OP.SETITEMS);
    return this;
  }

  finish(): Uint8Array {
    this.bytes(OP.STOP);
    this.flush();
    return concatBytes(this.chunks);
  }
}
