import type { NodeRegistry } from '../../nodes/registry.ts';
import { capDiagnostics, formatPlace, type Diagnostic } from '../graph/diagnostics.ts';
import type { GraphDocument } from '../graph/document.ts';
import { locatePointers } from '../graph/json-locate.ts';
import { loadGraph } from '../graph/load.ts';
import type { CliIO } from './io.ts';

export type ReadResult = { doc: GraphDocument; diagnostics: Diagnostic[] } | { unreadable: string } | { diagnostics: Diagnostic[]; doc?: undefined };

/** The text of each graph file read through an IO, so its diagnostics can name line and column. */
const sources = new WeakMap<CliIO, Map<string, string>>();

/** Remembers `file`'s text for the diagnostics printed about it later through `io`. */
export function rememberSource(io: CliIO, file: string, text: string): void {
  let files = sources.get(io);
  if (!files) sources.set(io, (files = new Map()));
  files.set(file, text);
}

/** Reads and loads a graph file; an unreadable file is one line, never a stack trace. */
export async function readGraph(file: string, registry: NodeRegistry, io: CliIO): Promise<ReadResult> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { unreadable: `cannot read '${file}': ${reason}` };
  }
  rememberSource(io, file, text);
  const loaded = loadGraph(text, { file, registry });
  if (!loaded.ok) return { diagnostics: loaded.diagnostics };
  return { doc: loaded.doc, diagnostics: loaded.diagnostics };
}

/**
 * The diagnostics with `file` named and, where the text of the file is known, the line and column
 * of their JSON pointer (the nearest enclosing value that is written, for a value left out).
 */
export function placeDiagnostics(diagnostics: readonly Diagnostic[], file: string, text: string | undefined): Diagnostic[] {
  const pointerOf = text === undefined ? () => undefined : fallbackPointers(text);
  const wanted = new Map<Diagnostic, string>();
  for (const d of diagnostics) {
    const pointer = d.where.line === undefined ? (d.where.pointer ?? pointerOf(d)) : undefined;
    if (pointer !== undefined) wanted.set(d, pointer);
  }
  const places = text === undefined || wanted.size === 0 ? new Map() : locatePointers(text, wanted.values());
  return diagnostics.map((d) => {
    const pointer = wanted.get(d);
    const place = pointer === undefined ? undefined : places.get(pointer);
    return { ...d, where: { file, ...d.where, ...(place ? { line: place.line, column: place.column } : {}) } };
  });
}

/**
 * For a diagnostic that names a node or an edge but no pointer (a compile-stage problem): the
 * pointer of that node (`/nodes/i`, found by id) or edge (`/edges/i`) in the document as written.
 */
function fallbackPointers(text: string): (d: Diagnostic) => string | undefined {
  let nodes: Map<string, number> | undefined;
  return (d) => {
    if (d.where.edge !== undefined) return `/edges/${d.where.edge}`;
    if (d.where.node === undefined) return undefined;
    if (!nodes) {
      nodes = new Map();
      try {
        const doc: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        const list = (doc as { nodes?: unknown })?.nodes;
        if (Array.isArray(list)) list.forEach((n, i) => typeof n?.id === 'string' && !nodes!.has(n.id) && nodes!.set(n.id, i));
      } catch {
        // Not JSON: nothing to place by.
      }
    }
    const index = nodes.get(d.where.node);
    return index === undefined ? undefined : `/nodes/${index}`;
  };
}

/** placeDiagnostics with the text read through `io` (if any). */
export function placedDiagnostics(diagnostics: readonly Diagnostic[], file: string, io: CliIO): Diagnostic[] {
  return placeDiagnostics(diagnostics, file, sources.get(io)?.get(file));
}

/**
 * One line as compilers print them, so editors and CI annotate the place:
 * `graphs/x.json:12:7: error: [bad-param] node 'enc' param 'kernel' (/nodes/1/params/kernel): …`.
 */
export function formatCliDiagnostic(d: Diagnostic): string {
  const { file, line, column, ...rest } = d.where;
  const at = file === undefined ? '' : line !== undefined ? `${file}:${line}:${column ?? 1}: ` : `${file}: `;
  const place = formatPlace(rest);
  return `${at}${d.severity}: [${d.code}] ${place ? `${place}: ` : ''}${d.message}`;
}

/** Prints diagnostics one per line as FILE:LINE:COLUMN: …; past 200, one line says how many more. */
export function printDiagnostics(diagnostics: Diagnostic[], file: string, io: CliIO): void {
  if (diagnostics.length === 0) return;
  const placed = placedDiagnostics(capDiagnostics(diagnostics), file, io);
  for (const d of placed) io.err(formatCliDiagnostic(d));
  io.onDiagnostics?.(placed);
}

/**
 * The diagnostics without the warnings of loss nodes (a perceptual loss without VGG19 weights):
 * they concern training only, so commands that do not train leave them out.
 */
export function withoutTrainingWarnings(diagnostics: readonly Diagnostic[], doc: GraphDocument, registry: NodeRegistry): Diagnostic[] {
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  return diagnostics.filter((d) => {
    if (d.severity !== 'warning' || d.code !== 'node-warning' || d.where.node === undefined) return true;
    const type = types.get(d.where.node);
    return type === undefined || registry.get(type)?.category !== 'loss';
  });
}

/** For commands that need one graph: the loaded document, or null after printing why there is none. */
export async function readGraphOrReport(file: string, registry: NodeRegistry, io: CliIO): Promise<{ doc: GraphDocument; diagnostics: Diagnostic[] } | null> {
  const read = await readGraph(file, registry, io);
  if ('unreadable' in read) {
    io.err(`error ${read.unreadable}`);
    return null;
  }
  if (!read.doc) {
    printDiagnostics(read.diagnostics, file, io);
    return null;
  }
  return read;
}

/**
 * A diagnostic as the --json documents give it: every key always present (null when it does not
 * apply), so CI scripts need no guards. `field` is the param, else the member the pointer ends at.
 */
export function diagnosticJson(d: Diagnostic) {
  const w = d.where;
  const last = w.pointer?.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~');
  const field = w.param ?? (last !== undefined && last !== '' && !/^\d+$/.test(last) ? last : undefined);
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: w.file ?? null,
    line: w.line ?? null,
    column: w.column ?? null,
    pointer: w.pointer ?? null,
    node: w.node ?? null,
    port: w.port ?? null,
    field: field ?? null,
    edge: w.edge ?? null,
  };
}
