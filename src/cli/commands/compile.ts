import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../../../nodes/dims.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { CompileError, compileProgram } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { sampleFeeds } from '../../compiler/sample-inputs.ts';
import { DEFAULT_INIT } from '../../graph/document.ts';
import { intFlag, parseArgs } from '../args.ts';
import { thousands } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { printDiagnostics, readGraphOrReport } from '../read-graph.ts';

export const compileUsage = 'lggan compile FILE [--seed S] [--batch N]   build the tfjs program (weights and inputs seeded by S, default: the graph init seed), run one forward pass, print output shapes';

export async function compile(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(argv, { values: ['seed', 'batch'] });
  if (positional.length !== 1) throw new UsageError('compile takes exactly one graph file');
  const [file] = positional;
  const batch = intFlag(flags, 'batch', 1, 1);
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return EXIT.problems;
  const init = read.doc.init ?? DEFAULT_INIT;
  const seed = intFlag(flags, 'seed', init.seed);
  const ir = resolveGraph(read.doc, registry, { batch });
  printDiagnostics([...read.diagnostics, ...ir.diagnostics], file, io);
  let program;
  try {
    program = compileProgram(ir, { init: { ...init, seed } });
  } catch (e) {
    if (e instanceof CompileError) {
      if (!ir.diagnostics.some((d) => d.severity === 'error')) printDiagnostics(e.diagnostics, file, io);
      return EXIT.problems;
    }
    throw e;
  }
  const feeds = sampleFeeds(program, seed);
  try {
    const started = performance.now();
    const outputs = program.run(feeds);
    const ms = performance.now() - started;
    io.out(`${ir.doc.meta.name}: ${thousands(program.variables.size)} variables, backend ${tf.getBackend()}, seed ${seed}, batch ${batch}`);
    for (const [name, t] of Object.entries(outputs)) {
      const data = t.dataSync();
      let min = Infinity;
      let max = -Infinity;
      let finite = true;
      for (const v of data) {
        if (!Number.isFinite(v)) finite = false;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const declared = ir.nodes.get(name)?.inputs.value;
      const shape = declared ? formatShape(declared.shape) : t.shape.slice(1).join('×');
      io.out(`  ${name}: [${t.shape.join(', ')}] (${shape})  range [${min.toFixed(4)}, ${max.toFixed(4)}]${finite ? '' : '  NON-FINITE VALUES'}`);
    }
    io.out(`forward pass: ${ms.toFixed(1)} ms`);
    tf.dispose(outputs);
  } finally {
    tf.dispose(Object.values(feeds));
    program.dispose();
  }
  return EXIT.ok;
}
