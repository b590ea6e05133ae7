/**
 * The one door from a graph document to a program: load (when given a raw value) → resolve at the
 * batch asked for → check the memory budget, before any variable is allocated → compile with the
 * graph's init. Every host opens graphs here — the CLI commands and the training, generation and
 * PyTorch workers — so they refuse the same graphs for the same reasons.
 *
 * A refusal is returned, not thrown, with its stage and diagnostics, so each host reports it in
 * its own way (the CLI prints them with the file name; a worker sends one message);
 * `openProgramOrThrow` and `orThrow` are the throwing forms for hosts that report errors by exception.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { error, formatDiagnostic, type Diagnostic } from '../graph/diagnostics.ts';
import { DEFAULT_INIT, type GraphDocument, type InitSettings } from '../graph/document.ts';
import { loadGraphValue } from '../graph/load.ts';
import type { GraphIR } from './ir.ts';
import { checkMemoryBudget, estimateMemory, MemoryBudgetError, type MemoryEstimate, type MemoryLimits } from './memory.ts';
import { CompileError, compileProgram, type CompileOptions, type Program } from './program.ts';
import { resolveGraph } from './resolve.ts';

/** A document to open: a parsed JSON value (checked here) or one already loaded, with what loading it found. */
export type GraphSource = { value: unknown } | { doc: GraphDocument; diagnostics?: Diagnostic[] };

export type OpenStage = 'load' | 'resolve' | 'memory' | 'compile';

export interface OpenOptions {
  registry: NodeRegistry;
  /** Batch size to resolve with (default: the template's batch, else 1). */
  batch?: number;
  /** Without `batch`: picks the batch from the graph resolved at its default batch (e.g. the trainer's batch_size). */
  chooseBatch?: (ir: GraphIR) => number;
  /** Weight initialisation seed (default: the graph's init seed). */
  seed?: number;
  /**
   * The memory budget, checked before any variable is allocated: `limits` are the host's (this
   * machine, this backend); `hint` may add advice to the refusal (e.g. "--backend cpu would fit").
   */
  memory?: { training: boolean; limits: MemoryLimits; hint?: (estimate: MemoryEstimate, limits: MemoryLimits) => string };
  /** Variables the caller assigns at once after compiling (a carry-over): their init is skipped; see compileProgram. */
  assignedAfter?: CompileOptions['assignedAfter'];
}

/** A graph resolved and within the memory budget, ready to compile (nothing allocated yet). */
export interface ResolvedDocument {
  doc: GraphDocument;
  ir: GraphIR;
  /** The init the program is compiled with: the graph's, with `seed` applied. */
  init: InitSettings;
  /** What loading and resolving found that is not an error (warnings, notes). */
  diagnostics: Diagnostic[];
}

export type OpenRefusal = { ok: false; stage: OpenStage; diagnostics: Diagnostic[] };
export type Resolved = ({ ok: true } & ResolvedDocument) | OpenRefusal;
export type Opened = ({ ok: true; program: Program } & ResolvedDocument) | OpenRefusal;

const errorsIn = (diagnostics: Diagnostic[]) => diagnostics.some((d) => d.severity === 'error');

/** Load → resolve → memory budget: everything short of allocating the program. */
export function resolveDocument(source: GraphSource, options: OpenOptions): Resolved {
  let doc: GraphDocument;
  let loadDiagnostics: Diagnostic[];
  if ('value' in source) {
    const loaded = loadGraphValue(source.value, { registry: options.registry });
    if (!loaded.ok) return { ok: false, stage: 'load', diagnostics: loaded.diagnostics };
    ({ doc, diagnostics: loadDiagnostics } = loaded);
  } else {
    doc = source.doc;
    loadDiagnostics = source.diagnostics ?? [];
  }
  let ir = resolveGraph(doc, options.registry, { batch: options.batch });
  const chosen = options.batch === undefined ? options.chooseBatch?.(ir) : undefined;
  if (chosen !== undefined && chosen !== ir.batch) ir = resolveGraph(doc, options.registry, { batch: chosen });
  const diagnostics = [...loadDiagnostics, ...ir.diagnostics];
  if (errorsIn(diagnostics)) return { ok: false, stage: 'resolve', diagnostics };
  if (options.memory) {
    const { limits, hint } = options.memory;
    const estimate = estimateMemory(ir, options.memory);
    try {
      checkMemoryBudget(estimate, limits);
    } catch (e) {
      if (!(e instanceof MemoryBudgetError)) throw e;
      return { ok: false, stage: 'memory', diagnostics: [...diagnostics, error('memory', e.message + (hint?.(estimate, limits) ?? ''), { pointer: '/template' })] };
    }
  }
  const init = doc.init ?? DEFAULT_INIT;
  return { ok: true, doc, ir, init: { ...init, seed: options.seed ?? init.seed }, diagnostics };
}

/** Compiles a resolved document (allocating its variables). */
export function compileDocument(resolved: ResolvedDocument, options: Pick<OpenOptions, 'assignedAfter'> = {}): Opened {
  try {
    return { ok: true, ...resolved, program: compileProgram(resolved.ir, { init: resolved.init, assignedAfter: options.assignedAfter }) };
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, stage: 'compile', diagnostics: e.diagnostics };
    throw e;
  }
}

/** The door: a document into a ready program, or the stage and diagnostics that refused it. */
export function openProgram(source: GraphSource, options: OpenOptions): Opened {
  const resolved = resolveDocument(source, options);
  return resolved.ok ? compileDocument(resolved, options) : resolved;
}

/** A refusal as an exception: the message lists the errors (a memory refusal: its sentence alone). */
export class OpenProgramError extends Error {
  constructor(
    readonly stage: OpenStage,
    readonly diagnostics: Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(stage === 'memory' ? errors.map((d) => d.message).join('\n') : errors.map(formatDiagnostic).join('\n'));
    this.name = 'OpenProgramError';
  }
}

/** The result when the door opened; else throws the refusal as an OpenProgramError. */
export function orThrow<T extends { ok: true }>(result: T | OpenRefusal): T {
  if (!result.ok) throw new OpenProgramError(result.stage, result.diagnostics);
  return result;
}

export function openProgramOrThrow(source: GraphSource, options: OpenOptions): Extract<Opened, { ok: true }> {
  return orThrow(openProgram(source, options));
}
