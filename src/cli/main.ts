/**
 * `lggan` command line: validate · inspect · compile · train · generate · diff · sweep · compare …
 * Usage errors and unreadable files give one clear line and a non-zero exit, never a stack trace.
 * An exception nobody expected is a bug of ours, not of the input: one `internal error` line
 * (its stack only with --debug or LGGAN_DEBUG=1) and its own exit code, 70.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { parseNodeBackend } from '../runtime/node-backend-name.ts';
import { wasmThreadsFromEnv } from '../runtime/wasm-thread-count.ts';
import { WebGpuUnavailable } from '../runtime/webgpu-unavailable.ts';
import { parseCommandArgs, suggest, takeBackendOption } from './args.ts';
import { COMMAND_SPECS, isCommand, type CommandName } from './command-specs.ts';
import { commandHelp, mainHelp } from './help.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from './io.ts';
import { debugRequested, internalErrorLine } from './process-exit.ts';

type Command = (argv: string[], registry: NodeRegistry, io: CliIO) => Promise<number>;

/**
 * Each command's module, imported only when it runs: `--help`, `--version` and a usage error load
 * none of them, and only the commands that compute load tfjs's backends (COMMAND_SPECS.computes).
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate.ts')).validate,
  inspect: async () => (await import('./commands/inspect.ts')).inspect,
  compile: async () => (await import('./commands/compile.ts')).compile,
  train: async () => (await import('./commands/train.ts')).train,
  generate: async () => (await import('./commands/generate.ts')).generate,
  convert: async () => (await import('./commands/convert.ts')).convert,
  'import-checkpoint': async () => (await import('./commands/import-checkpoint.ts')).importCheckpoint,
  'export-checkpoint': async () => (await import('./commands/export-checkpoint.ts')).exportCheckpoint,
  'export-pytorch': async () => (await import('./commands/export-pytorch.ts')).exportPytorch,
  diff: async () => (await import('./commands/diff.ts')).diff,
  sweep: async () => (await import('./commands/sweep.ts')).sweep,
  compare: async () => (await import('./commands/compare.ts')).compare,
};

/** The package's version (package.json beside src/). */
export function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const v = (pkg as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'unknown';
}

/** tfjs for Node, once a computing command has loaded it (error reports ask it for the backend). */
let tfNode: typeof import('../runtime/tf-node.ts') | undefined;

/** A status line never wraps: a wrapped line could not be redrawn in place. */
function fitTerminal(line: string): string {
  const columns = process.stderr.columns || 80; // 0 when the terminal does not say
  return line.length < columns ? line : line.slice(0, Math.max(0, columns - 2)) + '…';
}

export const consoleIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  readFile: (path) => readFile(path, 'utf8'),
  isTTY: process.stderr.isTTY === true,
  status: (line) => process.stderr.write(`\r\x1b[2K${fitTerminal(line)}`),
  onInterrupt(handler) {
    // Once: a second Ctrl-C meets Node's default handling and quits at once.
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/** How an exhausted wasm heap surfaces: a failed malloc aborts, or a view past the heap's end. */
const WASM_OUT_OF_MEMORY = /memory access out of bounds|Aborted\(|Invalid typed array length|Cannot enlarge memory|out of memory/i;

/** Node's errors from a file system call carry its code and the call ("ENOENT: no such file or directory, open 'out/x'"). */
function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The backend in use, or undefined when none could start (the error being reported may be that). */
function activeBackend(): string | undefined {
  try {
    return tfNode?.tf.getBackend();
  } catch {
    return undefined;
  }
}

function parseBackendFlag(value: string) {
  try {
    return parseNodeBackend(value, '--backend');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** LGGAN_WASM_THREADS is checked with the command line: a bad value is a usage error, not a failed start. */
function checkWasmThreadsEnv(env: NodeJS.ProcessEnv) {
  try {
    wasmThreadsFromEnv(env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The one line (plus the stack when debugging) for an exception no command expected. Whatever
 * was printed before (diagnostics, progress notes) stays; a progress bar still drawn is cleared first.
 */
export function reportInternalError(e: unknown, command: string, io: CliIO, debug: boolean): number {
  if (io.isTTY) io.status?.('');
  io.err(internalErrorLine(`lggan ${command}`, e, debug));
  if (debug && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT.internal;
}

/** `--help`/`-h` among a command's arguments (before a `--`, after which everything is positional). */
function helpAsked(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], io: CliIO = consoleIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = debugRequested(argv, env);
  const [command, ...rest] = argv.filter((a) => a !== '--debug');
  if (command === undefined) {
    io.err(mainHelp(version()));
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    // `lggan help train` is `lggan train --help`.
    const topic = command === 'help' ? rest[0] : undefined;
    io.out(topic !== undefined && isCommand(topic) ? commandHelp(COMMAND_SPECS[topic]) : mainHelp(version()));
    return EXIT.ok;
  }
  if (command === '--version' || command === '-V') {
    io.out(version());
    return EXIT.ok;
  }
  if (!isCommand(command)) {
    const names = Object.keys(COMMAND_SPECS);
    const guess = command.startsWith('-') ? undefined : suggest(command, names);
    const shown = /^[-A-Za-z0-9_.]{1,40}$/.test(command) ? command : JSON.stringify(command.slice(0, 40));
    io.err(`lggan: unknown ${command.startsWith('-') ? 'option' : 'command'} '${shown}'${guess ? `: did you mean ${guess}?` : ''} (commands: ${names.join(', ')}; see lggan --help)`);
    return EXIT.usage;
  }
  const spec = COMMAND_SPECS[command];
  if (helpAsked(rest)) {
    io.out(commandHelp(spec));
    return EXIT.ok;
  }
  try {
    const { backend, rest: commandArgs } = takeBackendOption(rest);
    const backendName = backend === undefined ? undefined : parseBackendFlag(backend);
    // The command line is checked before anything heavy loads; the command parses it again for its values.
    parseCommandArgs(commandArgs, spec);
    if (spec.computes) checkWasmThreadsEnv(env);
    const [run, registry] = await Promise.all([COMMANDS[command](), loadRegistry()]);
    if (spec.computes) {
      tfNode = await import('../runtime/tf-node.ts');
      await tfNode.initNodeBackend(backendName);
    }
    return await run(commandArgs, registry, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lggan ${command}: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof WebGpuUnavailable) {
      // The machine, not the input nor a bug: its message already names the cause and what to do.
      io.err(`lggan ${command}: ${e.message}`);
      return EXIT.problems;
    }
    if (e instanceof CliProblem) {
      io.err(`error ${e.message}`);
      return EXIT.problems;
    }
    if (isFileSystemError(e)) {
      // A path that cannot be written or read (no such folder, no permission, disk full): the environment, not a bug.
      io.err(`error ${e.message}`);
      return EXIT.problems;
    }
    const text = e instanceof Error ? e.message : String(e);
    if (activeBackend() === 'wasm' && WASM_OUT_OF_MEMORY.test(text)) {
      io.err(`lggan ${command}: the wasm backend ran out of memory (${text}): its heap holds at most 4 GiB; use --backend cpu, a smaller batch or a smaller template`);
      return EXIT.problems;
    }
    return reportInternalError(e, command, io, debug);
  }
}

/** The node registry (its node modules bring tfjs-core's ops, not a backend). */
async function loadRegistry(): Promise<NodeRegistry> {
  return (await import('../../nodes/index.ts')).createRegistry();
}
