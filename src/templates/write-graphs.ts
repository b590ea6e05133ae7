/**
 * Writes the shipped LGGAN graphs into graphs/ (npm run graphs), then the Examples menu's index of
 * every graph there (graphs/index/examples.json). A test checks that the committed files equal
 * what this produces, so the graphs and the index never drift from the templates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedGraphText } from './shipped-text.ts';
import { EXAMPLE_INDEX_FILE, examplesIndexText, readShippedDocs } from './example-index-file.ts';
import { shippedGraphs } from './shipped.ts';

const dir = join(import.meta.dirname, '..', '..', 'graphs');
for (const [file, doc] of Object.entries(shippedGraphs())) {
  writeFileSync(join(dir, file), shippedGraphText(doc));
  console.log(`wrote graphs/${file}`);
}
mkdirSync(join(dir, 'index'), { recursive: true });
writeFileSync(EXAMPLE_INDEX_FILE, examplesIndexText(readShippedDocs()));
console.log('wrote graphs/index/examples.json');
