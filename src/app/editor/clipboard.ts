/**
 * Copy and paste as graph JSON. The system clipboard carries a complete graph document (the
 * selected nodes, their inner edges and whole groups), so a copy in one tab pastes in another and
 * into any text editor. Pasted text goes through the graph loader like a file.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { extractSubgraph } from './edits.ts';
import { openText } from './open.ts';

export const CLIPBOARD_SOURCE = 'clipboard';

/** The text to put on the clipboard for the selected node ids (empty selection → undefined). */
export function copyText(doc: GraphDocument, ids: Iterable<string>): string | undefined {
  const fragment = extractSubgraph(doc, ids);
  return fragment.nodes.length === 0 ? undefined : saveGraph(fragment);
}

export type PasteParse = { ok: true; fragment: GraphDocument } | { ok: false; diagnostics: Diagnostic[] };

/** Parses clipboard text into a fragment to paste; plain text that is not a graph says so. */
export function parseClipboard(text: string, registry: NodeRegistry): PasteParse {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    return { ok: false, diagnostics: [error('not-a-graph', 'the clipboard holds no graph: copy nodes in LGGAN Studio, or a .lggan.json file\'s text', { file: CLIPBOARD_SOURCE })] };
  }
  const result = openText(text, CLIPBOARD_SOURCE, registry);
  if (!result.ok) return result;
  return { ok: true, fragment: result.doc };
}
