/**
 * Which editor shows the graph: the Rete canvas (the default) or the litegraph.js canvas. The
 * choice is kept in localStorage; a missing, unreadable or unknown stored value means Rete.
 */
export type EditorView = 'rete' | 'litegraph';

export const EDITOR_VIEWS: readonly { view: EditorView; label: string }[] = [
  { view: 'rete', label: 'Rete' },
  { view: 'litegraph', label: 'litegraph' },
];

export const VIEW_KEY = 'lggan-studio.view';

export function parseEditorView(stored: string | null | undefined): EditorView {
  return stored === 'litegraph' ? 'litegraph' : 'rete';
}

/** The other view, for the keyboard toggle. */
export function otherView(view: EditorView): EditorView {
  return view === 'rete' ? 'litegraph' : 'rete';
}

type ViewStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The remembered view; storage that throws (private windows, blocked cookies) reads as none. */
export function readEditorView(storage: ViewStorage | undefined): EditorView {
  try {
    return parseEditorView(storage?.getItem(VIEW_KEY));
  } catch {
    return 'rete';
  }
}

/** Remembers the view; returns false when the storage refused it (the switch still works for this page). */
export function writeEditorView(storage: ViewStorage | undefined, view: EditorView): boolean {
  try {
    if (!storage) return false;
    storage.setItem(VIEW_KEY, view);
    return true;
  } catch {
    return false;
  }
}
