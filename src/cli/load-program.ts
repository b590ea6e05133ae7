import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { compileDocument, resolveDocument, type ResolvedDocument } from '../compiler/open-program.ts';
import type { CompileOptions, Program } from '../compiler/program.ts';
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { WASM_HEAP_BYTES, webGpuTensorLimit } from '../runtime/tf-node.ts';
import { formatBytes } from '../compiler/byte-size.ts';
import type { MemoryEstimate, MemoryLimits } from '../compiler/memory.ts';
import type { CliIO } from './io.ts';
import { printDiagnostics, readGraphOrReport, withoutTrainingWarnings } from './read-graph.ts';
import { loadVgg19WeightsFor } from './vgg19-weights.ts';

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
  /** Template values to use instead of the graph's (generate --size: width and height). */
  template?: Record<string, number>;
  /** Variables the caller assigns at once after compiling (a carry-over): their init is skipped; see compileProgram. */
  assignedAfter?: CompileOptions['assignedAfter'];
}

/**
 * What this Node process may use on `backend` (default: the active one): three quarters of the
 * machine's memory, typed arrays below 4 GiB, and on wasm everything inside its 4 GiB heap. On
 * webgpu the GPU's memory is not known (WebGPU does not say): only its largest buffer is checked.
 */
export function nodeMemoryLimits(backend: string = tf.getBackend()): MemoryLimits {
  const machine = Math.floor(totalmem() * 0.75);
  if (backend === 'wasm') return { backend, totalBytes: Math.min(machine, WASM_HEAP_BYTES), maxTensorBytes: Math.min(machine, WASM_HEAP_BYTES) };
  const gpuBuffer = backend === 'webgpu' ? webGpuTensorLimit() : undefined;
  if (gpuBuffer !== undefined) return { backend, maxTensorBytes: gpuBuffer };
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
export interface ResolvedGraph extends ResolvedDocument {
  file: string;
}

/**
 * Reads and resolves one graph and, with `memory`, checks its estimate against this machine's
 * limits (the compiler's door, src/compiler/open-program.ts); prints every problem with its place.
 * Null when the graph is unreadable, has errors or does not fit (already reported). Nothing is
 * allocated for tensors yet.
 */
export async function resolveProgram(file: string, registry: NodeRegistry, io: CliIO, options: LoadProgramOptions = {}): Promise<ResolvedGraph | null> {
  const read = await readGraphOrReport(file, registry, io);
  if (!read) return null;
  const memory = options.memory && {
    training: options.memory.training,
    limits: options.memory.limits ?? nodeMemoryLimits(),
    hint: (estimate: MemoryEstimate, limits: MemoryLimits) => memoryHint(estimate, limits, options.memory?.cpuLimits ?? nodeMemoryLimits('cpu')),
  };
  const source = options.template ? { ...read, doc: { ...read.doc, template: { ...read.doc.template, ...options.template } } } : read;
  const resolved = resolveDocument(source, { registry, batch: options.batch, chooseBatch: options.chooseBatch, seed: options.seed, memory });
  // Warnings about training (a loss without its weights) only where the graph is trained.
  const shown = options.memory?.training === true ? resolved.diagnostics : withoutTrainingWarnings(resolved.diagnostics, source.doc, registry);
  printDiagnostics(shown, file, io);
  if (!resolved.ok) return null;
  // A perceptual loss reads its VGG19 weights when built: they are loaded now, before compiling.
  await loadVgg19WeightsFor(resolved.ir, file);
  return { ...resolved, file };
}

/** Compiles a resolved graph (allocating its variables); null after printing the problems when it does not compile. */
export function compileResolved(resolved: ResolvedGraph, io: CliIO, options: Pick<CompileOptions, 'assignedAfter'> = {}): Program | null {
  const compiled = compileDocument(resolved, options);
  if (compiled.ok) return compiled.program;
  printDiagnostics(compiled.diagnostics, resolved.file, io);
  return null;
}

/**
 * Reads, resolves and compiles one graph as `lggan compile` does, printing every problem with its
 * place. Null when the graph is unreadable, has errors or does not fit memory (already reported).
 */
export async function loadProgram(file: string, registry: NodeRegistry, io: CliIO, options: LoadProgramOptions = {}): Promise<Program | null> {
  const resolved = await resolveProgram(file, registry, io, options);
  return resolved && compileResolved(resolved, io, { assignedAfter: options.assignedAfter });
}
