/**
 * The `$schema` a graph file written by Node code carries: the path from the written file's folder
 * to the JSON Schema this checkout or installed package ships (public/schema/), with `/` separators.
 * A relative path works offline and in every editor that reads `$schema` (VS Code resolves it
 * against the file), and it always names the schema of the code that wrote the file.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_SCHEMA_PATH } from '../graph/document.ts';

/** The schema file in this checkout or package. */
export const SCHEMA_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', GRAPH_SCHEMA_PATH);

/** `$schema` for a graph written to `file` (a path; relative ones count from the working directory). */
export function schemaRefFor(file: string): string {
  const path = relative(dirname(resolve(file)), SCHEMA_FILE).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}
