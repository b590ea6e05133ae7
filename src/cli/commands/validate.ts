import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { parseArgs } from '../args.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { printDiagnostics, readGraph } from '../read-graph.ts';

export const validateUsage = 'lggan validate FILE...   check graphs; one problem per line with its place; exit 1 if any has an error';

export async function validate(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional: files } = parseArgs(argv, {});
  if (files.length === 0) throw new UsageError('validate needs at least one graph file');
  let failed = false;
  for (const file of files) {
    const read = await readGraph(file, registry, io);
    if ('unreadable' in read) {
      io.err(`error ${read.unreadable}`);
      failed = true;
      continue;
    }
    if (!read.doc) {
      printDiagnostics(read.diagnostics, file, io);
      failed = true;
      continue;
    }
    const ir = resolveGraph(read.doc, registry);
    const diagnostics = [...read.diagnostics, ...ir.diagnostics];
    printDiagnostics(diagnostics, file, io);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    if (errors > 0) failed = true;
    else io.out(`ok ${file}: ${read.doc.nodes.length} nodes, ${read.doc.edges.length} edges${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`);
  }
  return failed ? EXIT.problems : EXIT.ok;
}
