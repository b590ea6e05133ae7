/** The help text of `lggan --help` and `lggan COMMAND --help`, made from the command specs. */
import type { CommandSpec, FlagSpec } from './args.ts';
import { COMMAND_SPECS } from './command-specs.ts';
import { EXIT_CODES_HELP } from './io.ts';

/** Flags every command takes, taken out before the command's own parsing (main.ts). */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  backend: {
    type: 'string',
    value: 'wasm|cpu|webgpu',
    default: 'wasm',
    help: 'tfjs backend of the commands that compute (wasm: XNNPACK with SIMD, a heap of at most 4 GiB, one thread unless LGGAN_WASM_THREADS=N; cpu: slower, no such limit; webgpu: a GPU through Dawn, the optional webgpu package)',
  },
  debug: { type: 'boolean', help: "print an internal error's stack (also LGGAN_DEBUG=1)" },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

function flagLabel(name: string, f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : '    '}--${name}${f.value ? ` ${f.value}` : ''}`;
}

/** Two columns: the flag as typed, then what it does and its default. */
function flagLines(flags: Record<string, FlagSpec>): string[] {
  const rows = Object.entries(flags).map(([name, f]) => [flagLabel(name, f), `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`]);
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)));
  return rows.map(([label, text]) => (label.length <= width ? `  ${label.padEnd(width)}  ${text}` : `  ${label}\n  ${' '.repeat(width)}  ${text}`));
}

export function synopsis(spec: CommandSpec): string {
  return `lggan ${spec.name} ${spec.args}${Object.keys(spec.flags).length ? ' [options]' : ''}`;
}

export function commandHelp(spec: CommandSpec): string {
  return [
    `usage: ${synopsis(spec)}`,
    '',
    spec.summary,
    ...(spec.notes ?? []),
    '',
    'options:',
    ...flagLines(spec.flags),
    '',
    'global options:',
    ...flagLines(GLOBAL_FLAGS),
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

export function mainHelp(version: string): string {
  const specs: CommandSpec[] = Object.values(COMMAND_SPECS);
  const width = Math.max(...specs.map((s) => s.name.length));
  return [
    `lggan ${version}: design, check, train and run LGGAN graphs from the command line`,
    '',
    'usage: lggan COMMAND [ARGS] [options]    lggan COMMAND --help lists a command\'s options and their defaults',
    '',
    'commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'global options:',
    ...flagLines({ ...GLOBAL_FLAGS, version: { type: 'boolean', short: 'V', help: 'print the version' } }),
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}
