/**
 * The graph library: named graphs kept in the browser (IndexedDB) to list, open, rename and
 * delete. Each entry is one key `library/<id>` holding the graph text and its name and date.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { openText, type OpenResult } from './open.ts';
import type { KeyValueStore } from './store.ts';

const PREFIX = 'library/';

export interface LibraryEntry {
  id: string;
  name: string;
  savedAt: string;
  nodes: number;
}

interface StoredEntry extends LibraryEntry {
  text: string;
}

export class GraphLibrary {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async read(id: string): Promise<StoredEntry> {
    const raw = await this.store.get(PREFIX + id);
    if (raw === undefined) throw new Error(`the library has no graph '${id}' (was it deleted in another tab?)`);
    return JSON.parse(raw) as StoredEntry;
  }

  /** Newest first. */
  async list(): Promise<LibraryEntry[]> {
    const keys = await this.store.keys(PREFIX);
    const entries: LibraryEntry[] = [];
    for (const key of keys) {
      const raw = await this.store.get(key);
      if (raw === undefined) continue;
      try {
        const { id, name, savedAt, nodes } = JSON.parse(raw) as StoredEntry;
        entries.push({ id, name, savedAt, nodes });
      } catch {
        entries.push({ id: key.slice(PREFIX.length), name: `${key.slice(PREFIX.length)} (damaged)`, savedAt: '', nodes: 0 });
      }
    }
    return entries.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || a.name.localeCompare(b.name));
  }

  /** Saves `doc` under `id` (overwriting) or as a new entry; returns the entry. */
  async save(doc: GraphDocument, id?: string): Promise<LibraryEntry> {
    const entry: StoredEntry = {
      id: id ?? `${this.now().getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      name: doc.meta.name,
      savedAt: this.now().toISOString(),
      nodes: doc.nodes.length,
      text: saveGraph(doc),
    };
    await this.store.set(PREFIX + entry.id, JSON.stringify(entry));
    const { text: _text, ...listed } = entry;
    return listed;
  }

  async open(id: string, registry: NodeRegistry): Promise<OpenResult & { entry?: LibraryEntry }> {
    const entry = await this.read(id);
    return { ...openText(entry.text, `library: ${entry.name}`, registry), entry: { id: entry.id, name: entry.name, savedAt: entry.savedAt, nodes: entry.nodes } };
  }

  /** Renames the entry and the graph inside it (its meta.name). */
  async rename(id: string, name: string, registry: NodeRegistry): Promise<void> {
    const clean = name.trim();
    if (!clean) throw new Error('a graph needs a name');
    const entry = await this.read(id);
    const opened = openText(entry.text, `library: ${entry.name}`, registry);
    const text = opened.ok ? saveGraph({ ...opened.doc, meta: { ...opened.doc.meta, name: clean } }) : entry.text;
    await this.store.set(PREFIX + id, JSON.stringify({ ...entry, name: clean, text }));
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(PREFIX + id);
  }
}
