/**
 * `lggan sweep GRAPH...`: trains each graph (a variant) as `lggan train` does, one subfolder of
 * --out per variant, all with the same seed (default 0) and the same data options — so the same
 * synthetic scenes or data directory, held-out split and batch order wherever the variants share a
 * batch size — then writes the comparison of `lggan compare` into --out.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { compareRuns } from '../../runs/comparison.ts';
import { printComparison, readRunFolders, writeComparison } from './compare.ts';
import { train } from './train.ts';

/** Options passed on to every `lggan train`, as given. */
const PASSED_VALUES = ['data', 'steps', 'batch', 'layout', 'held-out', 'sample-every', 'checkpoint-every', 'eval-every'];

/** A folder name from a graph file's name: letters, digits, '.', '_' and '-'; a repeat gets -2, -3 …. */
export function variantFolders(files: string[]): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const stem = basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 80) || 'variant';
    let name = stem;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}`;
    used.add(name);
    return name;
  });
}

export async function sweep(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.sweep);
  if (positional.length === 0) throw new UsageError('sweep needs at least one graph file');
  if ((flags.data === undefined) === (flags.synthetic !== true)) throw new UsageError('sweep needs exactly one of --data DIR and --synthetic');
  if (flags.steps === undefined) throw new UsageError('sweep needs --steps N');
  intFlag(flags, 'steps', 0, 1);
  const out = flags.out;
  if (typeof out !== 'string') throw new UsageError('sweep needs --out DIR');
  const seed = intFlag(flags, 'seed', 0, 0);
  const folders = variantFolders(positional);
  const taken = folders.filter((f) => existsSync(join(out, f)));
  if (taken.length > 0) throw new UsageError(`--out ${out} already holds ${taken.map((f) => `${f}/`).join(', ')}: choose another directory`);

  const common = ['--seed', String(seed), ...(flags.synthetic === true ? ['--synthetic'] : [])];
  for (const name of PASSED_VALUES) if (typeof flags[name] === 'string') common.push(`--${name}`, flags[name] as string);
  const trained: string[] = [];
  const failed: string[] = [];
  for (let i = 0; i < positional.length; i++) {
    const dir = join(out, folders[i]);
    io.err(`sweep: variant ${i + 1}/${positional.length} ${positional[i]} → ${dir}`);
    const code = await train([positional[i], ...common, '--out', dir], registry, io);
    if (code === EXIT.interrupted) {
      io.err('sweep: interrupted; comparing the variants trained so far');
      if (existsSync(join(dir, 'run.json'))) trained.push(dir);
      return (await finish(trained, out, registry, io)) ?? EXIT.interrupted;
    }
    if (code === EXIT.ok) trained.push(dir);
    else failed.push(positional[i]);
  }
  const problem = await finish(trained, out, registry, io);
  if (failed.length > 0) io.err(`sweep: ${failed.length} of ${positional.length} variants did not train: ${failed.join(', ')}`);
  return problem ?? (failed.length > 0 ? EXIT.problems : EXIT.ok);
}

/** Compares the trained runs into `out`; an exit code only when that fails. */
async function finish(trained: string[], out: string, registry: NodeRegistry, io: CliIO): Promise<number | undefined> {
  if (trained.length === 0) {
    io.err('sweep: no variant trained, nothing to compare');
    return EXIT.problems;
  }
  const folders = await readRunFolders(trained, io);
  if (!folders) return EXIT.problems;
  const batches = [...new Set(folders.map((f) => f.batch))];
  if (batches.length > 1) io.err(`note the variants trained at different batch sizes (${batches.join(', ')}), so their batch order differs: give --batch B to train them alike`);
  if (new Set(folders.map((f) => f.data.fingerprint)).size > 1) {
    io.err('note the variants saw different data (their graphs differ in image size or classes): the held-out metrics are not on the same images');
  }
  const c = compareRuns(folders, registry);
  printComparison(c, io);
  const paths = await writeComparison(c, folders, out);
  io.out(`wrote ${paths.join(', ')}`);
  return undefined;
}
