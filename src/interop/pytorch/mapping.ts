/**
 * Which official state_dict entries a graph network has, and which of its variables no official
 * key covers (e.g. SAU layers, which have no official counterpart). Works from the resolved graph
 * alone, so a full-size network is mapped without allocating its weights; with a compiled
 * program the uncovered variables are named exactly.
 */
import type { GraphIR } from '../../compiler/ir.ts';
import { officialStateDict, type OfficialEntry } from '../../compiler/official.ts';
import type { Program } from '../../compiler/program.ts';
import { TorchCheckpointError } from './errors.ts';
import { numelOf } from './tensor.ts';

export interface NetworkMapping {
  network: string;
  entries: OfficialEntry[];
  /** Variables (with a program) or nodes (graph only, with their element counts) that no official key covers. */
  uncovered: string[];
}

export function isProgram(target: Program | GraphIR): target is Program {
  return (target as Program).variables instanceof Map && typeof (target as Program).run === 'function';
}

function irOf(target: Program | GraphIR): GraphIR {
  return isProgram(target) ? target.ir : target;
}

/** The networks of a graph that have official keys. */
export function officialNetworks(ir: GraphIR): string[] {
  return [...ir.networks.keys()].filter((n) => officialStateDict(ir, n).length > 0);
}

export function networkMapping(target: Program | GraphIR, network: string): NetworkMapping {
  const ir = irOf(target);
  const errors = ir.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new TorchCheckpointError(`the graph has ${errors.length} error(s) (first: ${errors[0].message}); fix them before mapping checkpoints`);
  if (!ir.networks.has(network)) {
    throw new TorchCheckpointError(`the graph has no network '${network}' (networks: ${[...ir.networks.keys()].join(', ')})`);
  }
  const entries = officialStateDict(ir, network);
  if (entries.length === 0) throw new TorchCheckpointError(`network '${network}' has no official state_dict keys (networks with official keys: ${officialNetworks(ir).join(', ') || 'none'})`);
  const mapped = new Set(entries.flatMap((e) => (e.variableName ? [e.variableName] : [])));
  let uncovered: string[];
  if (isProgram(target)) {
    uncovered = [...target.variableInfo.values()].filter((v) => v.network === network && !mapped.has(v.name)).map((v) => v.name);
  } else {
    uncovered = [];
    for (const id of ir.order) {
      const n = ir.nodes.get(id)!;
      if (n.network !== network) continue;
      const own = n.cost.params + (n.cost.buffers ?? 0);
      const covered = entries.filter((e) => e.node === id && e.variableName !== null).reduce((sum, e) => sum + numelOf(e.shape), 0);
      if (own > covered) uncovered.push(`${id} (${own - covered} elements)`);
    }
  }
  return { network, entries, uncovered };
}
