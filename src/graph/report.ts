import { type Diagnostic, type Place, error, warning } from './diagnostics.ts';

/** How many errors one load reports before it stops listing them. */
export const MAX_ERRORS = 100;

/**
 * Collects diagnostics for one load: stamps the file name on every place and stops listing errors
 * after `maxErrors` (a broken 10 000-node file should not print 10 000 lines), noting that it did.
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private errors = 0;
  private dropped = 0;
  private warnings = 0;
  private droppedWarnings = 0;

  constructor(
    private readonly file?: string,
    private readonly maxErrors = MAX_ERRORS,
  ) {}

  error(code: string, message: string, where: Place = {}): void {
    this.errors++;
    if (this.errors > this.maxErrors) {
      this.dropped++;
      return;
    }
    this.diagnostics.push(error(code, message, this.place(where)));
  }

  /** Warnings are capped like errors (a 100k-node file of unknown types warns 100k times). */
  warning(code: string, message: string, where: Place = {}): void {
    this.warnings++;
    if (this.warnings > this.maxErrors) {
      this.droppedWarnings++;
      return;
    }
    this.diagnostics.push(warning(code, message, this.place(where)));
  }

  get errorCount(): number {
    return this.errors;
  }

  /** The diagnostics, with a closing note when errors were left out. */
  finish(): Diagnostic[] {
    if (this.dropped > 0) {
      this.diagnostics.push(
        error('too-many-errors', `${this.dropped} more error(s) not listed; only the first ${this.maxErrors} are shown`, this.place({})),
      );
      this.dropped = 0;
    }
    if (this.droppedWarnings > 0) {
      this.diagnostics.push(
        warning('too-many-warnings', `${this.droppedWarnings} more warning(s) not listed; only the first ${this.maxErrors} are shown`, this.place({})),
      );
      this.droppedWarnings = 0;
    }
    return this.diagnostics;
  }

  private place(where: Place): Place {
    return this.file === undefined ? where : { file: this.file, ...where };
  }
}
