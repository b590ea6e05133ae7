/**
 * Text of a file the user opens or drops → a graph document, whether it is our `.lggan.json` or
 * litegraph/ComfyUI workflow JSON (interop/litegraph loadAnyGraph). Never throws: a bad file
 * comes back as diagnostics naming the file and the place in its JSON.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadAnyGraph } from '../../interop/litegraph/convert.ts';
import type { SaveFormat } from './save-format.ts';

export type OpenAnyResult = { ok: true; doc: GraphDocument; format: SaveFormat; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export function openAnyText(text: string, file: string, registry: NodeRegistry): OpenAnyResult {
  try {
    const result = loadAnyGraph(text, registry, { file });
    return result.ok ? { ok: true, doc: result.doc, format: result.format, warnings: result.diagnostics } : { ok: false, diagnostics: result.diagnostics };
  } catch (e) {
    return { ok: false, diagnostics: [error('internal', `internal error: ${e instanceof Error ? e.message : String(e)}`, { file })] };
  }
}

/**
 * The loader's warnings worth keeping beside the compiler's: an unknown node type is reported by
 * the compiler too (as long as the node exists), so the loader's copy would only double it.
 */
export function openWarnings(warnings: readonly Diagnostic[]): Diagnostic[] {
  return warnings.filter((d) => d.code !== 'unknown-node-type');
}

/** One line for the notice after opening: the format read and what the file needed. */
export function openSummary(file: string, format: SaveFormat, doc: GraphDocument, warnings: readonly Diagnostic[], isPlaceholder: (type: string) => boolean): string {
  const placeholders = doc.nodes.filter((n) => isPlaceholder(n.type)).length;
  const parts = [format === 'litegraph' ? `Opened ${file} as litegraph/ComfyUI JSON` : `Opened ${file}`];
  if (placeholders) parts.push(`${placeholders} unknown ${placeholders === 1 ? 'node type kept as a placeholder' : 'node types kept as placeholders'}`);
  const others = openWarnings(warnings).length;
  if (others) parts.push(`${others} ${others === 1 ? 'warning' : 'warnings'} in Problems`);
  return parts.join(' · ');
}
