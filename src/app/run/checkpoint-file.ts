/**
 * Uploaded .safetensors files, page side: parsed once to tell what they are (a run's checkpoint
 * with its record and optimiser state, or weights only) before a worker checks every name and
 * shape against the graph.
 */
import { checkpointRecord, OPTIMIZER_PREFIX } from '../../runtime/checkpoint/checkpoint.ts';
import type { RunRecord } from '../../runtime/checkpoint/record.ts';
import { readSafetensors } from '../../formats/safetensors.ts';

export interface CheckpointSummary {
  /** Variables (names without the optimizer. prefix). */
  variables: number;
  /** Optimiser state entries: a training run can continue with them. */
  optimizerEntries: number;
  record: RunRecord | null;
  /** Whether the record says the file was made for the graph of this hash. */
  sameGraph: boolean | null;
}

/** Reads a checkpoint's header and record; throws an Error naming the file when it is not a readable safetensors checkpoint. */
export function summariseCheckpoint(bytes: Uint8Array, file: string, graphHash?: string): CheckpointSummary {
  let parsed;
  try {
    parsed = readSafetensors(bytes);
  } catch (e) {
    throw new Error(`${file}: not a readable .safetensors file: ${e instanceof Error ? e.message : String(e)}`);
  }
  let record: RunRecord | null;
  try {
    record = checkpointRecord(parsed);
  } catch (e) {
    throw new Error(`${file}: its run record (__metadata__ "lggan.run") is damaged: ${e instanceof Error ? e.message : String(e)}`);
  }
  const names = [...parsed.tensors.keys()];
  const optimizerEntries = names.filter((n) => n.startsWith(OPTIMIZER_PREFIX)).length;
  if (names.length === optimizerEntries) throw new Error(`${file}: holds no weights (${names.length} tensors, all optimiser state)`);
  return {
    variables: names.length - optimizerEntries,
    optimizerEntries,
    record,
    sameGraph: record && graphHash ? record.graphHash === graphHash : null,
  };
}
