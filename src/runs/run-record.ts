/**
 * One run, whatever recorded it: a training run in this browser (its IndexedDB record,
 * src/browser/run-history.ts) or a `lggan train` run folder (run.json + losses.csv +
 * metrics.jsonl + samples/, src/cli/runs/run-file.ts), read into the same shape so the Compare
 * view, `lggan compare` and the comparison table treat both alike.
 *
 * Page-safe and pure: no tfjs, no node: imports. Every field was checked by the reader that made
 * the record (parseBrowserRun / the run-folder parsers); strings in it are still hostile text.
 */

/** Where a record came from: a browser run (its store id) or a run folder (its name or path). */
export type RunSource = { kind: 'browser'; id: string } | { kind: 'folder'; path: string };

/** A status of either recorder ('failed' is the browser's, 'non-finite' the CLI's). */
export type RunRecordStatus = 'running' | 'finished' | 'interrupted' | 'failed' | 'non-finite';

/** One loss term's curve: the steps it was logged at and its values there (NaN where it diverged). */
export interface RunCurve {
  steps: number[];
  values: number[];
}

/** One held-out evaluation; null where a metric was not finite or not measured. */
export interface RunMetricPoint {
  step: number;
  psnr: number | null;
  ssim: number | null;
  sd: number | null;
  /** Held-out samples it averaged over, where known. */
  count: number | null;
}

/** The sample images of one step, rendered on the run's fixed inputs. */
export interface RunSampleSnapshot {
  step: number;
  /** Which input(s) the images show, e.g. "training sample 0" or "4 held-out samples". */
  input: string;
  images: { name: string; width: number; height: number; png: Uint8Array }[];
}

export interface RunRecord {
  source: RunSource;
  /** The graph's name, else the folder's name / the run id. */
  variant: string;
  status: RunRecordStatus;
  graph: { name: string; hash: string; document: Record<string, unknown> };
  /** Seed of the weight initialisation. */
  seed: number;
  /** Seed of the data order / synthetic scenes / held-out split where it differs from `seed` (CLI), else null. */
  dataSeed: number | null;
  backend: string;
  batch: number;
  data: {
    /** 'files': data dropped in the browser; 'directory': a CLI --data folder. */
    kind: 'synthetic' | 'files' | 'directory';
    description: string;
    fingerprint: string;
    trainSamples: number;
    heldOutSamples: number;
  };
  steps: { requested: number; done: number; resumedFrom: number };
  /** ISO 8601, UTC. */
  startedAt: string;
  wallSeconds: number | null;
  /** Loss terms (loss node ids) in the recorder's column order. */
  lossTerms: string[];
  /** Loss term → its curve; every term of lossTerms has one (maybe empty). */
  curves: Map<string, RunCurve>;
  /** Every held-out evaluation, oldest first. */
  metrics: RunMetricPoint[];
  /** Sample images by step, oldest first (empty when the recorder kept none). */
  samples: RunSampleSnapshot[];
}
