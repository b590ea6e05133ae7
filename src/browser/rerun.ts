/**
 * "Re-run": what it takes to train a browser run again from its record (browser-run.ts) — the
 * graph as trained, and a run spec with everything that decides the run's numbers: the seed
 * (weights and, mixed with the graph's trainer seed, the data order), the backend actually used,
 * the batch, the steps requested, the data and its held-out split. On the same backend the re-run
 * repeats the recorded losses exactly.
 *
 * Data: synthetic scenes are reproduced from their seed and count. Dropped files are not in the
 * record, only their name, layout and fingerprint: the re-run uses the data loaded now only when
 * it has that fingerprint (fitted to the recorded graph), and otherwise refuses, saying what to drop.
 *
 * rerunPlan is pure and page-safe (no tfjs); droppedFingerprint reads the dropped files' list.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import type { GraphDocument } from '../graph/document.ts';
import { dataNeeds, loadDropped } from '../runtime/data/browser-dataset.ts';
import { DATASET_LAYOUTS, type DatasetLayout, type DroppedDataset } from '../runtime/data/browser-files.ts';
import { predatesSizes } from '../runtime/data/dataset.ts';
import { graphInputs } from '../runtime/data/feeds.ts';
import { TRAINING_BACKENDS, type BrowserBackend } from './backend.ts';
import type { DatasetSpec, RunSpec } from './protocol.ts';
import type { BrowserRun } from '../runs/browser-run.ts';

/** Dropped data loaded in the page now, with its fingerprint as the recorded graph would fit it. */
export interface AvailableFiles {
  name: string;
  fingerprint: string;
  dropped: DroppedDataset;
}

export interface RerunPlan {
  /** The graph document to open and train (the record's, as trained). */
  graph: Record<string, unknown>;
  /** Its content hash as recorded: the open graph must hash the same before the run starts. */
  graphHash: string;
  /** The undo label of opening it, e.g. "graph of run 'tiny' (2026-12-05 00:12 UTC)". */
  label: string;
  /** Everything that decides the numbers, plus the recorded reporting cadence where the record has it. */
  spec: RunSpec & { seed: number; batchSize: number; backend: BrowserBackend; heldOut: number };
  /** What the person should know: e.g. that a resumed run is re-run from step 0. */
  notes: string[];
}

export type RerunResult = { ok: true; plan: RerunPlan } | { ok: false; problem: string };

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** A one-line name for a run, for labels and messages (its strings are shown as text only; a long graph name is cut). */
export function runTitle(run: Pick<BrowserRun, 'graph' | 'startedAt'>): string {
  const name = run.graph.name.length > 60 ? `${run.graph.name.slice(0, 59)}…` : run.graph.name;
  return `run '${name}' (${when(run.startedAt)})`;
}

/**
 * What the Run panel needs to train `run` again, or why it cannot. `files` is the dropped data
 * loaded now, if any (only a recorded run on dropped files needs it).
 */
export function rerunPlan(run: BrowserRun, files?: AvailableFiles): RerunResult {
  const title = runTitle(run);
  if (!(TRAINING_BACKENDS as readonly string[]).includes(run.backend)) {
    return { ok: false, problem: `${title} was trained on '${run.backend}', which is not a backend this page can train on (${TRAINING_BACKENDS.join(', ')})` };
  }
  let dataset: DatasetSpec;
  const d = run.data;
  if (d.kind === 'synthetic') {
    if (d.syntheticSeed === null || d.syntheticCount === null) return { ok: false, problem: `${title}: its record has no synthetic seed and count` };
    dataset = { kind: 'synthetic', seed: d.syntheticSeed, count: d.syntheticCount };
  } else {
    const layout = d.layout as DatasetLayout;
    if (d.name === null || !(DATASET_LAYOUTS as readonly string[]).includes(layout)) return { ok: false, problem: `${title}: its record names no dropped data and layout` };
    const again = `drop the data '${d.name}' again (fingerprint ${d.fingerprint})`;
    if (!files) return { ok: false, problem: `${title} trained on dropped data that is not loaded now: ${again}` };
    if (files.fingerprint !== d.fingerprint && predatesSizes(d.fingerprint, files.fingerprint)) {
      return { ok: false, problem: `${title} was recorded before fingerprints covered file sizes (fingerprint ${d.fingerprint}), so the data loaded now cannot be matched to it: start a new run on '${files.name}' instead` };
    }
    if (files.fingerprint !== d.fingerprint) {
      return { ok: false, problem: `${title} trained on other data than '${files.name}' loaded now (fingerprint ${files.fingerprint}): ${again}` };
    }
    dataset = { kind: 'files', name: d.name, layout, dropped: files.dropped };
  }
  const heldOut = d.heldOutSamples;
  const spec: RerunPlan['spec'] = {
    steps: run.steps.requested,
    seed: run.seed,
    dataset,
    batchSize: run.batch,
    backend: run.backend as BrowserBackend,
    heldOut,
    ...(run.sampleEvery !== undefined ? { sampleEvery: run.sampleEvery } : {}),
    ...(run.autosaveEvery !== undefined ? { autosaveEvery: run.autosaveEvery } : {}),
    // Scoring needs held-out samples: a run that held none out scored nothing.
    ...(heldOut === 0 ? { evalEvery: 0 } : run.evalEvery !== undefined ? { evalEvery: run.evalEvery } : {}),
  };
  const notes: string[] = [];
  if (run.steps.resumedFrom > 0) {
    notes.push(`${title} continued from step ${run.steps.resumedFrom} (an autosave or a checkpoint); the re-run trains from step 0, which repeats its losses only if that was an autosave of the same run`);
  }
  return { ok: true, plan: { graph: run.graph.document, graphHash: run.graph.hash, label: `graph of ${title}`, spec, notes } };
}

/**
 * The fingerprint `dropped` has when fitted to `doc` in `layout` (what a run of `doc` records),
 * from its file list and headers alone. Throws the loader's error naming the file at fault.
 */
export async function droppedFingerprint(dropped: DroppedDataset, layout: DatasetLayout, doc: GraphDocument, registry: NodeRegistry): Promise<string> {
  const ir = resolveGraph(doc, registry, { batch: 1 });
  const loaded = await loadDropped(dropped, layout, dataNeeds(graphInputs(ir), ir.template));
  return loaded.dataset.fingerprint;
}
