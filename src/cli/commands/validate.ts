import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { diagnosticJson, printDiagnostics, readGraph } from '../read-graph.ts';

/** The --json schema's version: bump it when a field changes meaning or goes away. */
export const VALIDATE_JSON_VERSION = 1;

/** One file's verdict: `nodes`/`edges` null when it did not load; `readError` when it could not be read. */
interface FileReport {
  file: string;
  ok: boolean;
  readError: string | null;
  nodes: number | null;
  edges: number | null;
  errors: number;
  warnings: number;
  diagnostics: ReturnType<typeof diagnosticJson>[];
}

/**
 * `lggan validate FILE... [--json]`: every problem of every file, one line each on stderr as
 * FILE:LINE:COLUMN: …; with --json one document on stdout instead of the ok lines:
 * `{ version, ok, files: [{ file, ok, readError, nodes, edges, errors, warnings, diagnostics }] }`
 * (each diagnostic as diagnosticJson gives it).
 */
export async function validate(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional: files, flags } = parseCommandArgs(argv, COMMAND_SPECS.validate);
  if (files.length === 0) throw new UsageError('validate needs at least one graph file');
  const json = flags.json === true;
  const reports: FileReport[] = [];
  for (const file of files) {
    let printed: readonly Diagnostic[] = [];
    const fileIO: CliIO = { ...io, onDiagnostics: (d) => (printed = d) };
    const report: FileReport = { file, ok: false, readError: null, nodes: null, edges: null, errors: 0, warnings: 0, diagnostics: [] };
    reports.push(report);
    const read = await readGraph(file, registry, fileIO);
    if ('unreadable' in read) {
      io.err(`error ${read.unreadable}`);
      report.readError = read.unreadable;
      continue;
    }
    const diagnostics = read.doc ? [...read.diagnostics, ...resolveGraph(read.doc, registry).diagnostics] : read.diagnostics;
    if (!json || diagnostics.length > 0) printDiagnostics(diagnostics, file, fileIO);
    report.errors = diagnostics.filter((d) => d.severity === 'error').length;
    report.warnings = diagnostics.length - report.errors;
    report.diagnostics = printed.map(diagnosticJson);
    if (!read.doc) continue;
    report.nodes = read.doc.nodes.length;
    report.edges = read.doc.edges.length;
    report.ok = report.errors === 0;
    const { warnings } = report;
    if (report.ok && !json) io.out(`ok ${file}: ${report.nodes} nodes, ${report.edges} edges${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`);
  }
  const ok = reports.every((r) => r.ok);
  if (json) io.out(JSON.stringify({ version: VALIDATE_JSON_VERSION, ok, files: reports }, null, 2));
  return ok ? EXIT.ok : EXIT.problems;
}
