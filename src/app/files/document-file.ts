/**
 * What the app knows about the open document beyond its content: the id its autosave and Recent
 * entry live under, where it came from (the name shown and the one Save suggests), the format and
 * file handle Save writes to, its library entry, and the content it had when last saved.
 *
 * One object per opened document, shared by all of its undo steps: undoing an Open brings back
 * the previous document's file along with its graph, and a Save made later still counts for it.
 *
 * "Unsaved changes" means: the graph differs from the one last opened, created, saved to a file
 * (or downloaded) or stored in the library. Autosave does not count: it is the safety net, not a
 * place the person chose. Documents are immutable and undo restores the very snapshot, so
 * undoing back to the saved state makes the document clean again.
 */
import type { Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import type { SaveFormat } from './save-format.ts';

/** A writable file from the File System Access API (where the browser has it). */
export type SaveHandle = { name: string; createWritable(): Promise<{ write(data: string): Promise<void>; close(): Promise<void> }> };

export class DocumentFile {
  /** The library entry that "Save to library" overwrites, once stored there or opened from there. */
  libraryId: string | undefined;
  /** Where plain Save writes, once picked. */
  handle: SaveHandle | undefined;
  /** Warnings from reading the file that the compiler does not repeat (shown in Problems). */
  warnings: Diagnostic[] = [];

  constructor(
    readonly id: string,
    /** A file name, "share link", an example, "library: name", "new graph". */
    public source: string,
    /** The graph at the last save; undefined when it was never saved (a restored autosave with changes). */
    public saved: GraphDocument | undefined,
    public format: SaveFormat = 'lggan',
  ) {}

  hasUnsavedChanges(doc: GraphDocument): boolean {
    return doc !== this.saved;
  }
}

/** A fresh document id: time first (ids sort by creation), then randomness against two tabs at once. */
export function newDocumentId(now: Date = new Date(), random: () => number = Math.random): string {
  return `${now.getTime().toString(36).padStart(9, '0')}-${Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}
