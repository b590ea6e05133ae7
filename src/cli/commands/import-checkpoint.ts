/**
 * `lggan import-checkpoint`: maps an official PyTorch checkpoint (`<epoch>_net_G.pth`, zip or
 * legacy format) onto one network of a graph and writes it as our `.safetensors` checkpoint,
 * printing what was mapped, converted, ignored, missing, unexpected and misshaped. The graph is
 * only resolved, never compiled, so full-size networks import without allocating a program.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { CheckpointImportError, TorchCheckpointError, describeImportReport, importCheckpointBytes, importedWeightsToSafetensors } from '../../interop/pytorch/index.ts';
import { createRunRecord } from '../../runtime/checkpoint/index.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { printDiagnostics, readGraphOrReport, withoutTrainingWarnings } from '../read-graph.ts';
import { NODE_PACK_VERSION } from '../../../nodes/version.ts';

/** Reads and resolves a graph; null after printing its problems. */
export async function resolveForCheckpoint(file: string, registry: NodeRegistry, io: CliIO): Promise<GraphIR | null> {
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return null;
  const ir = resolveGraph(read.doc, registry, { batch: 1 });
  printDiagnostics(withoutTrainingWarnings([...read.diagnostics, ...ir.diagnostics], read.doc, registry), file, io);
  return ir.diagnostics.some((d) => d.severity === 'error') ? null : ir;
}

export async function readBinary(path: string, what: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliProblem(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
}

export async function importCheckpoint(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS['import-checkpoint']);
  if (positional.length !== 2) throw new UsageError('import-checkpoint takes a graph file and a .pth file');
  if (typeof flags.out !== 'string') throw new UsageError('import-checkpoint needs -o WEIGHTS.safetensors');
  const [graphFile, pthFile] = positional;
  const network = typeof flags.network === 'string' ? flags.network : 'G';

  const ir = await resolveForCheckpoint(graphFile, registry, io);
  if (!ir) return EXIT.problems;
  const bytes = await readBinary(pthFile, 'checkpoint');
  let result;
  try {
    result = importCheckpointBytes(bytes, ir, { network, mode: flags.partial ? 'partial' : 'strict', key: typeof flags.key === 'string' ? flags.key : undefined });
  } catch (e) {
    if (e instanceof CheckpointImportError) {
      for (const line of describeImportReport(e.report)) io.out(line);
      throw new CliProblem(`${pthFile}: ${e.message.split('\n')[0]} (see the report above; --partial imports what matches)`);
    }
    if (e instanceof TorchCheckpointError) throw new CliProblem(`${pthFile}: ${e.message}`);
    throw e;
  }
  for (const line of describeImportReport(result.report)) io.out(line);
  const record = createRunRecord({
    doc: ir.doc,
    nodePackVersion: NODE_PACK_VERSION,
    extra: { importedFrom: basename(pthFile), network, format: result.report.format, mode: result.report.mode },
  });
  await writeFile(flags.out, importedWeightsToSafetensors(result.weights, record));
  io.out(`wrote ${result.weights.length} variables of network ${network} to ${flags.out}`);
  return EXIT.ok;
}
