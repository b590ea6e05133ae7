/**
 * Undo/redo over document snapshots. Documents are immutable and edits share unchanged parts,
 * so a snapshot costs little; a bulk action (multi-delete, paste, auto-arrange) is one edit and
 * therefore one step. Each step keeps a label for the undo/redo button titles. The snapshot type
 * is open so that the app can keep the document's file identity beside it (document-timeline.ts).
 */
import type { GraphDocument } from '../../graph/document.ts';

interface Step<T> {
  doc: T;
  label: string;
}

export class History<T = GraphDocument> {
  private past: Step<T>[] = [];
  private future: Step<T>[] = [];

  constructor(private readonly limit = 200) {}

  /** Records `before` as the state to return to, labelled with the action that left it. Clears redo. */
  record(before: T, label: string): void {
    this.past.push({ doc: before, label });
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** The label of the step undo would revert ("Delete 3 nodes"), if any. */
  get undoLabel(): string | undefined {
    return this.past.at(-1)?.label;
  }

  get redoLabel(): string | undefined {
    return this.future.at(-1)?.label;
  }

  /** Returns the document before the last step; `current` becomes redoable. */
  undo(current: T): T | undefined {
    const step = this.past.pop();
    if (!step) return undefined;
    this.future.push({ doc: current, label: step.label });
    return step.doc;
  }

  redo(current: T): T | undefined {
    const step = this.future.pop();
    if (!step) return undefined;
    this.past.push({ doc: current, label: step.label });
    return step.doc;
  }

  clear(): void {
    this.past = [];
    this.future = [];
  }
}
