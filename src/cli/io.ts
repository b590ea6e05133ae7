/** Where CLI commands write; tests pass a recorder instead of the console. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): Promise<string>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes: 0 ok, 1 the input has problems, 2 the command line is wrong or a file unreadable. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;
