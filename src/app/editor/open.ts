/**
 * Text or parsed JSON → a GraphDocument through the same loader and checks as the CLI, for every
 * way a graph enters the app (file, drop, share link, clipboard, library, autosave, examples).
 * Never throws: a bad input comes back as diagnostics naming the source, line and pointer.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph, loadGraphValue, type LoadResult } from '../../graph/load.ts';

export type OpenResult = { ok: true; doc: GraphDocument; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

function toOpen(result: LoadResult): OpenResult {
  return result.ok ? { ok: true, doc: result.doc, warnings: result.diagnostics } : { ok: false, diagnostics: result.diagnostics };
}

export function openText(text: string, source: string, registry: NodeRegistry): OpenResult {
  try {
    return toOpen(loadGraph(text, { file: source, registry }));
  } catch (e) {
    return { ok: false, diagnostics: [error('internal', `internal error: ${e instanceof Error ? e.message : String(e)}`, { file: source })] };
  }
}

export function openValue(json: unknown, source: string, registry: NodeRegistry): OpenResult {
  try {
    return toOpen(loadGraphValue(json, { file: source, registry }));
  } catch (e) {
    return { ok: false, diagnostics: [error('internal', `internal error: ${e instanceof Error ? e.message : String(e)}`, { file: source })] };
  }
}
