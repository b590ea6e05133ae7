/**
 * A browser run record (src/runs/browser-run.ts) as a RunRecord: the same facts under
 * the shared names, its loss rows turned into one curve per term.
 *
 * Losses: the record stores null both for a value that was not finite and for a term not reported
 * at that step. A trainer reports every term of its losses at every step once it has reported it
 * once, so a null before a term's first value is left out (the term was not there yet) and a null
 * after it becomes NaN (the loss diverged), as a run folder's losses.csv writes it.
 */
import type { BrowserRun } from './browser-run.ts';
import type { RunCurve, RunRecord } from './run-record.ts';

function curvesOf(run: BrowserRun): Map<string, RunCurve> {
  const rows = run.losses.steps.map((step, i) => ({ step, values: run.losses.values[i] }));
  const last = run.losses.last;
  // With a stride above 1 the last step may not be among the kept ones: its losses are in `last`.
  if (last && (rows.length === 0 || last.step > rows[rows.length - 1].step)) rows.push(last);
  return new Map(
    run.lossTerms.map((term, t): [string, RunCurve] => {
      const curve: RunCurve = { steps: [], values: [] };
      for (const row of rows) {
        const v = row.values[t];
        if (v === null && curve.steps.length === 0) continue;
        curve.steps.push(row.step);
        curve.values.push(v ?? NaN);
      }
      return [term, curve];
    }),
  );
}

export function recordFromBrowserRun(run: BrowserRun): RunRecord {
  return {
    source: { kind: 'browser', id: run.id },
    variant: run.graph.name.trim() || run.id,
    status: run.status,
    graph: { name: run.graph.name, hash: run.graph.hash, document: run.graph.document },
    seed: run.seed,
    dataSeed: null,
    backend: run.backend,
    batch: run.batch,
    data: { kind: run.data.kind, description: run.data.description, fingerprint: run.data.fingerprint, trainSamples: run.data.trainSamples, heldOutSamples: run.data.heldOutSamples },
    steps: { ...run.steps },
    startedAt: run.startedAt,
    wallSeconds: run.wallSeconds,
    lossTerms: [...run.lossTerms],
    curves: curvesOf(run),
    metrics: run.metrics.map((m) => ({ step: m.step, psnr: m.psnr, ssim: m.ssim, sd: m.sd, count: null })),
    samples: run.samples.map((s) => ({ step: s.step, input: s.input, images: s.images.map((i) => ({ ...i })) })),
  };
}
