/**
 * How the `lggan` process ends when no command decides it: an exception that escapes every
 * command (thrown in a callback, an unhandled rejection) is one `internal error` line and exit 70,
 * like the ones main() catches, instead of Node's stack trace and exit 1. Installed once by
 * bin.mjs, before main runs.
 *
 * Ctrl-C is deliberately not handled here: a command that does not listen for it (all but train,
 * which writes a checkpoint and returns 130) keeps Node's default, which stops at once even in
 * the middle of a long synchronous kernel, and shells report that as 130 (128 + SIGINT).
 */
import { EXIT } from './io.ts';

/** The part of `process` used here, so tests can pass an EventEmitter. */
export interface ProcessLike {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (e: unknown) => void): unknown;
  exit(code: number): void;
  stderr: { write(text: string): unknown };
}

/** `--debug` on the command line or LGGAN_DEBUG set (not 0) also prints an internal error's stack. */
export function debugRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const fromEnv = env.LGGAN_DEBUG !== undefined && env.LGGAN_DEBUG !== '' && env.LGGAN_DEBUG !== '0';
  return fromEnv || argv.includes('--debug');
}

/** One line for an exception nobody expected: its type and first message line, and how to get the stack. */
export function internalErrorLine(prefix: string, e: unknown, debug: boolean): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const hint = debug ? '' : ' (--debug or LGGAN_DEBUG=1 prints the stack)';
  return `${prefix}: internal error, a bug in lggan rather than a problem with the input: ${text.split('\n')[0]}${hint}`;
}

export function installProcessHandlers(proc: ProcessLike, debug: boolean): void {
  const crash = (e: unknown) => {
    proc.stderr.write(internalErrorLine('lggan', e, debug) + '\n');
    if (debug && e instanceof Error && e.stack) proc.stderr.write(e.stack + '\n');
    proc.exit(EXIT.internal);
  };
  proc.on('uncaughtException', crash);
  proc.on('unhandledRejection', crash);
}
