/**
 * `lggan generate`: runs a trained generator on label maps and writes the images. The checkpoint
 * must hold every variable of the networks the generator's outputs depend on (a full training
 * checkpoint does; the discriminator's variables are not needed and not loaded).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { Program } from '../../compiler/program.ts';
import { loadCheckpoint } from '../../runtime/checkpoint/index.ts';
import { DatasetError, FeedError, graphInputs, toFeeds, type GraphInput } from '../../runtime/data/index.ts';
import { imageToPng } from '../../runtime/images/index.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { mismatchText, readCheckpointFile } from '../checkpoint-file.ts';
import { namedImages } from '../generate/images.ts';
import { labelFiles, readLabelMap } from '../generate/labels.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { compileResolved, resolveProgram } from '../load-program.ts';
import { generatorOutputs, OutputsError, outputKeys, type GeneratorOutputs } from '../../compiler/outputs.ts';

/** Label and one-hot semantic inputs are built from label maps; noise inputs draw their own noise. */
const FROM_LABEL_MAPS = new Set(['labels', 'semantic', 'noise']);

function requireFlag(flags: Record<string, string | true>, name: string, what: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`generate needs --${name} ${what}`);
  return v;
}

/** The inputs to feed, checking that label maps are all the generator needs. */
function labelInputs(program: Program, outputs: GeneratorOutputs): GraphInput[] {
  const inputs = graphInputs(program).filter((i) => outputs.inputs.includes(i.id));
  const other = inputs.find((i) => !FROM_LABEL_MAPS.has(i.kind));
  if (other) {
    throw new CliProblem(`generate builds the generator's inputs from label maps, but it also reads input '${other.id}' (${other.kind}), which label maps cannot provide`);
  }
  if (!inputs.some((i) => i.kind !== 'noise')) throw new CliProblem('the generator reads no label input');
  return inputs;
}

function loadWeights(program: Program, outputs: GeneratorOutputs, path: string, file: Awaited<ReturnType<typeof readCheckpointFile>>['file']): string[] {
  const report = loadCheckpoint(program, file, { mode: 'partial', networks: outputs.networks });
  if (report.missing.length > 0 || report.misshaped.length > 0) {
    throw new CliProblem(`checkpoint '${path}' does not fit the generator (networks ${outputs.networks.join(', ')}): ${mismatchText(report)}`);
  }
  const notes: string[] = [];
  if (report.unexpected.length > 0) notes.push(`note checkpoint '${path}' also holds ${report.unexpected.length} variables this graph does not have (ignored)`);
  if (report.sameGraph === false) notes.push(`note checkpoint '${path}' was made for another version of the graph ('${report.record?.graphName}'); its generator variables fit`);
  return notes;
}

export async function generate(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.generate);
  if (positional.length !== 1) throw new UsageError('generate takes exactly one graph file');
  const weights = requireFlag(flags, 'weights', 'FILE');
  const labels = requireFlag(flags, 'labels', 'DIR|FILE');
  const out = requireFlag(flags, 'out', 'DIR');
  const all = flags.all === true;

  // The memory check comes before anything is read or allocated: the checkpoint can be as large as the weights.
  const resolved = await resolveProgram(positional[0], registry, io, { batch: 1, memory: { training: false } });
  if (!resolved) return EXIT.problems;
  const checkpoint = await readCheckpointFile(weights);
  const program = compileResolved(resolved, io);
  if (!program) return EXIT.problems;
  try {
    let outputs: GeneratorOutputs;
    try {
      outputs = generatorOutputs(program);
    } catch (e) {
      if (e instanceof OutputsError) throw new CliProblem(`${positional[0]}: ${e.message}`);
      throw e;
    }
    const inputs = labelInputs(program, outputs);
    for (const note of loadWeights(program, outputs, weights, checkpoint.file)) io.err(note);

    const labelInput = inputs.find((i) => i.kind !== 'noise')!;
    const [, height, width] = labelInput.shape;
    const numClasses = Number(labelInput.params.num_classes ?? program.ir.template.num_classes);
    const instances = inputs.some((i) => i.params.instance_edge === true);
    const files = await labelFiles(labels);
    await mkdir(out, { recursive: true });
    const keys = outputKeys(outputs, { all });

    for (const path of files) {
      let read;
      try {
        read = await readLabelMap(path, { numClasses, width, height, instances });
      } catch (e) {
        if (e instanceof DatasetError) throw new CliProblem(e.message);
        throw e;
      }
      for (const note of read.notes) io.err(`note ${note}`);
      let feeds;
      try {
        feeds = toFeeds([read.sample], inputs);
      } catch (e) {
        if (e instanceof FeedError) throw new CliProblem(`${path}: ${e.message}`);
        throw e;
      }
      let results: Record<string, tf.Tensor>;
      try {
        results = program.run(feeds, { outputs: keys });
      } finally {
        tf.dispose(Object.values(feeds));
      }
      let images;
      try {
        images = await namedImages(read.sample.id, outputs, results, { all });
      } finally {
        tf.dispose(Object.values(results));
      }
      const written: string[] = [];
      for (const { file, image } of images) {
        const target = join(out, file);
        if (resolve(target) === resolve(path)) throw new CliProblem(`writing ${target} would overwrite the label map it was made from: choose another --out`);
        await writeFile(target, imageToPng(image));
        written.push(target);
      }
      io.out(`${path} → ${written.join(', ')}`);
    }
    return EXIT.ok;
  } finally {
    program.dispose();
  }
}
