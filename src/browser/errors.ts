/**
 * Errors inside the worker → the RunError the page receives: typed fields for the kinds the UI
 * acts on (which loss and node went non-finite, which dataset file is bad) and a message always.
 */
import { OpenProgramError } from '../compiler/open-program.ts';
import { CompileError } from '../compiler/program.ts';
import { CheckpointLoadError } from '../runtime/checkpoint/checkpoint.ts';
import { RunRecordError } from '../runtime/checkpoint/record.ts';
import { DatasetError, FeedError } from '../runtime/data/errors.ts';
import { SafetensorsError } from '../formats/safetensors.ts';
import { NonFiniteLossError } from '../runtime/training/non-finite.ts';
import { TrainingGraphError } from '../runtime/training/plan.ts';
import { BackendUnavailableError } from './backend.ts';
import type { RunError } from './protocol.ts';

/** A problem with the run's own inputs (spec, graph document, autosave), raised by the session. */
export class RunSetupError extends Error {
  constructor(
    readonly kind: 'spec' | 'graph' | 'checkpoint',
    message: string,
  ) {
    super(message);
    this.name = 'RunSetupError';
  }
}

export function toRunError(e: unknown): RunError {
  if (e instanceof NonFiniteLossError) {
    return { kind: 'non-finite', message: e.message, step: e.step, side: e.side, lossNode: e.lossNode, node: e.node, port: e.port };
  }
  if (e instanceof DatasetError) return { kind: 'dataset', message: e.message, file: e.file, code: e.code };
  if (e instanceof FeedError) return { kind: 'feed', message: e.message, node: e.node };
  if (e instanceof BackendUnavailableError) return { kind: 'backend', message: e.message, attempts: e.attempts };
  if (e instanceof RunSetupError) return { kind: e.kind, message: e.message };
  // A graph that does not fit memory is a problem with the run's settings (backend, batch), not the graph.
  if (e instanceof OpenProgramError) return { kind: e.stage === 'memory' ? 'spec' : 'graph', message: e.message };
  if (e instanceof CompileError || e instanceof TrainingGraphError) return { kind: 'graph', message: e.message };
  if (e instanceof CheckpointLoadError || e instanceof RunRecordError || e instanceof SafetensorsError) return { kind: 'checkpoint', message: e.message };
  if (e instanceof Error) return { kind: 'internal', message: `${e.name}: ${e.message}`, stack: e.stack };
  return { kind: 'internal', message: String(e) };
}
