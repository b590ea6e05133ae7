/** graphs/index/examples.json on disk: the graphs it indexes read from graphs/, and its exact text. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '../../nodes/index.ts';
import type { GraphDocument } from '../graph/document.ts';
import { loadGraph } from '../graph/load.ts';
import { buildExampleIndex } from './example-index.ts';
import { shippedCatalogue } from './shipped.ts';

export const GRAPHS_DIR = join(import.meta.dirname, '..', '..', 'graphs');
export const EXAMPLE_INDEX_FILE = join(GRAPHS_DIR, 'index', 'examples.json');

/** Every graphs/*.json, loaded; a file that does not load is an error naming it and its problem. */
export function readShippedDocs(): Record<string, GraphDocument> {
  const docs: Record<string, GraphDocument> = {};
  const registry = createRegistry();
  for (const file of readdirSync(GRAPHS_DIR).filter((f) => f.endsWith('.json'))) {
    const loaded = loadGraph(readFileSync(join(GRAPHS_DIR, file), 'utf8'), { file, registry });
    if (!loaded.ok) throw new Error(`graphs/${file}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
    docs[file] = loaded.doc;
  }
  return docs;
}

/** The index as written: one example per line, so that a diff shows which example changed. */
export function examplesIndexText(docs: Record<string, GraphDocument>): string {
  const index = buildExampleIndex(docs, shippedCatalogue(), createRegistry());
  const lines = index.examples.map((e) => '    ' + JSON.stringify(e));
  return `{\n  "version": ${index.version},\n  "examples": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
