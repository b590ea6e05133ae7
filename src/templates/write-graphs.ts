/**
 * Writes the shipped LGGAN graphs into graphs/ (npm run graphs). A test checks that the committed
 * files equal what this produces, so the graphs never drift from the templates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveGraph } from '../graph/save.ts';
import { shippedGraphs } from './shipped.ts';

const dir = join(import.meta.dirname, '..', '..', 'graphs');
for (const [file, doc] of Object.entries(shippedGraphs())) {
  writeFileSync(join(dir, file), saveGraph(doc));
  console.log(`wrote graphs/${file}`);
}
