/** The command-line parser, the help made from the specs, --version and the usage exit code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { editDistance, intFlag, parseCommandArgs, suggest, type FlagSpec } from './args.ts';
import { cli } from './cli.test-util.ts';
import { COMMAND_SPECS } from './command-specs.ts';
import { commandHelp } from './help.ts';
import { EXIT, UsageError } from './io.ts';

const spec = COMMAND_SPECS.generate;
const parse = (argv: string[]) => parseCommandArgs(argv, spec);
const usage = (argv: string[]) => {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no usage error');
};

describe('parseCommandArgs', () => {
  it('takes --name value, --name=value, -o value and switches; the last repeat wins; -- ends the flags', () => {
    expect(parse(['g.json', '--weights', 'w', '--labels=l', '-o', 'out', '--all', '--format', 'png', '--format=npy', '--', '--size'])).toEqual({
      positional: ['g.json', '--size'],
      flags: { weights: 'w', labels: 'l', out: 'out', all: true, format: 'npy' },
    });
    expect(parse(['-oout'])).toEqual({ positional: [], flags: { out: 'out' } });
  });

  it('refuses an unknown flag with the nearest known one, or the list when none is near', () => {
    expect(usage(['--wieghts', 'w'])).toBe('unknown option --wieghts: did you mean --weights?');
    expect(usage(['--lables=x'])).toBe('unknown option --lables: did you mean --labels?');
    expect(usage(['--siz', '1x1'])).toBe('unknown option --siz: did you mean --size?');
    expect(usage(['--quality', '3'])).toBe('unknown option --quality (options: --weights, --labels, --out, --aerial, --size, --format, --all)');
    expect(usage(['-x'])).toBe('unknown option -x (options: --weights, --labels, --out, --aerial, --size, --format, --all)');
    expect(parseCommandArgs.bind(null, ['--json'], { name: 'x', flags: {} })).toThrow('unknown option --json (it takes no options)');
  });

  it('says which value is missing or unwanted', () => {
    expect(usage(['--weights'])).toBe('--weights needs a value (FILE)');
    expect(usage(['--out', '--all'])).toBe("--out needs a value (DIR), got the option-like '--all' (write --out=--all if you mean it)");
    expect(usage(['--all=yes'])).toBe('--all takes no value');
    expect(parse(['--out=-dir'])).toEqual({ positional: [], flags: { out: '-dir' } });
  });

  it('shows a hostile flag name quoted, never raw', () => {
    expect(usage(['--\u001b[31mred'])).toBe('unknown option "--\\u001b[31mred" (options: --weights, --labels, --out, --aerial, --size, --format, --all)');
  });

  it('reads whole numbers only', () => {
    expect(intFlag({ n: '12' }, 'n', 1, 1)).toBe(12);
    expect(intFlag({}, 'n', 7, 1)).toBe(7);
    for (const bad of ['1.5', '0x10', '-3', '', '1e3', 'many']) expect(() => intFlag({ n: bad }, 'n', 1, 0)).toThrow(UsageError);
  });
});

describe('suggestions', () => {
  it('measure edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggest only names near enough to be a typo', () => {
    const names = Object.keys(COMMAND_SPECS);
    expect(suggest('valdiate', names)).toBe('validate');
    expect(suggest('genrate', names)).toBe('generate');
    expect(suggest('exprot-pytorch', names)).toBe('export-pytorch');
    expect(suggest('frob', names)).toBeUndefined();
  });
});

describe('help text', () => {
  it('lists every flag of every command with its placeholder and default', () => {
    for (const s of Object.values(COMMAND_SPECS)) {
      const help = commandHelp(s);
      expect(help.split('\n')[0]).toBe(`usage: lggan ${s.name} ${s.args} [options]`);
      for (const [name, f] of Object.entries(s.flags as Record<string, FlagSpec>)) {
        const line = help.split('\n').find((l) => l.includes(`--${name}${f.value ? ` ${f.value}` : ''}`));
        expect(line, `${s.name} --${name}`).toBeDefined();
        if (f.short) expect(line).toContain(`-${f.short}, --${name}`);
        if (f.default !== undefined) expect(help).toContain(`(default: ${f.default})`);
      }
      expect(help).toContain('--backend wasm|cpu|webgpu');
      expect(help).toContain('\nexit codes:\n  0    ok');
    }
  });

  it('gives -o/--out to every command that writes a file or folder', () => {
    const writers = Object.values(COMMAND_SPECS).filter((s) => 'out' in s.flags).map((s) => s.name);
    expect(writers).toEqual(['train', 'generate', 'convert', 'import-checkpoint', 'export-checkpoint', 'export-pytorch', 'sweep', 'compare']);
    for (const name of writers) expect((COMMAND_SPECS[name as keyof typeof COMMAND_SPECS].flags as Record<string, { short?: string }>).out.short).toBe('o');
  });

  it('states generate\'s defaults in its help', async () => {
    const r = await cli(['generate', '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toEqual(
      expect.arrayContaining([
        '  -o, --out DIR          output folder (required)',
        '      --format png|npy   npy: the network output as float32 HxWxC, values as computed (no clamping) (default: png)',
        "      --size WxH         run at another size (the template's width and height re-resolved) (default: the graph's template size)",
      ]),
    );
  });
});

describe('lggan --version, usage errors', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

  it('prints the package version for --version and -V', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: [pkg.version], err: [] });
    expect(await cli(['-V'])).toEqual({ code: 0, out: [pkg.version], err: [] });
  });

  it('exits 2 with one line and a suggestion for a mistyped command or flag', async () => {
    expect(await cli(['valdiate', 'g.json'])).toEqual({
      code: EXIT.usage,
      out: [],
      err: ["lggan: unknown command 'valdiate': did you mean validate? (commands: validate, inspect, compile, train, generate, convert, import-checkpoint, export-checkpoint, export-pytorch, diff, sweep, compare; see lggan --help)"],
    });
    expect(await cli(['validate', 'g.json', '--jsn'])).toEqual({ code: EXIT.usage, out: [], err: ['lggan validate: unknown option --jsn: did you mean --json?'] });
    expect(await cli(['--verison'])).toMatchObject({ code: EXIT.usage, err: [expect.stringMatching(/^lggan: unknown option '--verison' /)] });
    expect(await cli(['compile', 'g.json', '--batch', 'two'])).toEqual({ code: EXIT.usage, out: [], err: ["lggan compile: --batch expects a whole number ≥ 1, got 'two'"] });
  });
});
