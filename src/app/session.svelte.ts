/**
 * The editing session: the open graph document (the one source of truth), its resolved IR and
 * node views (recomputed on every change), the selection, and undo/redo. Every change goes
 * through `apply` with a pure edit from editor/edits.ts, which makes it one undo step.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import type { GraphDocument } from '../graph/document.ts';
import { EditError } from './editor/edits.ts';
import { History } from './editor/history.ts';
import { nodeViews } from './editor/node-view.ts';

export class Session {
  doc = $state.raw() as GraphDocument;
  /** Where the graph came from: a file name, "share link", an example, "library: name". */
  source = $state('');
  /** Batch size for shapes, MACs and the memory estimate (status bar). */
  batch = $state(1);
  selection = $state.raw<string[]>([]);
  /** Bumped on every history change, so undo/redo availability is reactive. */
  private revision = $state(0);
  private readonly history = new History();

  readonly registry: NodeRegistry;
  readonly ir = $derived.by(() => resolveGraph(this.doc, this.registry, { batch: this.batch }));
  readonly views = $derived(nodeViews(this.doc, this.ir));
  /** The selection restricted to nodes that exist (an undo may remove selected nodes). */
  readonly selected = $derived(this.selection.filter((id) => this.doc.nodes.some((n) => n.id === id)));

  constructor(registry: NodeRegistry, doc: GraphDocument, source: string) {
    this.registry = registry;
    this.doc = doc;
    this.source = source;
  }

  get canUndo(): boolean {
    void this.revision;
    return this.history.canUndo;
  }
  get canRedo(): boolean {
    void this.revision;
    return this.history.canRedo;
  }
  get undoLabel(): string | undefined {
    void this.revision;
    return this.history.undoLabel;
  }
  get redoLabel(): string | undefined {
    void this.revision;
    return this.history.redoLabel;
  }

  /**
   * Applies an edit as one undo step. Returns an error message when the edit is refused
   * (EditError), leaving the document as it was; a no-op edit records nothing.
   */
  apply(label: string, edit: (doc: GraphDocument) => GraphDocument, select?: string[]): string | undefined {
    let next: GraphDocument;
    try {
      next = edit(this.doc);
    } catch (e) {
      if (e instanceof EditError) return e.message;
      throw e;
    }
    if (select) this.selection = select;
    if (next === this.doc) return undefined;
    this.history.record(this.doc, label);
    this.doc = next;
    this.revision++;
    return undefined;
  }

  undo(): void {
    const prev = this.history.undo(this.doc);
    if (prev) {
      this.doc = prev;
      this.revision++;
    }
  }

  redo(): void {
    const next = this.history.redo(this.doc);
    if (next) {
      this.doc = next;
      this.revision++;
    }
  }

  /** Replaces the graph (open, new, example); history starts afresh. */
  open(doc: GraphDocument, source: string): void {
    this.doc = doc;
    this.source = source;
    this.selection = [];
    this.history.clear();
    this.revision++;
  }

  select(ids: string[], mode: 'replace' | 'toggle' | 'add' = 'replace'): void {
    if (mode === 'replace') this.selection = ids;
    else if (mode === 'add') this.selection = [...new Set([...this.selected, ...ids])];
    else {
      const set = new Set(this.selected);
      for (const id of ids) if (set.has(id)) set.delete(id);
      else set.add(id);
      this.selection = [...set];
    }
  }
}
