/**
 * Recent documents: the autosave of each document under its own id (`recent/<id>`), a few
 * versions each, and which one was open last (`autosave/last`, brought back on reload). Opening
 * another graph starts another entry, so it never overwrites the autosave of the previous one.
 *
 * Versions: the newest is always the latest autosave; a new version starts when the newest is
 * older than `versionGapMs`, so the kept versions are spread over time (a few per document).
 * Documents: at most `maxDocuments`; past that, the oldest entries whose graph was saved somewhere
 * (file, library, an unchanged example or link) go first, then the oldest of the rest.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import type { SaveFormat } from '../files/save-format.ts';
import { openText, type OpenResult } from './open.ts';
import type { KeyValueStore } from './store.ts';

export const RECENT_PREFIX = 'recent/';
export const LAST_KEY = 'autosave/last';

/** What an autosave records beside the graph. */
export interface DocumentInfo {
  id: string;
  source: string;
  format: SaveFormat;
  /** The graph had changes not saved to a file or the library when written. */
  unsaved: boolean;
}

export interface RecentVersion {
  savedAt: string;
  title: string;
  nodes: number;
}

export interface RecentEntry extends DocumentInfo {
  /** Newest first; never empty. */
  versions: RecentVersion[];
}

interface StoredVersion extends RecentVersion {
  text: string;
}

interface StoredEntry extends DocumentInfo {
  versions: StoredVersion[];
}

export interface RecentOptions {
  now?: () => Date;
  maxDocuments?: number;
  maxVersions?: number;
  versionGapMs?: number;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** A stored entry read back, or undefined when it is not one (damaged, or written by something else). */
function parseEntry(raw: string | undefined): StoredEntry | undefined {
  if (raw === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Partial<StoredEntry>;
  if (!isString(e.id) || !isString(e.source) || !Array.isArray(e.versions) || e.versions.length === 0) return undefined;
  const versions = e.versions.filter((x): x is StoredVersion => typeof x === 'object' && x !== null && isString(x.text) && isString(x.savedAt) && isString(x.title) && typeof x.nodes === 'number');
  if (versions.length === 0) return undefined;
  return { id: e.id, source: e.source, format: e.format === 'litegraph' ? 'litegraph' : 'lggan', unsaved: e.unsaved === true, versions };
}

const listed = (e: StoredEntry): RecentEntry => ({ ...e, versions: e.versions.map(({ savedAt, title, nodes }) => ({ savedAt, title, nodes })) });

export class RecentDocuments {
  private readonly now: () => Date;
  readonly maxDocuments: number;
  readonly maxVersions: number;
  private readonly versionGapMs: number;

  constructor(
    private readonly store: KeyValueStore,
    options: RecentOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxDocuments = options.maxDocuments ?? 20;
    this.maxVersions = options.maxVersions ?? 5;
    this.versionGapMs = options.versionGapMs ?? 2 * 60_000;
  }

  /**
   * Records `doc` as the latest version of its document and as the one open last. A new, still
   * empty graph is not recorded: it holds nothing to get back, and would push real entries out.
   */
  async write(doc: GraphDocument, info: DocumentInfo): Promise<void> {
    const key = RECENT_PREFIX + info.id;
    const old = parseEntry(await this.store.get(key));
    if (!old && !info.unsaved && doc.nodes.length === 0 && doc.comments.length === 0) return;
    const text = saveGraph(doc);
    const at = this.now();
    const version: StoredVersion = { savedAt: at.toISOString(), title: doc.meta.name, nodes: doc.nodes.length, text };
    let versions: StoredVersion[];
    const newest = old?.versions[0];
    if (newest?.text === text) versions = old!.versions; // nothing new: keep its time
    else if (newest && at.getTime() - Date.parse(newest.savedAt) < this.versionGapMs) versions = [version, ...old!.versions.slice(1)];
    else versions = [version, ...(old?.versions ?? [])].slice(0, this.maxVersions);
    const entry: StoredEntry = { id: info.id, source: info.source, format: info.format, unsaved: info.unsaved, versions };
    const same = old && versions === old.versions && old.source === entry.source && old.format === entry.format && old.unsaved === entry.unsaved;
    if (!same) await this.store.set(key, JSON.stringify(entry));
    if ((await this.store.get(LAST_KEY)) !== info.id) await this.store.set(LAST_KEY, info.id);
    if (!old) await this.prune(info.id);
  }

  private async entries(): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const key of await this.store.keys(RECENT_PREFIX)) {
      const entry = parseEntry(await this.store.get(key));
      if (entry) out.push(entry);
      else await this.store.delete(key); // damaged: it would never list or open
    }
    return out.sort((a, b) => b.versions[0].savedAt.localeCompare(a.versions[0].savedAt));
  }

  private async prune(keep: string): Promise<void> {
    const all = await this.entries();
    let excess = all.length - this.maxDocuments;
    if (excess <= 0) return;
    const oldestFirst = all.filter((e) => e.id !== keep).reverse();
    const order = [...oldestFirst.filter((e) => !e.unsaved), ...oldestFirst.filter((e) => e.unsaved)];
    for (const e of order) {
      if (excess-- <= 0) break;
      await this.store.delete(RECENT_PREFIX + e.id);
    }
  }

  /** Newest first, without the graph texts. */
  async list(): Promise<RecentEntry[]> {
    return (await this.entries()).map(listed);
  }

  /** The id of the document open last, if its entry is there. */
  async lastId(): Promise<string | undefined> {
    const id = await this.store.get(LAST_KEY);
    return id !== undefined && (await this.store.get(RECENT_PREFIX + id)) !== undefined ? id : undefined;
  }

  /** One version (0 = newest) of a document, through the same loader as a file. */
  async open(id: string, version: number, registry: NodeRegistry): Promise<{ entry: RecentEntry; version: RecentVersion; result: OpenResult }> {
    const entry = parseEntry(await this.store.get(RECENT_PREFIX + id));
    if (!entry) throw new Error(`Recent has no document '${id}' (was it removed in another tab?)`);
    const v = entry.versions[version];
    if (!v) throw new Error(`Recent keeps ${entry.versions.length} versions of “${entry.versions[0].title}”, not ${version + 1}`);
    const source = version === 0 ? entry.source : `${entry.source} (autosaved ${v.savedAt})`;
    return { entry: listed(entry), version: { savedAt: v.savedAt, title: v.title, nodes: v.nodes }, result: openText(v.text, `recent: ${source}`, registry) };
  }
}
