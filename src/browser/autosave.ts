/**
 * Autosaves as the page sees them. The worker writes one checkpoint per graph (name
 * `autosave-<graph hash>`) whose run record carries, in `extra.autosave`, what a resume needs: the
 * run id, the resolved run spec and the graph document. So after a reload the page can offer
 * "resume from step N" for any graph, even one it no longer has open.
 *
 * Page-safe: no tfjs here (only types from the checkpoint store).
 */
import type { RunRecord } from '../runtime/checkpoint/record.ts';
import type { CheckpointEntry, CheckpointStore } from '../runtime/checkpoint/store.ts';
import type { BackendSetting } from './backend.ts';
import { AUTOSAVE_PREFIX, type DatasetSpec, type RunSpec } from './protocol.ts';

/** A RunSpec with every default filled in: what the run actually used. */
export interface ResolvedRunSpec extends Required<RunSpec> {
  backend: BackendSetting;
  dataset: DatasetSpec;
}

/** What an autosave's record keeps in extra.autosave. */
export interface AutosaveExtra {
  runId: string;
  spec: ResolvedRunSpec;
  graph: unknown;
}

export interface AutosaveInfo extends AutosaveExtra {
  key: string;
  graphHash: string;
  graphName: string;
  /** Iterations completed when it was written: a resume continues at this step. */
  step: number;
  /** The backend that wrote it. */
  backend: string;
  created: string;
  size: number;
}

export const AUTOSAVE_EXTRA_KEY = 'autosave';

/** The autosave part of a run record, or null when the record is not an autosave's. */
export function autosaveExtra(record: RunRecord): AutosaveExtra | null {
  const value = record.extra[AUTOSAVE_EXTRA_KEY] as Partial<AutosaveExtra> | undefined;
  if (!value || typeof value !== 'object' || typeof value.runId !== 'string' || !value.spec || typeof value.spec !== 'object' || value.graph === undefined) return null;
  return value as AutosaveExtra;
}

export function autosaveInfo(entry: CheckpointEntry): AutosaveInfo | null {
  if (!entry.name.startsWith(AUTOSAVE_PREFIX)) return null;
  const extra = autosaveExtra(entry.record);
  if (!extra) return null;
  const { record } = entry;
  return { ...extra, key: entry.name, graphHash: record.graphHash, graphName: record.graphName, step: record.step, backend: record.backend, created: record.created, size: entry.size };
}

/** Every autosave in the store, newest first. */
export async function listAutosaves(store: Pick<CheckpointStore, 'list'>): Promise<AutosaveInfo[]> {
  const infos = (await store.list()).map(autosaveInfo).filter((a): a is AutosaveInfo => a !== null);
  return infos.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}
