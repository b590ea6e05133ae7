/** The graph document format v1: types, loading (with migration), validation, saving and hashing. */
export * from './document.ts';
export * from './diagnostics.ts';
export { loadGraph, loadGraphValue, type LoadOptions, type LoadResult } from './load.ts';
export { validateGraph, type ValidateOptions, FIELDS, ID_PATTERN, TYPE_PATTERN, TEMPLATE_NAME_PATTERN, SIZE_NAMES, MAX_PIXELS, INIT_SCHEMES } from './validate.ts';
export { MIGRATIONS, migrateDocument, type Migration, type MigrateResult } from './migrations.ts';
export { saveGraph, canonicalGraph, canonicalNode, canonicalEdge } from './save.ts';
export { graphHash, graphContent, canonicalJson } from './hash.ts';
export { sha256, sha256Hex } from './sha256.ts';
export { parseJsonText, lineColumn, type JsonTextResult } from './json-text.ts';
export { MAX_ERRORS } from './report.ts';
