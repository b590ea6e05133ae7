/**
 * The node contract: one declarative object per node type, shared by the compiler, the editors
 * (Rete, litegraph) and the CLI. A node type declares its ports, its params, how shapes flow
 * (`infer`), what it costs (`cost`), how it computes (`build`) and how the PyTorch exporter writes
 * it (`pytorch`). Nothing here knows about a host.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Dim } from './dims.ts';

/**
 * What a port carries. Dense NHWC maps ("spatial" kinds) may feed any `feature` port; the other
 * kinds only connect to their own kind.
 */
export type TensorKind =
  | 'image' // B×H×W×3 in [-1, 1]
  | 'feature' // any dense B×H×W×C map
  | 'semantic' // one-hot label map, B×H×W×(classes [+dontcare] [+edge])
  | 'labels' // integer class ids, B×H×W×1
  | 'mask' // class masks in {0,1}, B×H×W×K
  | 'attention' // per-pixel weights, B×H×W×K, summing to 1 over K
  | 'noise' // random B×H×W×C or B×N
  | 'vector' // B×N
  | 'logits' // B×N class scores
  | 'loss' // scalar
  | 'network'; // a callable sub-network handle (discriminators), applied by loss nodes

export const SPATIAL_KINDS: readonly TensorKind[] = ['image', 'feature', 'semantic', 'labels', 'mask', 'attention', 'noise'];

/** Can a value of kind `actual` be wired into a port declared as `expected`? */
export function kindAccepts(expected: TensorKind, actual: TensorKind): boolean {
  if (expected === actual) return true;
  // Generic ports take any dense float tensor; the node's infer checks the rank it needs
  // (a linear layer takes B×1×1×N maps, an activation takes vectors).
  if (expected === 'feature') return (SPATIAL_KINDS.includes(actual) && actual !== 'labels') || actual === 'vector' || actual === 'logits';
  if (expected === 'image') return actual === 'feature'; // a 3-channel feature map is an image; infer checks C
  if (expected === 'vector') return actual === 'logits' || actual === 'noise' || actual === 'feature';
  return false;
}

export interface TensorType {
  kind: TensorKind;
  /** NHWC for spatial kinds, [B, N] for vectors, [] for scalars and network handles. */
  shape: Dim[];
  /** For `network` handles: what the network expects and returns, for loss nodes to check. */
  network?: NetworkSignature;
}

export interface NetworkSignature {
  name: string;
  inputs: Record<string, TensorType>;
  outputs: Record<string, TensorType>;
}

export interface PortDef {
  name: string;
  kind: TensorKind;
  /** Human description incl. the expected shape, e.g. "B×H/4×W/4×256 feature map". */
  doc: string;
  optional?: boolean;
}

export interface UiHint {
  /** Form widget; the editor picks a default from the param type when absent. */
  widget?: 'number' | 'slider' | 'checkbox' | 'select' | 'text';
  step?: number;
  /** Params in the same group are shown together. */
  group?: string;
  /** Shown only in an "advanced" fold. */
  advanced?: boolean;
}

interface ParamBase {
  doc: string;
  ui?: UiHint;
}

/** Whole numbers; `template: true` allows expressions over template params ("ngf*4", "num_classes+1"). */
export interface IntParam extends ParamBase {
  type: 'int';
  default: number | string;
  min?: number;
  max?: number;
  template?: boolean;
}

export interface FloatParam extends ParamBase {
  type: 'float';
  default: number | string;
  min?: number;
  max?: number;
  template?: boolean;
}

export interface BoolParam extends ParamBase {
  type: 'bool';
  default: boolean;
}

export interface EnumParam extends ParamBase {
  type: 'enum';
  options: readonly string[];
  default: string;
}

export interface StringParam extends ParamBase {
  type: 'string';
  default: string;
  pattern?: string;
}

export type ParamDef = IntParam | FloatParam | BoolParam | EnumParam | StringParam;

/** Params after defaults are applied and template expressions evaluated. */
export type ResolvedParams = Record<string, number | boolean | string>;

export type NodeCategory =
  | 'input'
  | 'conv'
  | 'norm'
  | 'activation'
  | 'block'
  | 'resample'
  | 'combine'
  | 'dense'
  | 'output'
  | 'lggan'
  | 'discriminator'
  | 'loss'
  | 'training';

export interface InferArgs {
  /** Connected inputs; optional ports left open are absent. */
  inputs: Record<string, TensorType>;
  params: ResolvedParams;
  /** Template parameters (num_classes, height, width, …) plus `batch`. */
  template: Record<string, number>;
}

export interface CostArgs {
  inputs: Record<string, TensorType>;
  outputs: Record<string, TensorType>;
  params: ResolvedParams;
}

export interface NodeCost {
  /** Trainable parameter elements. */
  params: number;
  /** Multiply-accumulates for one forward pass at the inferred batch size. */
  macs: number;
  /** Non-trainable state elements (running statistics, spectral-norm u/v). */
  buffers?: number;
  /**
   * Trainable elements created only for official-checkpoint compatibility and never used in
   * forward (SPADE's `fc`, the seventh cross-view sub-generator). Included in `params`.
   */
  unusedParams?: number;
}

/** How new weights start; the graph's InitSettings decide the scheme for `weight`. */
export type Initializer =
  | { kind: 'weight'; fanIn: number; fanOut: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'unit-normal-vector' }; // spectral-norm u/v: normal(0,1) then normalised

export interface VariableOptions {
  trainable?: boolean;
}

export interface BuildContext {
  nodeId: string;
  /** The network this node's variables belong to ("G", "D", "D1" …); network handles carry it. */
  network: string;
  /** Creates (or returns the already created) variable `${nodeId}.${localName}`. */
  variable(localName: string, shape: number[], init: Initializer, options?: VariableOptions): tf.Variable;
}

export interface RunContext {
  /** Training mode: batch-norm uses batch statistics and updates running ones; spectral norm runs its power iteration. */
  training: boolean;
  /**
   * Within a program run: answers the discriminator applications the run's nodes asked for
   * (BuiltNode.asks), each discriminator applied once to all of them. Absent when a forward is
   * called on its own; `discriminate` (nodes/lggan/discriminators/discriminate.ts) then applies the network directly.
   */
  judge?: Judge;
}

/** One application of a discriminator to condition ‖ image; `detached`: the image's gradient is stopped first. */
export interface DiscriminatorAsk {
  handle: NetworkHandle;
  condition: tf.Tensor;
  image: tf.Tensor;
  detached: boolean;
}

/** What a run's Judge offers a node's forward (src/compiler/judge.ts). */
export interface Judge {
  /** handle(condition ‖ image): the asked-for answer, or the network applied now to this pair alone. */
  answer(ask: DiscriminatorAsk, run: RunContext): NetworkResult;
}

/** A node's compiled computation: input tensors by port name → output tensors by port name. */
export type NodeForward = (inputs: Record<string, tf.Tensor>, run: RunContext) => Record<string, tf.Tensor>;

export interface BuildArgs extends CostArgs {
  template: Record<string, number>;
  /** Network handles wired into this node's `network` ports, by port name (loss nodes apply them). */
  handles: Record<string, NetworkHandle>;
}

/**
 * A sub-network that other nodes call, e.g. a discriminator that loss nodes apply to real and
 * fake pairs with shared weights. Handles are wired at build time; they never flow as tensors.
 */
export interface NetworkHandle {
  /** The network whose variables the handle uses ("D"). */
  network: string;
  /** Runs the network; for discriminators: patch logits per scale and intermediate features per scale. */
  apply(inputs: Record<string, tf.Tensor>, run: RunContext): NetworkResult;
}

export interface NetworkResult {
  outputs: tf.Tensor[];
  features: tf.Tensor[][];
}

/** What build returns: the forward function, plus handles for the node's `network` output ports. */
export interface BuiltNode {
  forward: NodeForward;
  handles?: Record<string, NetworkHandle>;
  /**
   * The discriminator applications `forward` will make, named from its inputs before it runs, so
   * that a run applies each discriminator once, batched, to everything its losses ask for (as the
   * exported PyTorch package does, and SPADE batches fake and real). The forward then reads them
   * with `discriminate`; one it did not name is applied on its own.
   */
  asks?: (inputs: Record<string, tf.Tensor>) => DiscriminatorAsk[];
}

/**
 * Where a node's variable sits in an official PyTorch state_dict (checkpoint mapping and parity
 * tests). `shape` is PyTorch's layout; `layout` says how it maps onto the tfjs variable.
 */
export interface OfficialKey {
  key: string;
  /** Local variable name in this node (`weight`, `head_0.conv_0.weight_orig`), or null for state the node does not keep. */
  variable: string | null;
  shape: number[];
  layout: 'conv2d' | 'conv2d-transpose' | 'linear' | 'vector' | 'scalar';
  kind: 'parameter' | 'buffer';
}

/** A bypassed node's output `output` carries, unchanged, what arrives at its input `input`. */
export interface PassThrough {
  input: string;
  output: string;
}

/**
 * What a bypassed node computes when no input has its output's shape (SAU doubles H and W): another
 * node type, with its params and the port names it takes over (this node's port → that type's port).
 */
export interface BypassVariant {
  type: string;
  params: Record<string, number | string | boolean>;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

/**
 * What a node becomes in the exported PyTorch package: an input module (fed from the batch), a
 * layer module (run in its network's forward), a discriminator module (applied by losses), a
 * loss, an output (a named result) or the trainer (its settings).
 */
export type NodeRole = 'input' | 'layer' | 'discriminator' | 'loss' | 'output' | 'trainer';

/** What a node type's PyTorch emitter sees of a resolved node (helpers: nodes/pytorch/emit.ts). */
export interface EmitContext {
  /** The node as resolved by the compiler: its params and the types at its ports. */
  node: { params: ResolvedParams; inputs: Record<string, TensorType>; outputs: Record<string, TensorType> };
  template: Record<string, number>;
  /** The value wired into `port`, as '<node>:<port>'; throws when nothing is. */
  source(port: string): string;
  /** The discriminator node wired into a network port, and its network. */
  handle(port: string): { node: string; network: string };
}

export interface Emitted {
  role: NodeRole;
  /** The Python expression that builds the module or loss ('' for outputs and the trainer). */
  python: string;
}

/**
 * Turns a resolved node (params evaluated, input types inferred) into the Python that builds it
 * in the exported package, with every size written out.
 */
export type PytorchEmitter = (ctx: EmitContext) => Emitted;

export interface NodeDef {
  type: string;
  version: number;
  category: NodeCategory;
  title: string;
  /** One paragraph shown in the editor's help. */
  doc: string;
  params: Record<string, ParamDef>;
  inputs: PortDef[] | ((params: ResolvedParams) => PortDef[]);
  outputs: PortDef[] | ((params: ResolvedParams) => PortDef[]);
  /** The network a node of this type belongs to unless the graph says otherwise ("G" when absent). */
  defaultNetwork?: string;
  /** Upgrades stored params from an older typeVersion (pure). */
  migrate?: (params: Record<string, unknown>, fromVersion: number) => Record<string, unknown>;
  /** Output types from input types; throws NodeRuleError naming the port or param at fault. */
  infer(args: InferArgs): Record<string, TensorType>;
  cost(args: CostArgs): NodeCost;
  /**
   * For nodes fed at run time (no input ports): the type of the fed tensor, when it is not the
   * first output's type (e.g. label ids plus instance ids, B×H×W×2, that become a one-hot map).
   */
  feedType?(args: InferArgs): TensorType;
  /** Non-fatal problems to show on the node (e.g. "no VGG19 weights: this loss is skipped"). */
  warnings?(args: InferArgs): string[];
  build(ctx: BuildContext, args: BuildArgs): NodeForward | BuiltNode;
  /**
   * How the PyTorch exporter writes this node: the module or loss it builds in the exported package
   * (nodes/pytorch/emit.ts). A node type without one cannot be exported; the exporter names the node.
   */
  pytorch?: PytorchEmitter;
  /**
   * Bypass (ComfyUI's mode 4): for each output, the pairs in order of preference; the first whose
   * input is wired from a live source is used. An output with no pair feeds nothing while bypassed.
   * The editor's "Delete and reconnect" wires around a deleted node the same way.
   * A node type with neither passThrough nor bypassAs cannot be bypassed.
   */
  passThrough?: readonly PassThrough[];
  /** Bypass as a plain stand-in computation; throws NodeRuleError when these params have none. */
  bypassAs?(params: ResolvedParams): BypassVariant;
  /**
   * Params shown as badges on the node's card, as text: the architecture choices that make two
   * variants look different (fusion mode, upsampling, class count). A function when which ones
   * matter depends on the params (fixed fusion has no upsampling).
   */
  badges?: readonly string[] | ((params: ResolvedParams) => readonly string[]);
  /** Official state_dict entries this node mirrors (absent for nodes with no official counterpart). */
  officialKeys?(args: CostArgs & { template: Record<string, number> }): OfficialKey[];
}

export function inputPorts(def: NodeDef, params: ResolvedParams): PortDef[] {
  return typeof def.inputs === 'function' ? def.inputs(params) : def.inputs;
}

export function badgeParams(def: NodeDef, params: ResolvedParams): readonly string[] {
  return typeof def.badges === 'function' ? def.badges(params) : (def.badges ?? []);
}

export function outputPorts(def: NodeDef, params: ResolvedParams): PortDef[] {
  return typeof def.outputs === 'function' ? def.outputs(params) : def.outputs;
}
