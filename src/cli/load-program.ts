import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { CompileError, compileProgram, type CompileOptions, type Program } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { WASM_HEAP_BYTES } from '../runtime/tf-node.ts';
import { checkMemoryBudget, estimateMemory, formatBytes, MemoryBudgetError, type MemoryEstimate, type MemoryLimits } from '../compiler/memory.ts';
import { error } from '../graph/diagnostics.ts';
import { DEFAULT_INIT, type InitSettings } from '../graph/document.ts';
import type { CliIO } from './io.ts';
import { printDiagnostics, readGraphOrReport } from './read-graph.ts';

export interface LoadProgramOptions {
  /** Batch size to resolve with (default: the template's batch, else 1). */
  batch?: number;
  /** Without `batch`: picks the batch from the graph resolved at its default batch (e.g. the trainer's batch_size). */
  chooseBatch?: (ir: GraphIR) => number;
  /** Weight initialisation seed (default: the graph's init seed). */
  seed?: number;
  /**
   * Checked before any variable is allocated: refuses a graph whose estimate exceeds this machine
   * (`limits`, default: the active backend's here; `cpuLimits`, default: the cpu backend's here,
   * decide whether to suggest --backend cpu).
   */
  memory?: { training: boolean; limits?: MemoryLimits; cpuLimits?: MemoryLimits };
  /** Variables the caller assigns at once after compiling (a carry-over): their init is skipped; see compileProgram. */
  assignedAfter?: CompileOptions['assignedAfter'];
}

/**
 * What this Node process may use on `backend` (default: the active one): three quarters of the
 * machine's memory, typed arrays below 4 GiB, and on wasm everything inside its 4 GiB heap.
 */
export function nodeMemoryLimits(backend: string = tf.getBackend()): MemoryLimits {
  const machine = Math.floor(totalmem() * 0.75);
  if (backend === 'wasm') return { backend, totalBytes: Math.min(machine, WASM_HEAP_BYTES), maxTensorBytes: Math.min(machine, WASM_HEAP_BYTES) };
  return { backend, totalBytes: machine, maxTensorBytes: 2 ** 32 - 1 };
}

/**
 * The parenthesis after a refusal on `limits`: on wasm, what its heap is, and --backend cpu when the
 * estimate fits `cpu` (this machine on the cpu backend), else that it would not help either.
 */
export function memoryHint(estimate: MemoryEstimate, limits: MemoryLimits, cpu: MemoryLimits): string {
  if (limits.backend !== 'wasm') return '';
  const heap = ' (the wasm backend keeps every tensor in a heap of at most 4 GiB';
  if (cpu.totalBytes !== undefined && estimate.totalBytes > cpu.totalBytes) return `${heap}, and --backend cpu would not fit either: this machine gives it ${formatBytes(cpu.totalBytes)})`;
  if (cpu.maxTensorBytes !== undefined && estimate.largestTensorBytes > cpu.maxTensorBytes) {
    return `${heap}, and --backend cpu would not fit either: its largest buffer holds ${formatBytes(cpu.maxTensorBytes)})`;
  }
  return `${heap}; --backend cpu is slower but has no such limit)`;
}

/** A graph resolved and checked against the memory budget, ready to compile. */
export interface ResolvedGraph {
  file: string;
  ir: GraphIR;
  init: InitSettings;
}

/**
 * Reads and resolves one graph and, with `memory`, checks its estimate against this machine's
 * limits; prints every problem with its place. Null when the graph is unreadable, has errors or
 * does not fit (already reported). Nothing is allocated for tensors yet.
 */
export async function resolveProgram(file: string, registry: NodeRegistry, io: CliIO, options: LoadProgramOptions = {}): Promise<ResolvedGraph | null> {
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return null;
  const init = read.doc.init ?? DEFAULT_INIT;
  let ir = resolveGraph(read.doc, registry, { batch: options.batch });
  const chosen = options.batch === undefined ? options.chooseBatch?.(ir) : undefined;
  if (chosen !== undefined && chosen !== ir.batch) ir = resolveGraph(read.doc, registry, { batch: chosen });
  printDiagnostics([...read.diagnostics, ...ir.diagnostics], file, io);
  if (ir.diagnostics.some((d) => d.severity === 'error')) return null;
  if (options.memory) {
    const estimate = estimateMemory(ir, options.memory);
    const limits = options.memory.limits ?? nodeMemoryLimits();
    try {
      checkMemoryBudget(estimate, limits);
    } catch (e) {
      if (!(e instanceof MemoryBudgetError)) throw e;
      const hint = memoryHint(estimate, limits, options.memory.cpuLimits ?? nodeMemoryLimits('cpu'));
      printDiagnostics([error('memory', e.message + hint, { pointer: '/template' })], file, io);
      return null;
    }
  }
  return { file, ir, init: { ...init, seed: options.seed ?? init.seed } };
}

/** Compiles a resolved graph (allocating its variables); null after printing the problems when it does not compile. */
export function compileResolved(resolved: ResolvedGraph, io: CliIO, options: Pick<CompileOptions, 'assignedAfter'> = {}): Program | null {
  const { file, ir, init } = resolved;
  try {
    return compileProgram(ir, { init, assignedAfter: options.assignedAfter });
  } catch (e) {
    if (e instanceof CompileError) {
      printDiagnostics(e.diagnostics, file, io);
      return null;
    }
    throw e;
  }
}

/**
 * Reads, resolves and compiles one graph as `lggan compile` does, printing every problem with its
 * place. Null when the graph is unreadable, has errors or does not fit memory (already reported).
 */
export async function loadProgram(file: string, registry: NodeRegistry, io: CliIO, options: LoadProgramOptions = {}): Promise<Program | null> {
  const resolved = await resolveProgram(file, registry, io, options);
  return resolved && compileResolved(resolved, io, { assignedAfter: options.assignedAfter });
}
