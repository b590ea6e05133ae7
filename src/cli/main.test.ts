import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, type CliIO } from './io.ts';
import { main } from './main.ts';
import { installProcessHandlers } from './process-exit.ts';

const shipped = readFileSync(new URL('../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8');

/** Runs the CLI against in-memory files and records what it prints. */
async function run(argv: string[], files: Record<string, string> = {}, extra: Partial<CliIO> = {}, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => err.push(...l.split('\n')),
    readFile: async (path) => {
      if (path in files) return files[path];
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    ...extra,
  };
  const code = await main(argv, io, env);
  return { code, out, err };
}

function mutate(change: (doc: any) => void): string {
  const doc = JSON.parse(shipped);
  change(doc);
  return JSON.stringify(doc, null, 2);
}

describe('lggan validate', () => {
  it('accepts the shipped graph', async () => {
    const r = await run(['validate', 'g.json'], { 'g.json': shipped });
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toEqual(['ok g.json: 23 nodes, 23 edges']);
  });

  // Bad input tried as a new user would: each gives one line naming the file, the place and what was expected.
  const cases: [string, string, RegExp][] = [
    ['truncated JSON', shipped.slice(0, 400), /^bad\.json:\d+:\d+: error: \[json-syntax\] .*(end|ends)/i],
    ['wrong version', mutate((d) => (d.version = 7)), /^bad\.json:4:3: error: \[newer-version\] \(\/version\): .*format version 7/],
    ['duplicate ids', mutate((d) => (d.nodes[3].id = d.nodes[1].id)), /^bad\.json:\d+:\d+: error: \[duplicate-id\] node 'enc' \(\/nodes\/3\/id\): /],
    ['edge to a missing port', mutate((d) => (d.edges[0].to.port = 'input')), /^bad\.json:\d+:\d+: error: \[missing-port\] node 'enc' port 'input' edge #0 \(\/edges\/0\/to\/port\): 'core\/conv2d' has no input port 'input' \(its inputs: x\)/],
    ['param out of range', mutate((d) => (d.nodes[1].params.kernel = 99)), /^bad\.json:\d+:\d+: error: \[bad-param\] node 'enc' param 'kernel' \(\/nodes\/1\/params\/kernel\): kernel expects a value between 1 and 15, got 99/],
    ['10^9-pixel template', mutate((d) => Object.assign(d.template, { height: 31623, width: 31623 })), /^bad\.json:\d+:\d+: error: \[template-too-large\] \(\/template.*\): .*exceeds the limit/],
  ];
  for (const [name, text, line] of cases) {
    it(`gives one clear line for ${name}`, async () => {
      const r = await run(['validate', 'bad.json'], { 'bad.json': text });
      expect(r.code).toBe(1);
      expect(r.out).toEqual([]);
      expect(r.err[0]).toMatch(line);
      expect(r.err.every((l) => !/\n|    at /.test(l))).toBe(true); // no stack traces
    });
  }

  it("reports Object.prototype's names as ordinary unknown names, each at its place", async () => {
    const text = mutate((d) => {
      d.nodes[1].params.hasOwnProperty = 1;
      d.nodes[1].params.out_channels = 'valueOf(1)';
      d.edges[2].to.port = 'constructor';
    }).replace('"kernel":', '"__proto__": 2, "kernel":');
    const r = await run(['validate', 'bad.json'], { 'bad.json': text });
    expect(r.code).toBe(1);
    expect(r.err).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\.json:\d+:\d+: error: \[missing-port\] node 'enc_act' port 'constructor' edge #2 \(\/edges\/2\/to\/port\): 'core\/activation' has no input port 'constructor'/),
        expect.stringMatching(/^bad\.json:\d+:\d+: error: \[unknown-param\] node 'enc' param '__proto__' \(\/nodes\/1\/params\/__proto__\): 'core\/conv2d' has no param '__proto__'/),
        expect.stringMatching(/^bad\.json:\d+:\d+: error: \[unknown-param\] node 'enc' param 'hasOwnProperty' \(\/nodes\/1\/params\/hasOwnProperty\)/),
        expect.stringMatching(/^bad\.json:\d+:\d+: error: \[bad-param\] node 'enc' param 'out_channels' \(\/nodes\/1\/params\/out_channels\): out_channels expression "valueOf\(1\)": unknown function 'valueOf'/),
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('prints at most 200 problems per file, then how many more there were', async () => {
    // 1,000 stray nodes of unknown types: one loader warning and one resolver warning each.
    const text = mutate((d) => {
      for (let i = 0; i < 1000; i++) d.nodes.push({ id: `stray${i}`, type: 'future/thing', typeVersion: 1, params: {}, position: { x: 0, y: 0 } });
    });
    const r = await run(['validate', 'big.json'], { 'big.json': text });
    expect(r.err).toHaveLength(201);
    expect(r.err[200]).toBe('big.json: warning: [too-many-diagnostics] … and 901 more not listed (901 warnings); only the first 200 are shown');
    expect(r.out).toEqual(['ok big.json: 1023 nodes, 23 edges, 1101 warnings']);
  });

  it('reports every file and fails if any fails', async () => {
    const r = await run(['validate', 'g.json', 'missing.json'], { 'g.json': shipped });
    expect(r.code).toBe(1);
    expect(r.out).toEqual(['ok g.json: 23 nodes, 23 edges']);
    expect(r.err).toEqual(["error cannot read 'missing.json': no such file"]);
  });
});

describe('lggan inspect', () => {
  it('prints per-node shapes, params and totals per network', async () => {
    const r = await run(['inspect', 'g.json'], { 'g.json': shipped });
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/down\s+core\/conv2d\s+G\s+H\/2×W\/2×16\s+1,168\s+294\.91 k/);
    expect(text).toMatch(/^G\s+15,147\s+0\s/m);
    expect(text).toMatch(/^D\s+3,465\s+144\s/m);
    expect(text).toMatch(/^all\s+18,612\s+144\s/m);
  });

  it('has a JSON form with the content hash and the batch-scaled memory', async () => {
    const one = JSON.parse((await run(['inspect', 'g.json', '--json'], { 'g.json': shipped })).out.join('\n'));
    const four = JSON.parse((await run(['inspect', 'g.json', '--json', '--batch=4'], { 'g.json': shipped })).out.join('\n'));
    expect(one.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(one.networks.G.params).toBe(15147);
    expect(four.networks.G.activationBytes).toBe(4 * one.networks.G.activationBytes);
    expect(four.nodes.find((n: any) => n.id === 'down').outputs.y).toEqual({ kind: 'feature', shape: [4, 16, 16, 16], symbolic: 'B×H/2×W/2×16' });
  });
});

describe('lggan compile', () => {
  it('builds the program and runs one seeded forward pass', async () => {
    const r = await run(['compile', 'g.json', '--seed', '3'], { 'g.json': shipped });
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Tiny pix2pix: 23 variables, backend cpu, seed 3, batch 1$/);
    expect(r.out[1]).toMatch(/^ {2}fake: \[1, 32, 32, 3\] \(H×W×3\) {2}range \[-0\.\d+, 0\.\d+\]$/);
    expect(r.out[2]).toMatch(/^ {2}patches: \[1, 10, 10, 1\]/);
  });

  it('refuses a graph with errors, naming them', async () => {
    const r = await run(['compile', 'bad.json'], { 'bad.json': mutate((d) => (d.nodes[1].params.out_channels = 'ngf*0')) });
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/node 'enc' param 'out_channels'/);
  });
});

describe('usage errors', () => {
  it('gives one line and exit 2', async () => {
    expect(await run([])).toMatchObject({ code: 2 });
    expect(await run(['frob'])).toMatchObject({ code: 2, err: ["lggan: unknown command 'frob' (commands: validate, inspect, compile, train, generate, convert, import-checkpoint, export-checkpoint, export-pytorch, diff, sweep, compare; see lggan --help)"] });
    expect(await run(['inspect'])).toMatchObject({ code: 2, err: ['lggan inspect: inspect takes exactly one graph file'] });
    expect(await run(['inspect', 'g.json', '--bach', '2'])).toMatchObject({ code: 2, err: ['lggan inspect: unknown option --bach: did you mean --batch?'] });
    expect(await run(['validate'])).toMatchObject({ code: 2 });
  });

  it('prints one command\'s help for COMMAND --help, -h and help COMMAND', async () => {
    const help = await run(['convert', '--help']);
    expect(help.code).toBe(0);
    expect(help.out.slice(0, 7)).toEqual([
      'usage: lggan convert IN [options]',
      '',
      'between LGGAN graphs and litegraph/ComfyUI workflow JSON (the format of IN is detected)',
      '',
      'options:',
      '      --to litegraph|lggan  the format to write (default: the other format)',
      '  -o, --out FILE            where to write (default: stdout)',
    ]);
    expect((await run(['export-pytorch', '-h'])).out[0]).toBe('usage: lggan export-pytorch GRAPH [options]');
    expect((await run(['help', 'convert'])).out).toEqual(help.out);
  });

  it('lists every command in the help, with its summary', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const from = help.out.indexOf('commands:') + 1;
    const names = help.out.slice(from, help.out.indexOf('', from)).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(['validate', 'inspect', 'compile', 'train', 'generate', 'convert', 'import-checkpoint', 'export-checkpoint', 'export-pytorch', 'diff', 'sweep', 'compare']);
  });
});

describe('exit codes: bad input 1, usage 2, internal error 70', () => {
  /** A stdout that breaks under the command: an exception no command expects, raised mid-run. */
  const brokenOut = { out: () => { throw new TypeError("Cannot read properties of undefined (reading 'write')"); } };

  it('an unexpected exception is one internal-error line, exit 70, after the diagnostics already printed', async () => {
    const r = await run(['validate', 'missing.json', 'g.json'], { 'g.json': shipped }, brokenOut);
    expect(r.code).toBe(EXIT.internal);
    expect(r.code).toBe(70);
    expect(r.err).toEqual([
      "error cannot read 'missing.json': no such file",
      "lggan validate: internal error, a bug in lggan rather than a problem with the input: TypeError: Cannot read properties of undefined (reading 'write') (--debug or LGGAN_DEBUG=1 prints the stack)",
    ]);
  });

  it('prints the stack only with --debug or LGGAN_DEBUG', async () => {
    const flagged = await run(['validate', 'g.json', '--debug'], { 'g.json': shipped }, brokenOut);
    expect(flagged.code).toBe(70);
    expect(flagged.err[0]).toMatch(/^lggan validate: internal error, .*TypeError: Cannot read properties of undefined \(reading 'write'\)$/);
    expect(flagged.err.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
    const viaEnv = await run(['validate', 'g.json'], { 'g.json': shipped }, brokenOut, { LGGAN_DEBUG: '1' });
    expect(viaEnv.err.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
    const off = await run(['validate', 'g.json'], { 'g.json': shipped }, brokenOut, { LGGAN_DEBUG: '0' });
    expect(off.err).toHaveLength(1);
  });

  it('clears a progress bar still drawn on a terminal before the line', async () => {
    const events: string[] = [];
    const r = await run(['validate', 'g.json'], { 'g.json': shipped }, { ...brokenOut, isTTY: true, status: (l) => events.push(`status '${l}'`), err: (l) => events.push(`err ${l.slice(0, 30)}`) });
    expect(r.code).toBe(70);
    expect(events).toEqual(["status ''", 'err lggan validate: internal error']);
  });

  it('a path the command cannot write is the environment, not a bug: exit 1 with the path', async () => {
    const out = `/nonexistent-lggan-dir-${process.pid}/x.json`;
    const r = await run(['convert', 'g.json', '-o', out], { 'g.json': shipped });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`error cannot write '${out}': ENOENT: no such file or directory, open '${out}'`]);
  });

  it('keeps bad input at 1 and usage at 2', async () => {
    expect((await run(['validate', 'bad.json'], { 'bad.json': '{' })).code).toBe(EXIT.problems);
    expect((await run(['validate', 'missing.json'])).code).toBe(1);
    expect((await run(['validate', '--frob'])).code).toBe(2);
    expect((await run(['validate', 'g.json', '--debug'], { 'g.json': shipped })).code).toBe(0); // --debug is not a command option
  });

  it('documents the codes in --help', async () => {
    const help = (await run(['--help'])).out.join('\n');
    const codes = help.slice(help.indexOf('exit codes:')).split('\n').map((l) => l.trim().split(/\s+/)[0]);
    expect(codes).toEqual(['exit', '0', '1', '2', '70', '130']);
    expect(help).toMatch(/\n {2}70 {3}internal error: .*--debug or LGGAN_DEBUG=1/);
    expect(help).toMatch(/\n {2}130 {2}interrupted/);
  });

  it('an exception escaping every command (a callback, a rejection) also ends as one line and 70', () => {
    const proc = Object.assign(new EventEmitter(), { exits: [] as number[], written: [] as string[] });
    const fake = Object.assign(proc, { exit: (code: number) => proc.exits.push(code), stderr: { write: (t: string) => proc.written.push(t) } });
    installProcessHandlers(fake, false);
    fake.emit('uncaughtException', new RangeError('Invalid array length'));
    fake.emit('unhandledRejection', 'plain reason');
    expect(proc.exits).toEqual([70, 70]);
    expect(proc.written).toEqual([
      'lggan: internal error, a bug in lggan rather than a problem with the input: RangeError: Invalid array length (--debug or LGGAN_DEBUG=1 prints the stack)\n',
      'lggan: internal error, a bug in lggan rather than a problem with the input: plain reason (--debug or LGGAN_DEBUG=1 prints the stack)\n',
    ]);
  });
});

describe('training-only warnings', () => {
  const lggan = readFileSync(new URL('../../graphs/lggan-cityscapes-tiny.json', import.meta.url), 'utf8');
  const vgg = /no VGG19 weights file is set/;

  it('validate reports the perceptual loss without VGG19 weights, with its place', async () => {
    const r = await run(['validate', 'g.json'], { 'g.json': lggan });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^g\.json:\d+:\d+: warning: \[node-warning\] node 'g_vgg' \(\/nodes\/\d+\): no VGG19 weights file is set/)]);
  });

  it('commands that do not train leave it out', async () => {
    const inspect = await run(['inspect', 'g.json'], { 'g.json': lggan });
    expect(inspect.code).toBe(0);
    expect(inspect.err.filter((l) => vgg.test(l))).toEqual([]);
    const json = JSON.parse((await run(['inspect', 'g.json', '--json'], { 'g.json': lggan })).out.join('\n'));
    expect(json.diagnostics).toEqual([]);
    const compile = await run(['compile', 'g.json', '--json'], { 'g.json': lggan });
    expect(compile.code).toBe(0);
    expect(compile.err).toEqual([]);
    expect(JSON.parse(compile.out.join('\n')).diagnostics).toEqual([]);
  });
});
