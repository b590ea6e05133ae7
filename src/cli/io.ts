import type { Diagnostic } from '../graph/diagnostics.ts';

/** Where CLI commands write; tests pass a recorder instead of the console. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): Promise<string>;
  /**
   * Whether stderr is a terminal. Long commands then redraw one status line (a progress bar)
   * through `status` instead of printing a line per update. Absent: not a terminal.
   */
  isTTY?: boolean;
  /** Replaces the transient status line on stderr ('' clears it). Only used when isTTY is true. */
  status?(line: string): void;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. Long commands use
   * it to stop cleanly; without it they cannot be interrupted gracefully.
   */
  onInterrupt?(handler: () => void): () => void;
  /**
   * Also receives every diagnostic printed (with its file, line and column filled in): a command
   * with --json collects them for its document.
   */
  onDiagnostics?(diagnostics: readonly Diagnostic[]): void;
}

/** A problem with the input (a file, the data, a checkpoint): printed as `error <message>`, exit 1. */
export class CliProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliProblem';
  }
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Exit codes: 0 ok, 1 the input has problems (a graph, a file, the data, a checkpoint, a path
 * that cannot be read or written), 2 the command line is wrong, 70 an internal error (a bug in
 * lggan, not in the input; sysexits' EX_SOFTWARE), 130 stopped by Ctrl-C, as shells report SIGINT.
 */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70, interrupted: 130 } as const;

/** The exit codes as the help text and the README state them. */
export const EXIT_CODES_HELP = [
  'exit codes:',
  `  ${EXIT.ok}    ok (diff: the graphs are equal)`,
  `  ${EXIT.problems}    bad input: a graph, data or checkpoint problem, each printed with its place, or a path that cannot be read or written (diff: the graphs differ)`,
  `  ${EXIT.usage}    usage error: an unknown command or option, a missing or malformed value (diff: also a graph it cannot read)`,
  `  ${EXIT.internal}   internal error: a bug in lggan; one line with its message (--debug or LGGAN_DEBUG=1 adds the stack)`,
  `  ${EXIT.interrupted}  interrupted (Ctrl-C; train writes a checkpoint first)`,
].join('\n');
