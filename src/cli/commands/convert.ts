/**
 * `lggan convert IN [--to litegraph|lggan] [-o OUT]`: between our graph format and litegraph /
 * ComfyUI workflow JSON. The input's format is detected; --to defaults to the other one; without
 * -o the result goes to stdout. Problems with the input are printed one per line with the file and
 * the JSON place (`/links/3/2`), naming the litegraph node or link id.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { formatGraph, loadAnyGraph, type GraphFormat } from '../../interop/litegraph/convert.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { printDiagnostics, readGraphText } from '../read-graph.ts';
import { schemaRefFor } from '../schema-ref.ts';

const FORMATS: readonly GraphFormat[] = ['lggan', 'litegraph'];

export async function convert(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.convert);
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'convert needs an input file' : `convert takes one input file, got ${positional.length}: ${positional.join(' ')}`);
  const [input] = positional;
  const to = flags.to as string | undefined;
  if (to !== undefined && !FORMATS.includes(to as GraphFormat)) throw new UsageError(`--to must be one of ${FORMATS.join(', ')}, got '${to}'`);
  const out = flags.out as string | undefined;

  // A .png made by LGGAN Studio is read for the graph it carries, as by every other command.
  const read = await readGraphText(input, io);
  if ('unreadable' in read) {
    io.err(`error ${read.unreadable}`);
    return EXIT.problems;
  }
  if ('diagnostics' in read) {
    printDiagnostics(read.diagnostics, input, io);
    return EXIT.problems;
  }
  const loaded = loadAnyGraph(read.text, registry, { file: read.source });
  printDiagnostics(loaded.diagnostics, read.source, io);
  if (!loaded.ok) return EXIT.problems;

  const target: GraphFormat = (to as GraphFormat | undefined) ?? (loaded.format === 'lggan' ? 'litegraph' : 'lggan');
  // Standard output counts as a file in the working directory.
  const result = formatGraph(loaded.doc, target, registry, schemaRefFor(out ?? 'stdout.json'));
  const summary = `${loaded.doc.nodes.length} nodes, ${loaded.doc.edges.length} edges, ${loaded.doc.groups.length} groups, ${loaded.doc.comments.length} comments`;
  if (out === undefined) {
    io.out(result.replace(/\n$/, ''));
    io.err(`converted ${input} (${loaded.format}) to ${target}: ${summary}`);
    return EXIT.ok;
  }
  try {
    await writeFile(out, result);
  } catch (e) {
    io.err(`error cannot write '${out}': ${(e as Error).message}`);
    return EXIT.problems;
  }
  io.out(`converted ${input} (${loaded.format}) → ${out} (${target}): ${summary}`);
  return EXIT.ok;
}
