/**
 * `lggan export-checkpoint`: writes one network of a trained graph (our `.safetensors`
 * checkpoint) as an official PyTorch state_dict `.pth` (torch.save's zip format, official key
 * names and layouts) that the official code's `load_state_dict` accepts.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { graphHash } from '../../graph/hash.ts';
import { TorchCheckpointError, exportCheckpointBytes, safetensorsLookup } from '../../interop/pytorch/index.ts';
import { LAYOUT_METADATA_KEY } from '../../runtime/checkpoint/index.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { readCheckpointFile } from '../checkpoint-file.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { resolveForCheckpoint } from './import-checkpoint.ts';

export async function exportCheckpoint(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS['export-checkpoint']);
  if (positional.length !== 2) throw new UsageError('export-checkpoint takes a graph file and a .safetensors weights file');
  if (typeof flags.out !== 'string') throw new UsageError('export-checkpoint needs -o FILE.pth');
  const [graphFile, weightsFile] = positional;
  const network = typeof flags.network === 'string' ? flags.network : 'G';

  const ir = await resolveForCheckpoint(graphFile, registry, io);
  if (!ir) return EXIT.problems;
  const { file, record } = await readCheckpointFile(weightsFile);
  const layout = file.metadata[LAYOUT_METADATA_KEY];
  if (layout !== undefined && layout !== 'tfjs') throw new CliProblem(`'${weightsFile}' stores layout '${layout}'; only tfjs-layout checkpoints of this tool can be exported`);
  if (record && record.graphHash !== graphHash(ir.doc)) io.err(`note '${weightsFile}' was made for another version of the graph ('${record.graphName}'); exporting the variables that fit`);

  let exported;
  try {
    exported = exportCheckpointBytes(ir, safetensorsLookup(file), { network, mode: flags.partial ? 'partial' : 'strict' });
  } catch (e) {
    if (e instanceof TorchCheckpointError) throw new CliProblem(`${weightsFile}: ${e.message}`);
    throw e;
  }
  const { report } = exported;
  const reasons = new Map<string, string[]>();
  for (const f of report.filled) reasons.set(f.reason, [...(reasons.get(f.reason) ?? []), f.key]);
  for (const [reason, keys] of reasons) io.out(`filled ${keys.length} with ${reason}: ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ' …' : ''}`);
  if (report.missing.length) io.out(`left out ${report.missing.length} (not in the weights): ${report.missing.slice(0, 8).join(', ')}`);
  if (report.misshaped.length) io.out(`left out ${report.misshaped.length} misshaped: ${report.misshaped.map((m) => m.variable).slice(0, 8).join(', ')}`);
  await writeFile(flags.out, exported.bytes);
  io.out(`wrote ${report.written.length + report.filled.length} official keys of network ${network} (${report.written.length} from variables) to ${flags.out}`);
  return EXIT.ok;
}
