import type { TensorType } from '../../../nodes/contract.ts';
import { formatShape } from '../../../nodes/dims.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR, NetworkTotals } from '../../compiler/ir.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { graphHash } from '../../graph/hash.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { formatBytes } from '../../compiler/byte-size.ts';
import { compact, table, thousands } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { diagnosticJson, placedDiagnostics, printDiagnostics, readGraphOrReport, withoutTrainingWarnings } from '../read-graph.ts';

function outputsText(ir: GraphIR, id: string): string {
  const outputs = Object.entries(ir.nodes.get(id)!.outputs);
  const describe = (t: TensorType) => (t.kind === 'network' ? 'network handle' : formatShape(t.shape));
  if (outputs.length === 1) return describe(outputs[0][1]);
  return outputs.map(([port, t]) => `${port}: ${describe(t)}`).join(', ');
}

function totalsRow(name: string, t: NetworkTotals): string[] {
  return [name, thousands(t.params), thousands(t.buffers), compact(t.macs), formatBytes(t.activationBytes), formatBytes(t.weightBytes)];
}

export function inspectJson(ir: GraphIR) {
  const unordered = [...ir.nodes.keys()].filter((id) => !ir.order.includes(id));
  return {
    name: ir.doc.meta.name,
    hash: graphHash(ir.doc),
    batch: ir.batch,
    template: ir.template,
    nodes: [...ir.order, ...unordered].map((id) => {
      const n = ir.nodes.get(id)!;
      return {
        id,
        type: n.node.type,
        network: n.network,
        outputs: Object.fromEntries(Object.entries(n.outputs).map(([port, t]) => [port, { kind: t.kind, shape: t.shape.map((d) => d.value), symbolic: formatShape(t.shape, true) }])),
        params: n.cost.params,
        buffers: n.cost.buffers ?? 0,
        macs: n.cost.macs,
        activationBytes: n.cost.activationBytes,
      };
    }),
    networks: Object.fromEntries(ir.networks),
    total: ir.total,
    diagnostics: ir.diagnostics,
  };
}

export async function inspect(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.inspect);
  if (positional.length !== 1) throw new UsageError('inspect takes exactly one graph file');
  const [file] = positional;
  const batch = intFlag(flags, 'batch', 1, 1);
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return EXIT.problems;
  const ir = resolveGraph(read.doc, registry, { batch });
  const diagnostics = withoutTrainingWarnings([...read.diagnostics, ...ir.diagnostics], read.doc, registry);
  if (flags.json) {
    io.out(JSON.stringify({ file, ...inspectJson(ir), diagnostics: placedDiagnostics(diagnostics, file, io).map(diagnosticJson) }, null, 2));
  } else {
    const unordered = [...ir.nodes.keys()].filter((id) => !ir.order.includes(id));
    const rows = [...ir.order, ...unordered].map((id) => {
      const n = ir.nodes.get(id)!;
      return [id, n.node.type, n.network, outputsText(ir, id), thousands(n.cost.params), compact(n.cost.macs)];
    });
    io.out(`${ir.doc.meta.name} (${file}), batch ${batch}`);
    io.out(table(['node', 'type', 'net', 'output', '>params', '>mult-adds'], rows));
    io.out('');
    const totals = [...ir.networks].map(([name, t]) => totalsRow(name, t));
    if (ir.networks.size > 1) totals.push(totalsRow('all', ir.total));
    io.out(table(['network', '>params', '>buffers', '>mult-adds', '>activations', '>weights'], totals));
    for (const [name, t] of ir.networks) {
      if (t.unusedParams > 0) {
        io.out(
          `${name}: ${thousands(t.params)} params as the official checkpoint, of which ${thousands(t.unusedParams)} are official layers never used in forward; ${thousands(t.params - t.unusedParams)} without them`,
        );
      }
    }
    printDiagnostics(diagnostics, file, io);
  }
  return diagnostics.some((d) => d.severity === 'error') ? EXIT.problems : EXIT.ok;
}
