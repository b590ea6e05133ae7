/**
 * Interchange with the litegraph/ComfyUI JSON family: the public entry points.
 * - toLitegraph(doc, registry): our document as litegraph serialize() JSON.
 * - fromLitegraph(json, registry, {file}): litegraph or ComfyUI JSON as our document, or diagnostics.
 * - detectGraphFormat(json) and loadAnyGraph(text, registry, {file}): for open dialogs, the CLI and
 *   drag-and-drop, which accept either format; formatGraph(doc, format) writes either.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import { GRAPH_FORMAT, type GraphDocument } from '../../graph/document.ts';
import { parseJsonText } from '../../graph/json-text.ts';
import { loadGraphValue } from '../../graph/load.ts';
import { saveGraph, saveGraphFile } from '../../graph/save.ts';
import { isPlainObject } from '../../graph/util.ts';
import { fromLitegraph } from './from-litegraph.ts';
import { toLitegraph } from './write-back.ts';

export { fromLitegraph, type FromLitegraphOptions, type FromLitegraphResult } from './from-litegraph.ts';
export { toLitegraph } from './write-back.ts';
export { sourceOf, SOURCE_KEY } from './source.ts';
export type { LiteGraphJson, LiteNode, LiteGroup, LiteLinkTuple } from './format.ts';

export type GraphFormat = 'lggan' | 'litegraph';

/**
 * Which format a parsed JSON value is: ours has `format: "lggan-studio.graph"`; litegraph and
 * ComfyUI workflows have a `nodes` array next to `links` or `last_node_id`. Null for neither.
 */
export function detectGraphFormat(json: unknown): GraphFormat | null {
  if (!isPlainObject(json)) return null;
  if (json.format === GRAPH_FORMAT) return 'lggan';
  if (Array.isArray(json.nodes) && (Array.isArray(json.links) || 'last_node_id' in json)) return 'litegraph';
  return null;
}

export type AnyLoadResult =
  | { ok: true; doc: GraphDocument; format: GraphFormat; /** warnings only */ diagnostics: Diagnostic[] }
  | { ok: false; format?: GraphFormat; diagnostics: Diagnostic[] };

export interface AnyLoadOptions {
  file?: string;
  /** A name for graphs whose JSON carries none (plain litegraph/ComfyUI files); default: the file's name. */
  name?: string;
}

/** Text of either format → our document, with diagnostics that point into the text's own JSON. */
export function loadAnyGraph(text: string, registry: Pick<NodeRegistry, 'get'>, options: AnyLoadOptions = {}): AnyLoadResult {
  const parsed = parseJsonText(text);
  const where = options.file === undefined ? {} : { file: options.file };
  if (!parsed.ok) {
    const message = parsed.empty ? parsed.message : `JSON syntax error: ${parsed.message}`;
    return { ok: false, diagnostics: [error(parsed.empty ? 'empty-file' : 'json-syntax', message, { ...where, line: parsed.line, column: parsed.column })] };
  }
  const format = detectGraphFormat(parsed.value);
  if (format === 'lggan') {
    const loaded = loadGraphValue(parsed.value, { file: options.file, registry });
    return loaded.ok ? { ok: true, doc: loaded.doc, format, diagnostics: loaded.diagnostics } : { ok: false, format, diagnostics: loaded.diagnostics };
  }
  if (format === 'litegraph') {
    const name = options.name ?? (options.file ? baseName(options.file) : undefined);
    const converted = fromLitegraph(parsed.value, registry, { file: options.file, name });
    return converted.ok ? { ...converted, format } : { ...converted, format };
  }
  return {
    ok: false,
    diagnostics: [
      error(
        'unknown-format',
        `not a graph this tool reads: expected an LGGAN Studio graph ("format": "${GRAPH_FORMAT}") or litegraph/ComfyUI workflow JSON ("nodes" and "links" arrays)`,
        { ...where, pointer: '' },
      ),
    ],
  };
}

/**
 * The document as text in the given format (ours: the canonical saveGraph text, with `"$schema":
 * schemaRef` first when given — what a file on disk carries).
 */
export function formatGraph(doc: GraphDocument, format: GraphFormat, registry: Pick<NodeRegistry, 'get'>, schemaRef?: string): string {
  if (format === 'lggan') return schemaRef === undefined ? saveGraph(doc) : saveGraphFile(doc, schemaRef);
  return JSON.stringify(toLitegraph(doc, registry), null, 2) + '\n';
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.lggan)?\.json$/i, '') || last;
}
