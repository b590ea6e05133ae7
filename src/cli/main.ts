/**
 * `lggan` command line: validate · inspect · compile · train · generate · diff …
 * Usage errors and unreadable files give one clear line and a non-zero exit, never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { createRegistry } from '../../nodes/index.ts';
import { initNodeBackend, parseNodeBackend, tf } from '../runtime/tf-node.ts';
import { takeBackendOption } from './args.ts';
import { compile, compileUsage } from './commands/compile.ts';
import { convert, convertUsage } from './commands/convert.ts';
import { diff, diffUsage } from './commands/diff.ts';
import { exportCheckpoint, exportCheckpointUsage } from './commands/export-checkpoint.ts';
import { exportPytorch, exportPytorchUsage } from './commands/export-pytorch.ts';
import { importCheckpoint, importCheckpointUsage } from './commands/import-checkpoint.ts';
import { generate, generateUsage } from './commands/generate.ts';
import { inspect, inspectUsage } from './commands/inspect.ts';
import { train, trainUsage } from './commands/train.ts';
import { validate, validateUsage } from './commands/validate.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from './io.ts';

const COMMANDS = { validate, inspect, compile, train, generate, convert, 'import-checkpoint': importCheckpoint, 'export-checkpoint': exportCheckpoint, 'export-pytorch': exportPytorch, diff } as const;

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
};

export const USAGE = [
  'usage (every command also takes --backend wasm|cpu; default wasm: XNNPACK with SIMD, a heap of at most 4 GiB; cpu: slower, no such limit):',
  ...Object.values(COMMAND_USAGE).map((u) => `  ${u}`),
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

function parseBackendFlag(value: string) {
  try {
    return parseNodeBackend(value, '--backend');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  const [command, ...rest] = argv;
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
    if (e instanceof CliProblem) {
      io.err(`error ${e.message}`);
      return EXIT.problems;
    }
    const text = e instanceof Error ? e.message : String(e);
    if (tf.getBackend() === 'wasm' && WASM_OUT_OF_MEMORY.test(text)) {
      io.err(`lggan ${command}: the wasm backend ran out of memory (${text}): its heap holds at most 4 GiB; use --backend cpu, a smaller batch or a smaller template`);
      return EXIT.problems;
    }
    io.err(`lggan ${command}: internal error: ${text}`);
    return EXIT.problems;
  }
}
