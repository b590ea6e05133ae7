import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../../../nodes/dims.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { sampleFeeds } from '../../compiler/sample-inputs.ts';
import { intFlag, parseArgs } from '../args.ts';
import { thousands } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { compileResolved, resolveProgram } from '../load-program.ts';

export const compileUsage = 'lggan compile FILE [--seed S] [--batch N]   build the tfjs program (weights and inputs seeded by S, default: the graph init seed), run one forward pass, print output shapes';

export async function compile(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(argv, { values: ['seed', 'batch'] });
  if (positional.length !== 1) throw new UsageError('compile takes exactly one graph file');
  const [file] = positional;
  const batch = intFlag(flags, 'batch', 1, 1);
  const seedFlag = flags.seed === undefined ? undefined : intFlag(flags, 'seed', 0);
  // Refused before any variable is allocated when the estimate does not fit this backend, as train does.
  const resolved = await resolveProgram(file, registry, io, { batch, seed: seedFlag, memory: { training: false } });
  if (!resolved) return EXIT.problems;
  const { ir } = resolved;
  const seed = resolved.init.seed;
  const program = compileResolved(resolved, io);
  if (!program) return EXIT.problems;
  const feeds = sampleFeeds(program, seed);
  try {
    const started = performance.now();
    const outputs = program.run(feeds);
    const ms = performance.now() - started;
    io.out(`${ir.doc.meta.name}: ${thousands(program.variables.size)} variables, backend ${tf.getBackend()}, seed ${seed}, batch ${batch}`);
    for (const [name, t] of Object.entries(outputs)) {
      const data = await t.data(); // not dataSync: WebGPU in Node has no synchronous read
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
