import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { CompileError, compileProgram, type Program } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { WASM_HEAP_BYTES } from '../runtime/tf-node.ts';
import { checkMemoryBudget, estimateMemory, MemoryBudgetError, type MemoryLimits } from '../compiler/memory.ts';
import { error } from '../graph/diagnostics.ts';
import { DEFAULT_INIT } from '../graph/document.ts';
import type { CliIO } from './io.ts';
import { printDiagnostics, readGraphOrReport } from './read-graph.ts';

export interface LoadProgramOptions {
  /** Batch size to resolve with (default: the template's batch, else 1). */
  batch?: number;
  /** Without `batch`: picks the batch from the graph resolved at its default batch (e.g. the trainer's batch_size). */
  chooseBatch?: (ir: GraphIR) => number;
  /** Weight initialisation seed (default: the graph's init seed). */
  seed?: number;
  /** Checked before any variable is allocated: refuses a graph whose estimate exceeds this machine. */
  memory?: { training: boolean; limits?: MemoryLimits };
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
 * Reads, resolves and compiles one graph as `lggan compile` does, printing every problem with its
 * place. Null when the graph is unreadable or has errors (already reported).
 */
export async function loadProgram(file: string, registry: NodeRegistry, io: CliIO, options: LoadProgramOptions = {}): Promise<Program | null> {
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return null;
  const init = read.doc.init ?? DEFAULT_INIT;
  let ir = resolveGraph(read.doc, registry, { batch: options.batch });
  const chosen = options.batch === undefined ? options.chooseBatch?.(ir) : undefined;
  if (chosen !== undefined && chosen !== ir.batch) ir = resolveGraph(read.doc, registry, { batch: chosen });
  printDiagnostics([...read.diagnostics, ...ir.diagnostics], file, io);
  if (options.memory && !ir.diagnostics.some((d) => d.severity === 'error')) {
    try {
      checkMemoryBudget(estimateMemory(ir, options.memory), options.memory.limits ?? nodeMemoryLimits());
    } catch (e) {
      if (!(e instanceof MemoryBudgetError)) throw e;
      const hint = e.limits.backend === 'wasm' ? ' (the wasm backend keeps every tensor in a heap of at most 4 GiB; --backend cpu is slower but has no such limit)' : '';
      printDiagnostics([error('memory', e.message + hint, { pointer: '/template' })], file, io);
      return null;
    }
  }
  try {
    return compileProgram(ir, { init: { ...init, seed: options.seed ?? init.seed } });
  } catch (e) {
    if (e instanceof CompileError) {
      if (!ir.diagnostics.some((d) => d.severity === 'error')) printDiagnostics(e.diagnostics, file, io);
      return null;
    }
    throw e;
  }
}
