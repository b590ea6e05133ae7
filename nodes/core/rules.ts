/**
 * Shared rules for node types: typed param readers, input checks that throw NodeRuleError with
 * messages naming both sides of a conflict, and small builders for output types. The LGGAN pack
 * uses the same helpers so that every node reports problems in the same words.
 */
import { SPATIAL_KINDS, kindAccepts } from '../contract.ts';
import type { ResolvedParams, TensorKind, TensorType } from '../contract.ts';
import { addToDim, dim, formatDim, formatShape } from '../dims.ts';
import type { Dim } from '../dims.ts';
import { NodeRuleError } from '../../src/graph/diagnostics.ts';

export { NodeRuleError };

// ---------------------------------------------------------------------------------------------
// Params (already resolved by the compiler: defaults applied, template expressions evaluated)

function paramValue(params: ResolvedParams, name: string): number | boolean | string {
  const value = params[name];
  if (value === undefined) throw new NodeRuleError(`param '${name}' has no value`, { param: name });
  return value;
}

export function intParam(params: ResolvedParams, name: string): number {
  const value = paramValue(params, name);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new NodeRuleError(`param '${name}' must be a whole number, got ${JSON.stringify(value)}`, { param: name });
  }
  return value;
}

export function floatParam(params: ResolvedParams, name: string): number {
  const value = paramValue(params, name);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new NodeRuleError(`param '${name}' must be a number, got ${JSON.stringify(value)}`, { param: name });
  }
  return value;
}

export function boolParam(params: ResolvedParams, name: string): boolean {
  const value = paramValue(params, name);
  if (typeof value !== 'boolean') {
    throw new NodeRuleError(`param '${name}' must be true or false, got ${JSON.stringify(value)}`, { param: name });
  }
  return value;
}

export function stringParam(params: ResolvedParams, name: string): string {
  const value = paramValue(params, name);
  if (typeof value !== 'string') {
    throw new NodeRuleError(`param '${name}' must be text, got ${JSON.stringify(value)}`, { param: name });
  }
  return value;
}

export function enumParam<T extends string>(params: ResolvedParams, name: string, options: readonly T[]): T {
  const value = stringParam(params, name);
  if (!(options as readonly string[]).includes(value)) {
    throw new NodeRuleError(`param '${name}' must be one of ${options.join(', ')}, got '${value}'`, { param: name });
  }
  return value as T;
}

/** Throws a NodeRuleError at `param` unless `ok`. For rules a param schema cannot express. */
export function checkParam(ok: boolean, param: string, message: string): void {
  if (!ok) throw new NodeRuleError(message, { param });
}

// ---------------------------------------------------------------------------------------------
// Describing tensor types in messages

/** "H×W×64 feature map", "vector of 64 (logits)", "scalar loss". */
export function describeType(t: TensorType): string {
  if (t.shape.length === 4) return `${formatShape(t.shape)} ${t.kind} map`;
  if (t.shape.length === 2) return `vector of ${formatDim(t.shape[1])} (${t.kind})`;
  if (t.shape.length === 0) return t.kind === 'network' ? 'network handle' : `scalar ${t.kind}`;
  return `rank-${t.shape.length} ${t.kind} tensor ${formatShape(t.shape, true)}`;
}

// ---------------------------------------------------------------------------------------------
// Input checks

export function requireInput(inputs: Record<string, TensorType>, port: string): TensorType {
  const t = inputs[port];
  if (!t) throw new NodeRuleError(`input '${port}' is not connected`, { port });
  return t;
}

/**
 * A connected NHWC map whose kind fits a port of kind `portKind` (default `feature`, which takes
 * every spatial kind but integer labels).
 */
export function requireSpatial(inputs: Record<string, TensorType>, port: string, portKind: TensorKind = 'feature'): TensorType {
  const t = requireInput(inputs, port);
  if (!kindAccepts(portKind, t.kind)) {
    throw new NodeRuleError(`port '${port}' expects a B×H×W×C ${portKind} map, got a ${describeType(t)}`, { port });
  }
  if (t.shape.length !== 4) {
    throw new NodeRuleError(`port '${port}' expects a B×H×W×C map (rank 4), got a ${describeType(t)}`, { port });
  }
  return t;
}

export function isSpatialKind(kind: TensorKind): boolean {
  return SPATIAL_KINDS.includes(kind);
}

/** "port 'x' expects 256 channels, got 64 (H×W×64 feature map)". */
export function requireChannels(t: TensorType, port: string, expected: number): void {
  const actual = channelsOf(t);
  if (actual !== expected) {
    throw new NodeRuleError(`port '${port}' expects ${expected} channels, got ${actual} (${describeType(t)})`, { port });
  }
}

/** Batch, height and width of two maps must agree; the message names both ports and both shapes. */
export function requireSameSpatial(reference: TensorType, referencePort: string, other: TensorType, otherPort: string): void {
  const [rb, rh, rw] = reference.shape;
  const [ob, oh, ow] = other.shape;
  if (rh.value !== oh.value || rw.value !== ow.value) {
    throw new NodeRuleError(
      `port '${otherPort}' is ${formatShape(other.shape)} but port '${referencePort}' is ${formatShape(reference.shape)}: spatial sizes must agree`,
      { port: otherPort },
    );
  }
  if (rb.value !== ob.value) {
    throw new NodeRuleError(
      `port '${otherPort}' has batch ${ob.value} but port '${referencePort}' has batch ${rb.value}`,
      { port: otherPort },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes and types

export function channelsOf(t: TensorType): number {
  return t.shape[t.shape.length - 1].value;
}

export function mapType(kind: TensorKind, batch: Dim, height: Dim, width: Dim, channels: Dim | number): TensorType {
  return { kind, shape: [batch, height, width, typeof channels === 'number' ? dim(channels) : channels] };
}

export function vectorType(kind: TensorKind, batch: Dim, length: Dim | number): TensorType {
  return { kind, shape: [batch, typeof length === 'number' ? dim(length) : length] };
}

/** Elements of one tensor of this type (for cost formulas). */
export function elementCount(t: TensorType): number {
  return t.shape.reduce((n, d) => n * d.value, 1);
}

/**
 * Sum of channel dims, keeping the symbolic form when at most one term is symbolic
 * (num_classes + 3 stays "num_classes+3"; two symbolic terms give a plain number).
 */
export function sumDims(dims: readonly Dim[]): Dim {
  const symbolic = dims.filter((d) => d.sym);
  const total = dims.reduce((n, d) => n + d.value, 0);
  if (symbolic.length !== 1) return dim(total);
  return addToDim(symbolic[0], total - symbolic[0].value);
}

/**
 * A dimension taken from a param that defaults to a template entry: it keeps the template's
 * symbol ("H") while the param still equals the template value, and is a plain number otherwise.
 */
export function templateDim(value: number, template: Record<string, number>, key: string, symbol: string): Dim {
  return template[key] === value ? dim(value, symbol) : dim(value);
}

export function batchDim(template: Record<string, number>): Dim {
  return dim(template.batch ?? 1, 'B');
}

/*
 * Cost conventions (NodeCost.macs), so totals are comparable across node packs:
 * - conv, transposed conv, linear: the exact multiply-accumulates of the weight product;
 * - normalisation: one per element for the scaling, one more when affine;
 * - average pools: one accumulate per summed input element;
 * - bilinear upsampling: four per output element; nearest: none;
 * - elementwise multiply: one per output element; add, concat, activations, softmax: none.
 */
