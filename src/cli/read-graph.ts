import type { NodeRegistry } from '../../nodes/registry.ts';
import { capDiagnostics, formatDiagnostic, type Diagnostic } from '../graph/diagnostics.ts';
import type { GraphDocument } from '../graph/document.ts';
import { loadGraph } from '../graph/load.ts';
import type { CliIO } from './io.ts';

export type ReadResult = { doc: GraphDocument; diagnostics: Diagnostic[] } | { unreadable: string } | { diagnostics: Diagnostic[]; doc?: undefined };

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
  const loaded = loadGraph(text, { file, registry });
  if (!loaded.ok) return { diagnostics: loaded.diagnostics };
  return { doc: loaded.doc, diagnostics: loaded.diagnostics };
}

/** Prints diagnostics one per line, with the file named in each place; past 200, one line says how many more. */
export function printDiagnostics(diagnostics: Diagnostic[], file: string, io: CliIO): void {
  for (const d of capDiagnostics(diagnostics)) io.err(formatDiagnostic({ ...d, where: { file, ...d.where } }));
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
