/**
 * `lggan` command line: validate · inspect · compile (train and generate come with the runtime).
 * Usage errors and unreadable files give one clear line and a non-zero exit, never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { createRegistry } from '../../nodes/index.ts';
import { initNodeBackend } from '../runtime/tf-node.ts';
import { compile, compileUsage } from './commands/compile.ts';
import { inspect, inspectUsage } from './commands/inspect.ts';
import { validate, validateUsage } from './commands/validate.ts';
import { EXIT, UsageError, type CliIO } from './io.ts';

const COMMANDS = { validate, inspect, compile } as const;

export const USAGE = ['usage:', `  ${validateUsage}`, `  ${inspectUsage}`, `  ${compileUsage}`].join('\n');

export const consoleIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  readFile: (path) => readFile(path, 'utf8'),
};

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
  try {
    await initNodeBackend();
    return await COMMANDS[command as keyof typeof COMMANDS](rest, createRegistry(), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lggan ${command}: ${e.message}`);
      return EXIT.usage;
    }
    io.err(`lggan ${command}: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.problems;
  }
}
