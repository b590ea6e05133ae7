/** Test support for the app: a graph value loaded as a document, or the loader's messages thrown. */
import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphDocument } from '../graph/document.ts';
import { loadGraphValue } from '../graph/load.ts';

export function loadDocOrThrow(json: unknown, registry: NodeRegistry): GraphDocument {
  const r = loadGraphValue(json, { registry });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.doc;
}
