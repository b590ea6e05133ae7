/**
 * What a person does to the open graph from the palette, the canvas menu, the keyboard and the
 * clipboard: add, delete (and reconnect), duplicate, bypass/mute, group, comment, copy/cut/paste.
 * Each is one undoable document edit (edits.ts, heal.ts) applied through the session; the app
 * gives the place new things go (the view's centre) and where notices and problems are shown.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import type { NodeMode, Position } from '../../graph/document.ts';
import type { Session } from '../session.svelte.ts';
import { copyText, parseClipboard } from './clipboard.ts';
import * as edits from './edits.ts';
import * as heal from './heal.ts';

export interface CommandHost {
  session: Session;
  registry: NodeRegistry;
  /** The middle of what the canvas shows now, in graph coordinates. */
  viewCenter(): Position;
  /** A short notice (it fades). */
  say(text: string): void;
  /** A problem that stays until dismissed. */
  refuse(title: string, diagnostics: Diagnostic[]): void;
}

/** Whether a key or clipboard event comes from a field being typed in (then it is the field's). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

const countText = (ids: readonly string[]) => (ids.length === 1 ? ids[0] : `${ids.length} nodes`);

export function editorCommands(host: CommandHost) {
  const { session, registry, say } = host;
  let cascade = 0;
  /** The clipboard's text as this page last wrote it: the fallback where reading the system one is refused. */
  let pageClipboard: string | undefined;

  /** Where the next added or pasted thing goes: near the view's centre, stepped so repeats do not stack. */
  function nextSpot(): Position {
    const c = host.viewCenter();
    const step = (cascade++ % 6) * 28;
    return { x: c.x - 120 + step, y: c.y - 60 + step };
  }

  function addNodeAt(type: string, at: Position) {
    const title = registry.get(type)?.title ?? type;
    let id = '';
    const problem = session.apply(`Add ${title}`, (d) => {
      const r = edits.addNode(d, registry, type, at);
      id = r.id;
      return r.doc;
    });
    if (problem) say(problem);
    else session.select([id]);
  }

  function removeNodes(ids: string[]) {
    if (!ids.length) return;
    session.apply(`Delete ${countText(ids)}`, (d) => edits.removeNodes(d, ids), []);
  }

  function removeNodesReconnecting(ids: string[]) {
    if (!ids.length) return;
    let result: ReturnType<typeof heal.removeNodesReconnecting> | undefined;
    const problem = session.apply(`Delete and reconnect ${countText(ids)}`, (d) => (result = heal.removeNodesReconnecting(d, registry, ids)).doc, []);
    if (problem) say(problem);
    else if (result) say(heal.reconnectNotice(result.reconnected, result.refused));
  }

  function duplicateNodes(ids: string[]) {
    if (!ids.length) return;
    let created: string[] = [];
    session.apply(`Duplicate ${countText(ids)}`, (d) => {
      const r = edits.duplicate(d, ids);
      created = r.ids;
      return r.doc;
    });
    session.select(created);
  }

  function toggleNodeMode(ids: string[], mode: NodeMode) {
    if (!ids.length) return say(`Select nodes to ${mode} first`);
    const undo = ids.every((id) => session.doc.nodes.find((n) => n.id === id)?.mode === mode);
    const label = `${undo ? `Un-${mode}` : mode === 'bypass' ? 'Bypass' : 'Mute'} ${countText(ids)}`;
    say(session.apply(label, (d) => edits.toggleNodeMode(d, ids, mode)) ?? label);
  }

  function groupSelection() {
    const ids = session.selected;
    if (!ids.length) return say('Select nodes to group first');
    const problem = session.apply('Group nodes', (d) => edits.addGroup(d, ids, 'Group').doc);
    if (problem) say(problem);
  }

  function addComment() {
    const at = nextSpot();
    session.apply('Add comment', (d) => edits.addComment(d, 'Comment', at).doc);
  }

  /** Copy (or cut) the selection as graph JSON, onto the system clipboard and the page's own. */
  function onCopy(e: ClipboardEvent, cut: boolean) {
    if (isTyping(e.target)) return;
    const text = copyText(session.doc, session.selected);
    if (!text) return;
    pageClipboard = text;
    e.clipboardData?.setData('text/plain', text);
    e.preventDefault();
    const n = session.selected.length;
    if (cut) removeNodes(session.selected);
    say(`${cut ? 'Cut' : 'Copied'} ${n === 1 ? '1 node' : `${n} nodes`}${cut ? '' : ' as graph JSON'}`);
  }

  function onPaste(e: ClipboardEvent) {
    if (isTyping(e.target)) return;
    e.preventDefault();
    pasteText(e.clipboardData?.getData('text/plain') ?? '');
  }

  function pasteText(text: string) {
    let parsed = parseClipboard(text, registry);
    if (!parsed.ok && pageClipboard) parsed = parseClipboard(pageClipboard, registry);
    if (!parsed.ok) return host.refuse('Nothing was pasted', parsed.diagnostics);
    const fragment = parsed.fragment;
    let ids: string[] = [];
    session.apply(`Paste ${fragment.nodes.length} nodes`, (d) => {
      const r = edits.paste(d, fragment, nextSpot());
      ids = r.ids;
      return r.doc;
    });
    session.select(ids);
  }

  /** Whether deleting `ids` could reconnect around them (the canvas menu offers "Delete and reconnect"). */
  const canReconnect = (ids: string[]) => heal.canReconnect(session.doc, registry, ids);

  return { nextSpot, addNodeAt, removeNodes, removeNodesReconnecting, canReconnect, duplicateNodes, toggleNodeMode, groupSelection, addComment, onCopy, onPaste, pasteText };
}

export type EditorCommands = ReturnType<typeof editorCommands>;
