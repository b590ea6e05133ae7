/**
 * Autosave: the open graph is written a short while after the last change (debounced) as the
 * latest version of its document in Recent (recent.ts), and the document open last is read back
 * on the next visit. Each document autosaves under its own id: when the open document changes
 * before a pending write happened, that write goes out first, to the previous document's entry.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { openText, type OpenResult } from './open.ts';
import { RecentDocuments, type DocumentInfo, type RecentOptions } from './recent.ts';
import type { KeyValueStore } from './store.ts';

/** The single autosave record of versions before per-document autosave: still restored once. */
export const AUTOSAVE_KEY = 'autosave';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The document brought back at startup; `id` is missing for a record of the old single-slot autosave. */
export interface Restored {
  id?: string;
  source: string;
  format: DocumentInfo['format'];
  unsaved: boolean;
  savedAt: string;
  result: OpenResult;
}

export class Autosaver {
  private pending: { doc: GraphDocument; info: DocumentInfo } | undefined;
  private timer: unknown;
  private writing: Promise<void> = Promise.resolve();
  readonly recent: RecentDocuments;
  /** The last write's failure, if the last write failed (shown in the status bar). */
  lastError: string | undefined;

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: { delayMs?: number; timers?: Timers; now?: () => Date; recent?: RecentOptions; onSaved?: (at: Date) => void; onError?: (message: string) => void } = {},
  ) {
    this.recent = new RecentDocuments(store, { now: options.now, ...options.recent });
  }

  private get timers(): Timers {
    return this.options.timers ?? realTimers;
  }

  /** Saves `doc` after `delayMs` without further changes; a newer call for the same document replaces an older one. */
  schedule(doc: GraphDocument, info: DocumentInfo): void {
    if (this.pending && this.pending.info.id !== info.id) void this.flush();
    this.pending = { doc, info: { ...info } };
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => void this.flush(), this.options.delayMs ?? 600);
  }

  /** Writes what is pending now (page hide, a document switch, tests). Resolves once written. */
  flush(): Promise<void> {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const item = this.pending;
    this.pending = undefined;
    if (item) {
      this.writing = this.writing.then(() =>
        this.recent.write(item.doc, item.info).then(
          () => {
            this.lastError = undefined;
            this.options.onSaved?.((this.options.now ?? (() => new Date()))());
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

  /** The document open last, if any; a damaged record is reported, never thrown. */
  async restore(registry: NodeRegistry): Promise<Restored | undefined> {
    const id = await this.recent.lastId();
    if (id !== undefined) {
      const { entry, version, result } = await this.recent.open(id, 0, registry);
      return { id, source: entry.source, format: entry.format, unsaved: entry.unsaved, savedAt: version.savedAt, result };
    }
    return this.restoreLegacy(registry);
  }

  private async restoreLegacy(registry: NodeRegistry): Promise<Restored | undefined> {
    const raw = await this.store.get(AUTOSAVE_KEY);
    if (raw === undefined) return undefined;
    let record: { text: string; source: string; savedAt: string };
    try {
      record = JSON.parse(raw) as typeof record;
      if (typeof record.text !== 'string') throw new Error('no graph text');
    } catch {
      return { source: 'autosave', format: 'lggan', unsaved: true, savedAt: '', result: openText(raw, 'autosave', registry) };
    }
    const source = typeof record.source === 'string' ? record.source : 'autosave';
    return { source, format: 'lggan', unsaved: true, savedAt: String(record.savedAt ?? ''), result: openText(record.text, `${source} (autosaved)`, registry) };
  }
}
