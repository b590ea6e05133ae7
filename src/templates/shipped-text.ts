import type { GraphDocument } from '../graph/document.ts';
import { GRAPH_SCHEMA_PATH } from '../graph/document.ts';
import { saveGraphFile } from '../graph/save.ts';

/** `$schema` of the graphs in graphs/: the repository's copy, relative, so it works offline in any editor. */
export const SHIPPED_SCHEMA_REF = `../public/${GRAPH_SCHEMA_PATH}`;

/** A shipped graph's file text as `npm run graphs` writes it. */
export function shippedGraphText(doc: GraphDocument): string {
  return saveGraphFile(doc, SHIPPED_SCHEMA_REF);
}
