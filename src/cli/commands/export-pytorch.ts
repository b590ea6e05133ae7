/**
 * `lggan export-pytorch`: writes a graph as a PyTorch training package (model.py, objective.py,
 * train.py for torchrun/DDP, forward.py, lggan_torch/, README.md) to a folder. A node that cannot
 * be exported is reported by id, with the reason, and nothing is written.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { ExportError, UnexportableNodeError, exportPytorchPackage } from '../../interop/pytorch-export/index.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { printDiagnostics, readGraphOrReport } from '../read-graph.ts';

async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

export async function exportPytorch(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS['export-pytorch']);
  if (positional.length !== 1) throw new UsageError('export-pytorch takes exactly one graph file');
  const out = flags.out;
  if (typeof out !== 'string') throw new UsageError('export-pytorch needs -o DIR (the package folder)');
  const [file] = positional;
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return EXIT.problems;
  printDiagnostics(read.diagnostics, file, io);

  let files: Map<string, string | Uint8Array>;
  try {
    files = exportPytorchPackage(read.doc, registry);
  } catch (e) {
    if (e instanceof UnexportableNodeError || e instanceof ExportError) throw new CliProblem(`${file}: ${e.message}`);
    throw e;
  }
  if (flags.force !== true && (await isNonEmptyDir(out))) {
    throw new CliProblem(`'${out}' is not empty; choose a new folder or pass --force to overwrite the package files in it`);
  }
  for (const [path, content] of files) {
    const target = join(out, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  io.out(`${read.doc.meta.name}: wrote ${files.size} files to ${out}`);
  io.out(`  train:  cd ${out} && torchrun --nproc_per_node N train.py --data DATASET --layout LAYOUT --out runs/first`);
  io.out(`  smoke:  cd ${out} && python3 train.py --synthetic 16 --steps 3 --out runs/smoke`);
  return EXIT.ok;
}
