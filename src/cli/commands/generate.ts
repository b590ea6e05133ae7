/**
 * `lggan generate`: runs a trained generator on label maps and writes the images (PNG, or with
 * --format npy the float32 outputs as computed), optionally at another template size (--size).
 * Cross-view graphs read, per label map x.png (the ground view's colour semantic map), its grey
 * label map x_grey.png beside it and the aerial image x.png|jpg in --aerial. The checkpoint
 * must hold every variable of the networks the generator's outputs depend on (a full training
 * checkpoint does; the discriminator's variables are not needed and not loaded).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { Program } from '../../compiler/program.ts';
import { loadCheckpoint } from '../../runtime/checkpoint/index.ts';
import { DatasetError, FeedError, FIELD, graphInputs, toFeeds, type GraphInput, type Sample } from '../../runtime/data/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { graphHash as hashOf } from '../../graph/hash.ts';
import { imageToPng } from '../../runtime/images/index.ts';
import { pngWithGraph } from '../../graph/png-graph.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { mismatchText, readCheckpointFile } from '../checkpoint-file.ts';
import { namedArrays, namedImages } from '../generate/images.ts';
import { greyPathFor, labelFiles, outputStem, readImageField, readLabelMap, siblingImage } from '../generate/labels.ts';
import { npyFloat32 } from '../generate/npy.ts';
import { readGraph } from '../read-graph.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { compileResolved, resolveProgram } from '../load-program.ts';
import { generatorOutputs, OutputsError, outputKeys, type GeneratorOutputs } from '../../compiler/outputs.ts';

/** Label and one-hot semantic inputs are built from label maps; noise inputs draw their own noise. */
const FROM_LABEL_MAPS = new Set(['labels', 'semantic', 'noise']);

/**
 * The image inputs of a cross-view generator (lggan-crossview-*.json) and where each comes from:
 * the label map itself (the ground view's colour semantic map), the grey label map beside it, or
 * the aerial image of the same name in --aerial.
 */
const CROSS_VIEW_IMAGES: Record<string, 'label map' | 'grey label map' | 'aerial'> = {
  [FIELD.groundSemantic]: 'label map',
  [FIELD.greyLabels]: 'grey label map',
  [FIELD.aerial]: 'aerial',
};

function requireFlag(flags: Record<string, string | true>, name: string, what: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`generate needs --${name} ${what}`);
  return v;
}

/** --size WxH: whole numbers from 1 to 16384. */
export function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d{1,5})x(\d{1,5})$/i.exec(text);
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || width < 1 || height < 1 || width > 16384 || height > 16384) throw new UsageError(`--size expects WIDTHxHEIGHT in pixels (1 to 16384 each), e.g. 256x128; got '${text.slice(0, 40)}'`);
  return { width, height };
}

const FORMATS = ['png', 'npy'] as const;

/** What feeds the generator: label maps (ids), cross-view images, or both. */
interface InputPlan {
  inputs: GraphInput[];
  /** The label-id input (lggan/semantic-input, core/semantic-input), if any. */
  labels?: GraphInput;
  /** Cross-view image inputs by id. */
  images: GraphInput[];
}

/** The inputs to feed, checking that label maps (and, for cross-view, aerial images) are all the generator needs. */
function planInputs(program: Program, outputs: GeneratorOutputs, aerial: string | undefined): InputPlan {
  const inputs = graphInputs(program).filter((i) => outputs.inputs.includes(i.id));
  const images = inputs.filter((i) => i.kind === 'image' && Object.hasOwn(CROSS_VIEW_IMAGES, i.id));
  const other = inputs.find((i) => !FROM_LABEL_MAPS.has(i.kind) && !images.includes(i));
  if (other) {
    throw new CliProblem(
      `generate builds the generator's inputs from label maps (and, for cross-view graphs, their grey label maps and --aerial images), ` +
        `but it also reads input '${other.id}' (${other.kind}), which none of these provide`,
    );
  }
  const readsAerial = images.some((i) => i.id === FIELD.aerial);
  if (readsAerial && aerial === undefined) throw new UsageError(`the generator reads input 'aerial' (a cross-view graph): give --aerial DIR, one aerial image per label map with the same file stem`);
  if (!readsAerial && aerial !== undefined) throw new UsageError('--aerial is for cross-view graphs, whose generator reads an aerial input; this one does not');
  const labels = inputs.find((i) => i.kind === 'labels' || i.kind === 'semantic');
  if (!labels && images.length === 0) throw new CliProblem('the generator reads no label input');
  return { inputs, labels, images };
}

/**
 * Refuses a --size the graph cannot take (its down- and upsampling need sizes that divide evenly),
 * naming the first problem and the nearest size that resolves.
 */
async function checkSize(file: string, size: { width: number; height: number }, registry: NodeRegistry, io: CliIO): Promise<string | undefined> {
  const read = await readGraph(file, registry, { ...io, onDiagnostics: undefined });
  if ('unreadable' in read || !read.doc) return undefined; // reported by resolveProgram
  const doc = read.doc;
  const errorsAt = (width: number, height: number) => resolveGraph({ ...doc, template: { ...doc.template, width, height } }, registry).diagnostics.filter((d) => d.severity === 'error');
  if (errorsAt(doc.template.width, doc.template.height).length > 0) return undefined; // the graph itself is broken: reported as usual
  const errors = errorsAt(size.width, size.height);
  if (errors.length === 0) return hashOf(doc);
  let hint = '';
  for (let m = 2; m <= 1024; m *= 2) {
    const w = Math.max(m, Math.round(size.width / m) * m);
    const h = Math.max(m, Math.round(size.height / m) * m);
    if (errorsAt(w, h).length === 0) {
      hint = `; it takes sizes in steps of ${m} pixels, e.g. --size ${w}x${h}`;
      break;
    }
  }
  const first = errors[0];
  const where = first.where.node !== undefined ? ` (node '${first.where.node}')` : '';
  throw new UsageError(`--size ${size.width}x${size.height}: the graph cannot run at this size: ${first.message}${where}${hint}`);
}

/** `graphHash`: the hash of the graph as written, when --size changed the template the program was made at. */
function loadWeights(program: Program, outputs: GeneratorOutputs, path: string, file: Awaited<ReturnType<typeof readCheckpointFile>>['file'], graphHash?: string): string[] {
  const report = loadCheckpoint(program, file, { mode: 'partial', networks: outputs.networks });
  if (report.missing.length > 0 || report.misshaped.length > 0) {
    throw new CliProblem(`checkpoint '${path}' does not fit the generator (networks ${outputs.networks.join(', ')}): ${mismatchText(report)}`);
  }
  const notes: string[] = [];
  if (report.unexpected.length > 0) notes.push(`note checkpoint '${path}' also holds ${report.unexpected.length} variables this graph does not have (ignored)`);
  const sameAsWritten = graphHash !== undefined && report.record?.graphHash === graphHash;
  if (report.sameGraph === false && !sameAsWritten) notes.push(`note checkpoint '${path}' was made for another version of the graph ('${report.record?.graphName}'); its generator variables fit`);
  return notes;
}

export async function generate(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.generate);
  if (positional.length !== 1) throw new UsageError('generate takes exactly one graph file');
  const [graphFile] = positional;
  const weights = requireFlag(flags, 'weights', 'FILE');
  const labels = requireFlag(flags, 'labels', 'DIR|FILE');
  const out = requireFlag(flags, 'out', 'DIR');
  const all = flags.all === true;
  const format = (typeof flags.format === 'string' ? flags.format : 'png') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format expects one of ${FORMATS.join(', ')}, got '${String(flags.format).slice(0, 40)}'`);
  const size = typeof flags.size === 'string' ? parseSize(flags.size) : undefined;
  const aerial = typeof flags.aerial === 'string' ? flags.aerial : undefined;
  const writtenHash = size ? await checkSize(graphFile, size, registry, io) : undefined;

  // The memory check comes before anything is read or allocated: the checkpoint can be as large as the weights.
  const resolved = await resolveProgram(graphFile, registry, io, { batch: 1, memory: { training: false }, template: size });
  if (!resolved) return EXIT.problems;
  const checkpoint = await readCheckpointFile(weights);
  const program = compileResolved(resolved, io);
  if (!program) return EXIT.problems;
  try {
    let outputs: GeneratorOutputs;
    try {
      outputs = generatorOutputs(program);
    } catch (e) {
      if (e instanceof OutputsError) throw new CliProblem(`${graphFile}: ${e.message}`);
      throw e;
    }
    const plan = planInputs(program, outputs, aerial);
    for (const note of loadWeights(program, outputs, weights, checkpoint.file, writtenHash)) io.err(note);

    const [, height, width] = (plan.labels ?? plan.images[0]).shape;
    const files = await labelFiles(labels);
    await mkdir(out, { recursive: true });
    const keys = outputKeys(outputs, { all });

    for (const path of files) {
      let sample: Sample;
      const notes: string[] = [];
      try {
        sample = await readSample(path, plan, { width, height, aerial, numClasses: Number(plan.labels?.params.num_classes ?? program.ir.template.num_classes) }, notes);
      } catch (e) {
        if (e instanceof DatasetError) throw new CliProblem(e.message);
        throw e;
      }
      for (const note of notes) io.err(`note ${note}`);
      let feeds;
      try {
        feeds = toFeeds([sample], plan.inputs);
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
      let written: { file: string; bytes: Uint8Array }[];
      try {
        written =
          format === 'npy'
            ? (await namedArrays(sample.id, outputs, results, { all })).map((a) => ({ file: a.file, bytes: npyFloat32(a.data, a.shape) }))
            : (await namedImages(sample.id, outputs, results, { all })).map((i) => ({ file: i.file, bytes: pngWithGraph(imageToPng(i.image), resolved.doc) }));
      } finally {
        tf.dispose(Object.values(results));
      }
      const targets: string[] = [];
      for (const { file, bytes } of written) {
        const target = join(out, file);
        if (resolve(target) === resolve(path)) throw new CliProblem(`writing ${target} would overwrite the label map it was made from: choose another --out`);
        await writeFile(target, bytes);
        targets.push(target);
      }
      io.out(`${path} → ${targets.join(', ')}`);
    }
    return EXIT.ok;
  } finally {
    program.dispose();
  }
}

/** One label map (and for cross-view its grey label map and aerial image) as a sample at the graph's size. */
async function readSample(path: string, plan: InputPlan, o: { width: number; height: number; aerial?: string; numClasses: number }, notes: string[]): Promise<Sample> {
  const stem = outputStem(path);
  let fields: Sample['fields'] = {};
  if (plan.labels) {
    const instances = plan.inputs.some((i) => i.params.instance_edge === true);
    const read = await readLabelMap(path, { numClasses: o.numClasses, width: o.width, height: o.height, instances });
    notes.push(...read.notes);
    fields = { ...read.sample.fields };
  }
  for (const input of plan.images) {
    const from = CROSS_VIEW_IMAGES[input.id];
    const file = from === 'label map' ? path : from === 'grey label map' ? greyPathFor(path) : await siblingImage(o.aerial!, stem, 'aerial image');
    if (from === 'grey label map' && !(await stat(file).then((s) => s.isFile(), () => false))) {
      throw new CliProblem(`no grey label map for '${path}': the cross-view generator reads one (input '${input.id}'), expected ${file}`);
    }
    fields[input.id] = await readImageField(file, { width: o.width, height: o.height, nearest: from !== 'aerial' }, notes);
  }
  return { id: stem, width: o.width, height: o.height, fields };
}
