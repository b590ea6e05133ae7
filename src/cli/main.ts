/**
 * `lggan` command line: validate · inspect · compile · train · generate · diff · sweep · compare …
 * Usage errors and unreadable files give one clear line and a non-zero exit, never a stack trace.
 * An exception nobody expected is a bug of ours, not of the input: one `internal error` line
 * (its stack only with --debug or LGGAN_DEBUG=1) and its own exit code, 70.
 */
import { readFile } from 'node:fs/promises';
import { createRegistry } from '../../nodes/index.ts';
import { initNodeBackend, parseNodeBackend, tf } from '../runtime/tf-node.ts';
import { WebGpuUnavailable } from '../runtime/webgpu-node.ts';
import { takeBackendOption } from './args.ts';
import { compile, compileUsage } from './commands/compile.ts';
import { convert, convertUsage } from './commands/convert.ts';
import { compare, compareUsage } from './commands/compare.ts';
import { diff, diffUsage } from './commands/diff.ts';
import { exportCheckpoint, exportCheckpointUsage } from './commands/export-checkpoint.ts';
import { exportPytorch, exportPytorchUsage } from './commands/export-pytorch.ts';
import { importCheckpoint, importCheckpointUsage } from './commands/import-checkpoint.ts';
import { generate, generateUsage } from './commands/generate.ts';
import { inspect, inspectUsage } from './commands/inspect.ts';
import { sweep, sweepUsage } from './commands/sweep.ts';
import { train, trainUsage } from './commands/train.ts';
import { validate, validateUsage } from './commands/validate.ts';
import { CliProblem, EXIT, EXIT_CODES_HELP, UsageError, type CliIO } from './io.ts';
import { debugRequested, internalErrorLine } from './process-exit.ts';

const COMMANDS = { validate, inspect, compile, train, generate, convert, 'import-checkpoint': importCheckpoint, 'export-checkpoint': exportCheckpoint, 'export-pytorch': exportPytorch, diff, sweep, compare } as const;

/** One line per command, also printed alone by `lggan COMMAND --help`. */
const COMMAND_USAGE: Record<keyof typeof COMMANDS, string> = {
  validate: validateUsage,
  inspect: inspectUsage,
  compile: compileUsage,
  train: trainUsage,
  generate: generateUsage,
  convert: convertUsage,
  'import-checkpoint': importCheckpointUsage,
  'export-checkpoint': exportCheckpointUsage,
  'export-pytorch': exportPytorchUsage,
  diff: diffUsage,
  sweep: sweepUsage,
  compare: compareUsage,
};

export const USAGE = [
  'usage (every command also takes --backend wasm|cpu|webgpu; default wasm: XNNPACK with SIMD, a heap of at most 4 GiB; cpu: slower, no such limit; webgpu: a GPU through Dawn, the optional webgpu package):',
  ...Object.values(COMMAND_USAGE).map((u) => `  ${u}`),
  EXIT_CODES_HELP,
].join('\n');

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
    return tf.getBackend();
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

export async function main(argv: string[], io: CliIO = consoleIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = debugRequested(argv, env);
  const [command, ...rest] = argv.filter((a) => a !== '--debug');
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(command in COMMANDS)) {
    io.err(`lggan: unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')}; see lggan --help)`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${COMMAND_USAGE[command as keyof typeof COMMANDS]}`);
    return EXIT.ok;
  }
  try {
    const { backend, rest: commandArgs } = takeBackendOption(rest);
    await initNodeBackend(backend === undefined ? undefined : parseBackendFlag(backend));
    return await COMMANDS[command as keyof typeof COMMANDS](commandArgs, createRegistry(), io);
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
