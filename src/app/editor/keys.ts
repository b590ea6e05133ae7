/**
 * The editor's keys (shortcuts.ts lists them for the help dialog): which action a key press asks
 * for. Escape, and keys pressed while typing or while a dialog is open, are the app's to handle
 * before it asks here.
 */
export interface KeyActions {
  undo(): void;
  redo(): void;
  duplicate(): void;
  selectAll(): void;
  group(): void;
  bypass(): void;
  mute(): void;
  save(): void;
  saveAs(): void;
  open(): void;
  remove(): void;
  help(): void;
  /** Focus the palette's search box. */
  searchPalette(): void;
  fit(): void;
  arrange(): void;
  comment(): void;
  /** Show or hide the canvas minimap. */
  toggleMinimap(): void;
  switchView(): void;
  zoomIn(): void;
  zoomOut(): void;
}

export type KeyPress = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

/** The action for a key press, or undefined to leave the key alone (Ctrl+C/X/V reach the clipboard events). */
export function keyAction(e: KeyPress, a: KeyActions): (() => void) | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod) {
    if (key === 'z') return e.shiftKey ? a.redo : a.undo;
    if (key === 'y') return a.redo;
    if (key === 'd') return a.duplicate;
    if (key === 'a') return a.selectAll;
    if (key === 'g') return a.group;
    if (key === 'b') return a.bypass;
    if (key === 'm') return a.mute;
    if (key === 's') return e.shiftKey ? a.saveAs : a.save;
    if (key === 'o') return a.open;
    return undefined;
  }
  if (e.altKey) return undefined;
  if (e.key === 'Delete' || e.key === 'Backspace') return a.remove;
  if (e.key === '?') return a.help;
  if (e.key === '/') return a.searchPalette;
  if (key === 'f') return a.fit;
  if (e.key === 'A' && e.shiftKey) return a.arrange;
  if (key === 'm') return a.comment;
  if (key === 'n') return a.toggleMinimap;
  if (key === 'v') return a.switchView;
  if (e.key === '+' || e.key === '=') return a.zoomIn;
  if (e.key === '-') return a.zoomOut;
  return undefined;
}
