import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../../../nodes/dims.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { sampleFeeds } from '../../compiler/sample-inputs.ts';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { thousands } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { compileResolved, resolveProgram } from '../load-program.ts';
import { diagnosticJson } from '../read-graph.ts';

/** The --json schema's version: bump it when a field changes meaning or goes away. */
export const COMPILE_JSON_VERSION = 1;

interface OutputSummary {
  name: string;
  shape: number[];
  /** The declared shape in the template's symbols (H×W×3). */
  declared: string;
  min: number | null;
  max: number | null;
  finite: boolean;
}

async function summarize(name: string, t: tf.Tensor, declared: string): Promise<OutputSummary> {
  const data = await t.data(); // not dataSync: WebGPU in Node has no synchronous read
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  for (const v of data) {
    if (!Number.isFinite(v)) finite = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // JSON has no Infinity/NaN: an empty or all-NaN output has no range.
  return { name, shape: t.shape, declared, min: Number.isFinite(min) ? min : null, max: Number.isFinite(max) ? max : null, finite };
}

/**
 * `lggan compile FILE`: builds the program, runs one seeded forward pass, prints each output's
 * shape and range. With --json one document on stdout: `{ version, file, ok, name, backend,
 * seed, batch, variables, forwardMs, outputs: [{ name, shape, declared, min, max, finite }],
 * diagnostics }` (`ok: false` and no program fields when the graph does not compile).
 */
export async function compile(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.compile);
  if (positional.length !== 1) throw new UsageError('compile takes exactly one graph file');
  const [file] = positional;
  const batch = intFlag(flags, 'batch', 1, 1);
  const seedFlag = flags.seed === undefined ? undefined : intFlag(flags, 'seed', 0);
  const json = flags.json === true;
  const diagnostics: Diagnostic[] = [];
  const cio: CliIO = { ...io, onDiagnostics: (d) => diagnostics.push(...d) };
  const refuse = () => {
    if (json) io.out(JSON.stringify({ version: COMPILE_JSON_VERSION, file, ok: false, diagnostics: diagnostics.map(diagnosticJson) }, null, 2));
    return EXIT.problems;
  };
  // Refused before any variable is allocated when the estimate does not fit this backend, as train does.
  const resolved = await resolveProgram(file, registry, cio, { batch, seed: seedFlag, memory: { training: false } });
  if (!resolved) return refuse();
  const { ir } = resolved;
  const seed = resolved.init.seed;
  const program = compileResolved(resolved, cio);
  if (!program) return refuse();
  const feeds = sampleFeeds(program, seed);
  try {
    const started = performance.now();
    const outputs = program.run(feeds);
    const ms = performance.now() - started;
    const summaries = await Promise.all(Object.entries(outputs).map(async ([name, t]) => {
      const declared = ir.nodes.get(name)?.inputs.value;
      return summarize(name, t, declared ? formatShape(declared.shape) : t.shape.slice(1).join('×'));
    }));
    tf.dispose(outputs);
    if (json) {
      const doc = { version: COMPILE_JSON_VERSION, file, ok: true, name: ir.doc.meta.name, backend: tf.getBackend(), seed, batch, variables: program.variables.size, forwardMs: Math.round(ms * 10) / 10, outputs: summaries, diagnostics: diagnostics.map(diagnosticJson) };
      io.out(JSON.stringify(doc, null, 2));
      return EXIT.ok;
    }
    io.out(`${ir.doc.meta.name}: ${thousands(program.variables.size)} variables, backend ${tf.getBackend()}, seed ${seed}, batch ${batch}`);
    for (const s of summaries) {
      const range = s.min === null || s.max === null ? 'no finite values' : `range [${s.min.toFixed(4)}, ${s.max.toFixed(4)}]`;
      io.out(`  ${s.name}: [${s.shape.join(', ')}] (${s.declared})  ${range}${s.finite ? '' : '  NON-FINITE VALUES'}`);
    }
    io.out(`forward pass: ${ms.toFixed(1)} ms`);
  } finally {
    tf.dispose(Object.values(feeds));
    program.dispose();
  }
  return EXIT.ok;
}
