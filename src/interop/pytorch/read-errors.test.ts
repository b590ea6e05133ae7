import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../formats/crc32.ts';
import { TorchCheckpointError } from './errors.ts';
import { readTorchCheckpoint } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorValues } from './tensor.ts';
import { openZip, writeZip } from './zip.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', name)));
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The three header pickles of a legacy file (magic number, protocol 1001, sys info), taken from a torch-made fixture. */
function legacyHeader(): Uint8Array {
  const bytes = fixture('basic-legacy.pth');
  const dataPickle = bytes.indexOf(0x80, 1 + bytes.indexOf(0x2e, 1 + bytes.indexOf(0x2e, 1 + bytes.indexOf(0x2e)))); // after the third STOP
  return bytes.subarray(0, dataPickle);
}

/** Reads fully: container, state_dict and every value. */
function readAll(bytes: Uint8Array): void {
  const sd = extractStateDict(readTorchCheckpoint(bytes).root);
  for (const [key, t] of sd.tensors) tensorValues(t, key);
}

function errorOf(run: () => void): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('malicious pickles are refused and nothing is executed', () => {
  const marker = join(tmpdir(), `lggan-pickle-pwned-${process.pid}`);
  // os.system("touch <marker>") in protocol 0 (GLOBAL) and protocol 4 (STACK_GLOBAL) form.
  const protocol0 = ascii(`cos\nsystem\n(S'touch ${marker}'\ntR.`);
  const protocol4 = concat(Uint8Array.of(0x80, 0x04, 0x8c, 2), ascii('os'), Uint8Array.of(0x94, 0x8c, 6), ascii('system'), Uint8Array.of(0x94, 0x93, 0x94), ascii(`X`), Uint8Array.of(5 + marker.length + 1, 0, 0, 0), ascii(`touch ${marker}`), Uint8Array.of(0x85, 0x52, 0x2e));

  it('in a zip checkpoint data.pkl', () => {
    const bytes = writeZip([{ name: 'evil/data.pkl', data: protocol0 }, { name: 'evil/version', data: ascii('3\n') }]);
    const e = errorOf(() => readTorchCheckpoint(bytes));
    expect(e).toBeInstanceOf(TorchCheckpointError);
    expect(e.message).toBe('pickle: refusing pickle global os.system at byte 0 of evil/data.pkl: it is not on the allow-list of what a PyTorch state_dict may contain (nothing was executed)');
    expect(existsSync(marker)).toBe(false);
  });

  it('in a legacy stream (protocol 4, STACK_GLOBAL), with the byte offset in the file', () => {
    const header = legacyHeader();
    const e = errorOf(() => readTorchCheckpoint(concat(header, protocol4)));
    expect(e.message).toContain(`refusing pickle global os.system at byte ${header.length + 16} of the legacy torch.save stream`);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['builtins', 'eval'],
    ['__builtin__', 'getattr'],
    ['posix', 'system'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_device_tensor_from_numpy'],
    ['numpy.core.multiarray', '_reconstruct'],
  ])('refuses %s.%s', (module, name) => {
    const bytes = writeZip([{ name: 'a/data.pkl', data: ascii(`c${module}\n${name}\n)R.`) }]);
    expect(() => readTorchCheckpoint(bytes)).toThrow(`refusing pickle global ${module}.${name} at byte 0 of a/data.pkl`);
  });

  it('refuses opcodes that build arbitrary objects (INST, OBJ, EXT)', () => {
    const inst = writeZip([{ name: 'a/data.pkl', data: ascii('(ios\nsystem\n.') }]);
    expect(() => readTorchCheckpoint(inst)).toThrow('opcode INST at byte 1 of a/data.pkl is not allowed in a state_dict pickle');
    const ext = writeZip([{ name: 'a/data.pkl', data: Uint8Array.of(0x80, 2, 0x82, 1, 0x2e) }]);
    expect(() => readTorchCheckpoint(ext)).toThrow('opcode EXT1 at byte 2 of a/data.pkl is not allowed');
  });
});

describe('truncated and corrupt files give positioned errors', () => {
  it('a truncated zip checkpoint: every cut is a TorchCheckpointError saying where', () => {
    const bytes = fixture('basic-zip.pth');
    for (const cut of [0, 10, 100, 1000, 2000, bytes.length - 23, bytes.length - 1]) {
      const e = errorOf(() => readAll(bytes.subarray(0, cut)));
      expect(e, `cut at ${cut}`).toBeInstanceOf(TorchCheckpointError);
      expect(e.message, `cut at ${cut}`).toMatch(cut === 0 ? /empty/ : /truncated|bytes/);
    }
  });

  it('a truncated legacy checkpoint names the record and byte, at every cut point', () => {
    const bytes = fixture('basic-legacy.pth');
    const messages: string[] = [];
    for (let cut = 0; cut < bytes.length; cut += 1) {
      const e = errorOf(() => readAll(bytes.subarray(0, cut)));
      // Always our error, never a crash of another kind or a partial result.
      expect(e, `cut at ${cut}: ${e.message}`).toBeInstanceOf(TorchCheckpointError);
      messages.push(e.message);
    }
    const some = (pattern: RegExp) => expect(messages.some((m) => pattern.test(m)), String(pattern)).toBe(true);
    some(/^pickle: truncated: \w+ at byte \d+ of the legacy torch\.save stream \(data pickle from byte \d+\) needs \d+ more bytes but only \d+ remain$/);
    some(/^pickle: truncated: the pickle in the legacy torch\.save stream \(storage keys at byte \d+\) ends at byte \d+/);
    some(/^legacy checkpoint truncated: storage '\d+' \(#\d+ of 15\) should start with its 8-byte element count at byte \d+ but the file ends at byte \d+$/);
    some(/^legacy checkpoint truncated: storage '\d+' \(#\d+ of 15, \d+ × float32\) needs bytes \d+–\d+ but the file has \d+$/);
  });

  it('a corrupted stored record fails its CRC, naming the record', () => {
    const bytes = fixture('basic-zip.pth').slice();
    const zip = openZip(bytes);
    const record = 'basic-zip/data/0';
    bytes[zip.dataOffset(record) + 3] ^= 0xff;
    expect(() => readAll(bytes)).toThrow(`zip: record '${record}' at byte ${zip.dataOffset(record)}: CRC-32 mismatch, the data is corrupt`);
  });

  it('a corrupted opcode (with a valid CRC) is reported at its byte in data.pkl', () => {
    const source = openZip(fixture('basic-zip.pth'));
    const pickle = source.read('basic-zip/data.pkl').slice();
    const at = pickle.indexOf(0x63); // the first GLOBAL
    pickle[at] = 0xff;
    const bytes = writeZip(source.names.map((name) => ({ name, data: name.endsWith('data.pkl') ? pickle : source.read(name) })));
    expect(() => readAll(bytes)).toThrow(`pickle: unknown opcode 0xff at byte ${at} of basic-zip/data.pkl: corrupt pickle or not a pickle`);
    expect(crc32(pickle)).not.toBe(crc32(source.read('basic-zip/data.pkl')));
  });

  it('a storage record shorter than its tensors need is refused', () => {
    const source = openZip(fixture('basic-zip.pth'));
    const bytes = writeZip(source.names.map((name) => ({ name, data: name === 'basic-zip/data/0' ? source.read(name).subarray(0, 8) : source.read(name) })));
    expect(() => readAll(bytes)).toThrow(/^record 'basic-zip\/data\/0' holds 8 bytes but storage '0' needs \d+ \(\d+ × float32\): truncated or corrupt$/);
  });

  it('flipped bytes anywhere in a legacy file never crash with anything but a TorchCheckpointError', () => {
    const original = fixture('basic-legacy.pth');
    let failures = 0;
    for (let at = 0; at < original.length; at += 3) {
      const bytes = original.slice();
      bytes[at] ^= 0x5a;
      try {
        readAll(bytes);
      } catch (e) {
        expect(e, `flip at ${at}: ${(e as Error).message}`).toBeInstanceOf(TorchCheckpointError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  it('a file that is neither format is named as such', () => {
    expect(() => readTorchCheckpoint(ascii('\xffhello, not a checkpoint'))).toThrow(/^not a PyTorch checkpoint: neither a zip archive nor a legacy torch\.save stream \(pickle: unknown opcode 0xff at byte 0/);
    expect(() => readTorchCheckpoint(ascii('PK\x03\x04 and nothing else, no directory'))).toThrow(/^zip: no end-of-central-directory record/);
  });
});
