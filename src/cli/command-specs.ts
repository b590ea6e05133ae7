/**
 * Every `lggan` command's arguments, flags (with defaults) and one-line summary: the parser's spec
 * and the source of all help text. Kept apart from the commands so `lggan --help` and the
 * parser load none of them (nor tfjs).
 */
import type { CommandSpec, FlagSpec } from './args.ts';

const json = (what: string): FlagSpec => ({ type: 'boolean', help: `print ${what} as one JSON document on stdout (human text goes to stderr)` });
const batch = (help = 'batch size the shapes, memory and mult-adds are counted at'): FlagSpec => ({ type: 'string', value: 'N', default: '1', help });
const out = (value: string, help: string, fallback?: string): FlagSpec => ({ type: 'string', short: 'o', value, help, ...(fallback ? { default: fallback } : {}) });

/** The data and schedule flags `train` and `sweep` share. */
const trainingFlags = (seedDefault: string): Record<string, FlagSpec> => ({
  data: { type: 'string', value: 'DIR', help: 'dataset directory (exactly one of --data and --synthetic)' },
  steps: { type: 'string', value: 'N', help: 'train until step N (required; counts resumed steps too)' },
  out: out('DIR', 'run folder: losses.csv, metrics.jsonl, samples/, checkpoints/, run.json (required)'),
  seed: { type: 'string', value: 'S', default: seedDefault, help: 'weights, data split and batch order seed' },
  batch: { type: 'string', value: 'B', default: "the trainer's batch_size", help: 'batch size' },
  layout: { type: 'string', value: 'cityscapes|ade20k|crossview|generic|auto', default: 'auto', help: 'dataset layout of --data' },
  'held-out': { type: 'string', value: 'N', default: 'a tenth of the data, 1 to 8', help: 'samples held out for metrics and sample grids' },
  'sample-every': { type: 'string', value: 'K', default: '100', help: 'write a sample grid every K steps (0: only at the end)' },
  'checkpoint-every': { type: 'string', value: 'K', default: '500', help: 'write a checkpoint every K steps (0: only at the end)' },
  'eval-every': { type: 'string', value: 'K', default: '500', help: 'held-out PSNR/SSIM/SD every K steps (0: only at the end)' },
  synthetic: { type: 'boolean', help: 'train on synthetic scenes drawn for the graph instead of --data' },
});

export const COMMAND_SPECS = {
  validate: {
    name: 'validate',
    args: 'FILE...',
    summary: 'check graphs; one problem per line as FILE:LINE:COLUMN: error|warning; exit 1 if any has an error',
    flags: { json: json('every file\'s diagnostics (severity, code, message, node, port, field, pointer, file, line, column)') },
    computes: false,
  },
  inspect: {
    name: 'inspect',
    args: 'FILE',
    summary: 'per-node output shapes, params and multiply-adds; totals per network',
    flags: { batch: batch(), json: json('the nodes, totals and diagnostics') },
    computes: false,
  },
  compile: {
    name: 'compile',
    args: 'FILE',
    summary: 'build the tfjs program, run one forward pass on seeded inputs, print output shapes and ranges',
    flags: {
      seed: { type: 'string', value: 'S', default: "the graph's init seed", help: 'seed of the weights and the sample inputs' },
      batch: batch('batch size of the forward pass'),
      json: json('the outputs (shape, range, finite), variables and timing'),
    },
    computes: true,
  },
  train: {
    name: 'train',
    args: 'GRAPH',
    summary: "train with the graph's trainer; losses, sample grids, held-out metrics, checkpoints and run.json go to --out",
    flags: {
      ...trainingFlags("the graph's init seed for the weights, the trainer's seed for the data"),
      resume: { type: 'string', value: 'CHECKPOINT', help: "continue from a checkpoint of this graph (weights, Adam state, step)" },
      'init-from': { type: 'string', value: 'CHECKPOINT', help: 'start an edited graph from a checkpoint of another version: what still fits is kept' },
      'from-run': { type: 'string', value: 'RUN_DIR/run.json', help: 'train a recorded run again instead of GRAPH (only --out, --steps and the *-every flags may be given)' },
      json: json('the final summary (status, steps, checkpoint, last losses, held-out metrics)'),
    },
    computes: true,
    notes: ['Ctrl-C stops after the current step and writes a checkpoint (exit 130).'],
  },
  generate: {
    name: 'generate',
    args: 'GRAPH',
    summary: 'run the trained generator on label maps (grey PNGs of class ids, 255 = unknown) and write its images',
    flags: {
      weights: { type: 'string', value: 'FILE', help: 'a .safetensors checkpoint holding the generator (required)' },
      labels: { type: 'string', value: 'DIR|FILE', help: 'label maps: a grey PNG or a folder of them (required)' },
      out: out('DIR', 'output folder (required)'),
      aerial: { type: 'string', value: 'DIR', help: 'cross-view graphs: the aerial images, one per label map with the same file stem' },
      size: { type: 'string', value: 'WxH', default: "the graph's template size", help: "run at another size (the template's width and height re-resolved)" },
      format: { type: 'string', value: 'png|npy', default: 'png', help: 'npy: the network output as float32 HxWxC, values as computed (no clamping)' },
      all: { type: 'boolean', help: 'also the global, local, attention and per-class images' },
    },
    computes: true,
    notes: ['writes <name>.png (or .npy) per label map; with --all also <name>_<output>.* and <name>_class_<k>.*'],
  },
  convert: {
    name: 'convert',
    args: 'IN',
    summary: 'between LGGAN graphs and litegraph/ComfyUI workflow JSON (the format of IN is detected)',
    flags: {
      to: { type: 'string', value: 'litegraph|lggan', default: 'the other format', help: 'the format to write' },
      out: out('FILE', 'where to write', 'stdout'),
    },
    computes: false,
  },
  'import-checkpoint': {
    name: 'import-checkpoint',
    args: 'GRAPH FILE.pth',
    summary: "import an official PyTorch checkpoint into a graph network's variables (.safetensors)",
    flags: {
      out: out('WEIGHTS.safetensors', 'the checkpoint to write (required)'),
      network: { type: 'string', value: 'NAME', default: 'G', help: 'the network the weights belong to' },
      key: { type: 'string', value: 'K', help: "the state_dict's key in a checkpoint dict" },
      partial: { type: 'boolean', help: 'import what matches instead of refusing on a mismatch' },
    },
    computes: true,
  },
  'export-checkpoint': {
    name: 'export-checkpoint',
    args: 'GRAPH WEIGHTS.safetensors',
    summary: 'write a network as an official PyTorch state_dict (load_state_dict in the official code)',
    flags: {
      out: out('FILE.pth', 'the state_dict to write (required)'),
      network: { type: 'string', value: 'NAME', default: 'G', help: 'the network to export' },
      partial: { type: 'boolean', help: 'export the variables that fit instead of refusing on a mismatch' },
    },
    computes: true,
  },
  'export-pytorch': {
    name: 'export-pytorch',
    args: 'GRAPH',
    summary: 'write a PyTorch training package (torchrun + DDP) for the graph; see DIR/README.md',
    flags: {
      out: out('DIR', 'the package folder (required)'),
      force: { type: 'boolean', help: 'overwrite the package files in a folder that is not empty' },
    },
    computes: true,
  },
  diff: {
    name: 'diff',
    args: 'A B',
    summary: 'what B changes in A: nodes, params (evaluated), wires, fields, params and mult-adds per network',
    flags: { batch: batch('batch size the mult-adds are counted at'), json: json('the differences (version 1)') },
    computes: false,
    notes: ['exit codes as diff(1): 0 equal, 1 different, 2 bad input or usage, 70 internal error'],
  },
  sweep: {
    name: 'sweep',
    args: 'GRAPH...',
    summary: 'train each variant alike into DIR/VARIANT, then write DIR/comparison.md, comparison.csv and losses.png',
    flags: trainingFlags('0'),
    computes: true,
  },
  compare: {
    name: 'compare',
    args: 'RUN_DIR...',
    summary: "runs side by side: variant, graph hash, diff against the first run's graph, steps, time, last losses, held-out metrics",
    flags: {
      out: out('DIR', 'also write comparison.md, comparison.csv and losses.png there'),
      json: json('the comparison'),
    },
    computes: false,
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_SPECS, name);
}
