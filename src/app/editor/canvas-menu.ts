/**
 * The canvas's context menu: on the background, the node palette by section (a pick adds that
 * node where the menu opened); on a node, the actions for it, or for the whole selection when
 * the node is part of it. Items only call the hooks; the app does the work.
 */
import type { NodeMode, Position } from '../../graph/document.ts';
import type { PaletteSection } from './palette.ts';

/** What the menu asks of the app (part of CanvasHooks). */
export interface MenuHooks {
  addNode(type: string, at: Position): void;
  removeNodes(ids: string[]): void;
  removeNodesReconnecting(ids: string[]): void;
  canReconnect(ids: string[]): boolean;
  duplicateNodes(ids: string[]): void;
  toggleMode(ids: string[], mode: NodeMode): void;
  /** The node's current mode, for the menu's labels. */
  modeOf(id: string): NodeMode | undefined;
  sections(): PaletteSection[];
}

/** The shape rete-context-menu-plugin takes (its own type is not exported). */
export interface MenuItem {
  label: string;
  key: string;
  handler(): void;
  subitems?: MenuItem[];
}
export interface MenuItems {
  searchBar: boolean;
  list: MenuItem[];
}

/** The background menu: every palette section, each node type adding itself at `at`. */
export function backgroundMenu(hooks: MenuHooks, at: Position): MenuItems {
  return {
    searchBar: true,
    list: hooks.sections().map((s) => ({
      label: s.label,
      key: s.category,
      handler: () => undefined,
      subitems: s.items.map((d) => ({ label: d.title, key: d.type, handler: () => hooks.addNode(d.type, at) })),
    })),
  };
}

/** The menu of node `id`: acts on the whole selection when `id` is selected, else on `id` alone. */
export function nodeMenu(hooks: MenuHooks, id: string, selected: ReadonlySet<string>): MenuItems {
  const ids = selected.has(id) ? [...selected] : [id];
  const n = ids.length > 1 ? ` ${ids.length} nodes` : '';
  return {
    searchBar: false,
    list: [
      { label: `Duplicate${n}`, key: 'duplicate', handler: () => hooks.duplicateNodes(ids) },
      ...(['bypass', 'mute'] as const).map((mode) => {
        const undo = ids.every((id) => hooks.modeOf(id) === mode);
        const verb = mode === 'bypass' ? 'Bypass' : 'Mute';
        return { label: `${undo ? `Un-${mode}` : verb}${n} (Ctrl+${mode === 'bypass' ? 'B' : 'M'})`, key: mode, handler: () => hooks.toggleMode(ids, mode) };
      }),
      { label: `Delete${n}`, key: 'delete', handler: () => hooks.removeNodes(ids) },
      ...(hooks.canReconnect(ids) ? [{ label: `Delete and reconnect${n}`, key: 'delete-reconnect', handler: () => hooks.removeNodesReconnecting(ids) }] : []),
    ],
  };
}

/**
 * What the menu lists for a search: every entry as it is when `query` is blank, else the leaf
 * entries (submenus flattened) whose label or key holds every typed word, any case. Plain text
 * matching: what the user types is never a pattern.
 */
export function menuMatches(items: readonly MenuItem[], query: string): MenuItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...items];
  const leaves = items.flatMap((i) => (i.subitems?.length ? i.subitems : [i]));
  return leaves.filter((i) => words.every((w) => `${i.label} ${i.key}`.toLowerCase().includes(w)));
}
