/**
 * Autosave: the open graph is written to the store a short while after the last change
 * (debounced), and read back on the next visit. The record keeps the graph text and where it came
 * from, so a reload shows the same name and source.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { openText, type OpenResult } from './open.ts';
import type { KeyValueStore } from './store.ts';

export const AUTOSAVE_KEY = 'autosave';

interface AutosaveRecord {
  text: string;
  source: string;
  savedAt: string;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Autosaver {
  private pending: { doc: GraphDocument; source: string } | undefined;
  private timer: unknown;
  private writing: Promise<void> = Promise.resolve();
  /** The last write's failure, if the last write failed (shown in the status bar). */
  lastError: string | undefined;

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: { delayMs?: number; timers?: Timers; now?: () => Date; onSaved?: (at: Date) => void; onError?: (message: string) => void } = {},
  ) {}

  /** Saves `doc` after `delayMs` without further changes; a newer call replaces an older one. */
  schedule(doc: GraphDocument, source: string): void {
    const timers = this.options.timers ?? realTimers;
    this.pending = { doc, source };
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    this.timer = timers.setTimeout(() => void this.flush(), this.options.delayMs ?? 600);
  }

  /** Writes what is pending now (page hide, tests). Resolves once written. */
  flush(): Promise<void> {
    const timers = this.options.timers ?? realTimers;
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    this.timer = undefined;
    const item = this.pending;
    this.pending = undefined;
    if (item) {
      const at = (this.options.now ?? (() => new Date()))();
      const record: AutosaveRecord = { text: saveGraph(item.doc), source: item.source, savedAt: at.toISOString() };
      this.writing = this.writing.then(() =>
        this.store.set(AUTOSAVE_KEY, JSON.stringify(record)).then(
          () => {
            this.lastError = undefined;
            this.options.onSaved?.(at);
          },
          (e: unknown) => {
            this.lastError = `autosave failed: ${e instanceof Error ? e.message : String(e)}`;
            this.options.onError?.(this.lastError);
          },
        ),
      );
    }
    return this.writing;
  }

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** The autosaved graph, if any; a damaged record is reported, never thrown. */
  async restore(registry: NodeRegistry): Promise<{ source: string; savedAt: string; result: OpenResult } | undefined> {
    const raw = await this.store.get(AUTOSAVE_KEY);
    if (raw === undefined) return undefined;
    let record: AutosaveRecord;
    try {
      record = JSON.parse(raw) as AutosaveRecord;
      if (typeof record.text !== 'string') throw new Error('no graph text');
    } catch {
      return { source: 'autosave', savedAt: '', result: openText(raw, 'autosave', registry) };
    }
    return { source: record.source, savedAt: record.savedAt, result: openText(record.text, `${record.source} (autosaved)`, registry) };
  }
}
