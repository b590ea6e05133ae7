/**
 * Weights that survive an edit: a checkpoint made for one version of a graph, loaded into the
 * program of an edited version. Every variable whose stable name (`<node id>.<local name>`) and
 * shape still match is assigned from the file; the others keep the values the program was
 * initialised with (the graph's init, seeded as usual). Names in the file that the program no
 * longer has are dropped.
 *
 * Optimiser state, when a training run is given:
 * - a kept variable keeps its Adam moments (m, v), on the side that optimises it now;
 * - a re-initialised variable starts with zero moments (Adam creates them at its first update);
 * - the iteration counter and each side's update counter continue from the file, so the
 *   learning-rate schedule and the data order go on where the run stopped, and the carried
 *   moments keep the bias correction they were accumulated with. (A new variable is then
 *   bias-corrected as if its side had its history: its first updates are somewhat larger than a
 *   fresh Adam's; we prefer that to resetting the moments of everything that was kept.)
 * Moments of dropped or re-initialised variables, and entries this run does not know, are dropped.
 *
 * Nothing read from the file is trusted for a size: the safetensors reader has checked every
 * tensor's bytes against its declared dtype×shape, and a tensor is only materialised after its
 * shape equals the program variable's (moments) or is a scalar (counters).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../compiler/program.ts';
import { ITERATION_ENTRY, sidePrefix, stepEntry } from '../training/optimizer-state.ts';
import type { Side } from '../training/plan.ts';
import { readSafetensors, type SafetensorsFile } from '../../formats/safetensors.ts';
import { checkpointRecord, loadCheckpoint, OPTIMIZER_PREFIX, type OptimizerEntry, type OptimizerStateTarget } from './checkpoint.ts';
import type { RunRecord } from './record.ts';

/** What a training run offers for a carry-over: its optimiser state and which variables each side optimises (TrainingRun fits). */
export interface CarryOptimizerTarget extends OptimizerStateTarget {
  readonly plan: { readonly g: { readonly variables: readonly string[] }; readonly d: { readonly variables: readonly string[] } };
}

export interface ReinitialisedVariable {
  name: string;
  /** The shape in the file, or null when the file did not have the variable (a new one). */
  from: number[] | null;
  to: number[];
}

export interface DroppedVariable {
  name: string;
  shape: number[];
}

/** One node's variables after the carry-over. */
export interface NodeCarry {
  node: string;
  /** 'kept': every variable carried; 'reinitialised': none carried; 'partial': some of each; 'dropped': the node is gone (or has no variables any more). */
  status: 'kept' | 'reinitialised' | 'partial' | 'dropped';
  kept: string[];
  reinitialised: ReinitialisedVariable[];
  dropped: DroppedVariable[];
}

export interface CarryReport {
  /** Program nodes with variables in program order, then nodes only the file has. */
  nodes: NodeCarry[];
  totals: { kept: number; reinitialised: number; dropped: number };
  /** Adam moment pairs carried / dropped (both 0 without a training run). */
  moments: { kept: number; dropped: number };
  /** The iteration the run continues from (the file's `optimizer.iteration`, else the record's step), or null when neither is known. */
  step: number | null;
  record: RunRecord | null;
  /** Whether the file was made for exactly this graph (then the carry-over is a plain load). */
  sameGraph: boolean | null;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The node a name from the file belongs to: the longest program node id it starts with, else the
 * part before the first dot (node ids may contain dots, so for a removed node this is a best guess).
 */
function nodeOfDropped(name: string, nodeIds: readonly string[]): string {
  let best = '';
  for (const id of nodeIds) if (id.length > best.length && name.startsWith(`${id}.`)) best = id;
  if (best) return best;
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Moment entry `optimizer.<side>.<variable>.m|v` → its side and variable, or undefined for anything else. */
function momentOf(name: string): { side: Side; variable: string } | undefined {
  for (const side of ['G', 'D'] as const) {
    const prefix = sidePrefix(side);
    if (name.startsWith(prefix) && /\.[mv]$/.test(name)) return { side, variable: name.slice(prefix.length, -2) };
  }
  return undefined;
}

/** The file's optimiser entries that fit the edited program, as tensors (the caller disposes them); counts what was dropped. */
function carriedOptimizerEntries(file: SafetensorsFile, program: Program, kept: ReadonlySet<string>, target: CarryOptimizerTarget) {
  const optimised: Record<Side, ReadonlySet<string>> = { G: new Set(target.plan.g.variables), D: new Set(target.plan.d.variables) };
  const counters = new Set([ITERATION_ENTRY, stepEntry('G'), stepEntry('D')]);
  const entries: OptimizerEntry[] = [];
  const droppedMoments = new Set<string>();
  /** Moment entries that fit a kept variable, by side and variable. */
  const pairs = new Map<string, string[]>();
  let iteration: number | null = null;
  for (const [name, stored] of file.tensors) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) continue;
    if (counters.has(name)) {
      if (stored.values.length !== 1) throw new Error(`optimizer state '${name}' must be a scalar, the file has shape [${stored.shape.join(', ')}]`);
      const value = Number(stored.values[0]);
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`optimizer state '${name}' must be a whole number ≥ 0, the file has ${value}`);
      if (name === ITERATION_ENTRY) iteration = value;
      entries.push({ name, tensor: tf.scalar(value, 'int32') });
      continue;
    }
    const moment = momentOf(name);
    const variable = moment && kept.has(moment.variable) && optimised[moment.side].has(moment.variable) ? program.variableInfo.get(moment.variable) : undefined;
    if (moment && variable && sameShape(stored.shape, variable.shape)) {
      const key = `${moment.side}.${moment.variable}`;
      pairs.set(key, [...(pairs.get(key) ?? []), name]);
    } else {
      droppedMoments.add(moment?.variable ?? name);
    }
  }
  // Adam keeps m and v together: a variable whose pair is incomplete starts afresh.
  for (const [key, names] of pairs) {
    if (names.length !== 2 || !names.some((n) => n.endsWith('.m')) || !names.some((n) => n.endsWith('.v'))) {
      droppedMoments.add(key.slice(2));
      continue;
    }
    for (const name of names) {
      const stored = file.tensors.get(name)!;
      entries.push({ name, tensor: tf.tensor(stored.values, stored.shape, 'float32') });
    }
  }
  return { entries, droppedMoments, iteration };
}

/**
 * The variables `carryOver` assigns from `file`: those it has under the same name and shape. For
 * compileProgram's `assignedAfter`, so the program skips drawing init values that would be overwritten.
 */
export function carriedVariables(file: SafetensorsFile): (name: string, shape: readonly number[]) => boolean {
  return (name, shape) => {
    const stored = file.tensors.get(name);
    return stored !== undefined && sameShape(stored.shape, shape);
  };
}

/**
 * Carries a checkpoint's weights (and, with `optimizer`, its Adam state and counters) over to
 * the program of an edited graph; see the file comment for the rules. The program's variables
 * must hold their initial values: a freshly compiled program, or one compiled with
 * `assignedAfter: carriedVariables(file)` (then carry over at once: only this fills those
 * variables). Throws, with nothing assigned, when the file's optimiser state is malformed
 * (counters that are not whole-number scalars, moments without their side's step counter).
 */
export function carryOver(program: Program, source: Uint8Array | SafetensorsFile, options: { optimizer?: CarryOptimizerTarget } = {}): CarryReport {
  const file = source instanceof Uint8Array ? readSafetensors(source) : source;
  const record = checkpointRecord(file);
  const carried = carriedVariables(file);
  const fitting = new Set<string>();
  for (const [name, info] of program.variableInfo) if (carried(name, info.shape)) fitting.add(name);
  // The optimiser state is checked and loaded first: if the file's state is bad, no weight has moved.
  const optimizer = options.optimizer ? carriedOptimizerEntries(file, program, fitting, options.optimizer) : undefined;
  try {
    if (optimizer) options.optimizer!.loadOptimizerState(optimizer.entries);
  } finally {
    if (optimizer) tf.dispose(optimizer.entries.map((e) => e.tensor));
  }
  const report = loadCheckpoint(program, file, { mode: 'partial' });

  const kept = new Set(report.loaded);
  const misshaped = new Map(report.misshaped.map((m) => [m.name, m.got]));
  const byNode = new Map<string, NodeCarry>();
  const entry = (node: string) => {
    let n = byNode.get(node);
    if (!n) byNode.set(node, (n = { node, status: 'kept', kept: [], reinitialised: [], dropped: [] }));
    return n;
  };
  for (const [name, info] of program.variableInfo) {
    const n = entry(info.node);
    if (kept.has(name)) n.kept.push(name);
    else n.reinitialised.push({ name, from: misshaped.get(name) ?? null, to: [...info.shape] });
  }
  const nodeIds = [...program.ir.nodes.keys()];
  for (const name of report.unexpected) entry(nodeOfDropped(name, nodeIds)).dropped.push({ name, shape: [...file.tensors.get(name)!.shape] });
  for (const n of byNode.values()) {
    const carried = n.kept.length > 0;
    const fresh = n.reinitialised.length > 0;
    n.status = carried && (fresh || n.dropped.length > 0) ? 'partial' : carried ? 'kept' : fresh ? 'reinitialised' : 'dropped';
  }

  const keptMoments = new Set(optimizer?.entries.map((e) => momentOf(e.name)?.variable).filter((v) => v !== undefined)).size;
  return {
    nodes: [...byNode.values()],
    totals: {
      kept: report.loaded.length,
      reinitialised: report.missing.length + report.misshaped.length,
      dropped: report.unexpected.length,
    },
    moments: { kept: keptMoments, dropped: optimizer?.droppedMoments.size ?? 0 },
    step: optimizer?.iteration ?? record?.step ?? null,
    record,
    sameGraph: report.sameGraph,
  };
}
