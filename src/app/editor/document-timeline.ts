/**
 * The open document over time: its graph and its file (files/document-file.ts) as one snapshot,
 * with undo/redo over both. An edit changes the graph and keeps the file; a document switch (New,
 * Open…, an example, a library or Recent entry, a share link) is an edit of the whole document
 * that also changes the file, so Ctrl+Z after any of them brings the previous document back.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { DocumentFile } from '../files/document-file.ts';
import { History } from './history.ts';

export interface DocumentSnapshot {
  readonly doc: GraphDocument;
  readonly file: DocumentFile;
}

export class DocumentTimeline {
  private history: History<DocumentSnapshot>;
  private now: DocumentSnapshot;

  constructor(doc: GraphDocument, file: DocumentFile, limit = 200) {
    this.now = { doc, file };
    this.history = new History(limit);
  }

  get doc(): GraphDocument {
    return this.now.doc;
  }
  get file(): DocumentFile {
    return this.now.file;
  }
  get unsaved(): boolean {
    return this.now.file.hasUnsavedChanges(this.now.doc);
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }
  get canRedo(): boolean {
    return this.history.canRedo;
  }
  get undoLabel(): string | undefined {
    return this.history.undoLabel;
  }
  get redoLabel(): string | undefined {
    return this.history.redoLabel;
  }

  /** An edit of the graph: one undo step unless it changed nothing. Returns whether it did. */
  edit(label: string, next: GraphDocument): boolean {
    if (next === this.now.doc) return false;
    this.history.record(this.now, label);
    this.now = { doc: next, file: this.now.file };
    return true;
  }

  /** Another document takes the place of this one, as one undo step ("Open tiny-pix2pix.json"). */
  switchTo(doc: GraphDocument, file: DocumentFile, label: string): void {
    this.history.record(this.now, label);
    this.now = { doc, file };
  }

  /** Starts over on `doc` with no history (the document restored at startup). */
  reset(doc: GraphDocument, file: DocumentFile): void {
    this.history.clear();
    this.now = { doc, file };
  }

  undo(): boolean {
    const before = this.history.undo(this.now);
    if (before) this.now = before;
    return before !== undefined;
  }

  redo(): boolean {
    const after = this.history.redo(this.now);
    if (after) this.now = after;
    return after !== undefined;
  }

  /** The document as it is now is what was saved (to a file or the library). */
  markSaved(): void {
    this.now.file.saved = this.now.doc;
  }
}
