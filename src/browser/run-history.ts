/**
 * The browser's run record: what a training run in the app was — its graph as trained (document
 * and content hash), seed, backend actually used, data, per-step losses and held-out metrics,
 * start and end — the same facts, under the same field names, as a CLI run's run.json
 * (src/cli/runs/run-file.ts), less what only a run folder has (files, versions, the graph's file
 * name) and plus the curves themselves, which a run folder keeps in losses.csv / metrics.csv.
 *
 * Size: losses are kept for at most MAX_LOSS_POINTS steps. When a run goes past that, every other
 * kept point is dropped and `losses.stride` doubles (so a 1,000,000-step run keeps ≤ 10,000 evenly
 * spaced points); the last step's losses are always kept in `losses.last`. Held-out metrics are
 * few (one row per evalEvery steps) and thinned the same way past MAX_METRIC_POINTS.
 *
 * Reading is strict: a stored record may have been written by another build or tampered with, so
 * parseBrowserRun checks every field's type, range and size and names the field it refuses.
 *
 * Page-safe: no tfjs here.
 */
import type { DatasetSpec } from './protocol.ts';

export const BROWSER_RUN_FORMAT = 'lggan-studio.browser-run';
export const BROWSER_RUN_VERSION = 1;
export const MAX_LOSS_POINTS = 10_000;
export const MAX_METRIC_POINTS = 1_000;
export const BROWSER_RUN_LIMITS = { documentChars: 4 * 2 ** 20, text: 4096, lossTerms: 256, id: 128 } as const;

/** As run.json's statuses; 'failed' is a run that ended with an error. */
export const BROWSER_RUN_STATUSES = ['running', 'finished', 'interrupted', 'failed'] as const;
export type BrowserRunStatus = (typeof BROWSER_RUN_STATUSES)[number];

export interface BrowserRunData {
  kind: 'synthetic' | 'files';
  description: string;
  /** The dropped folder or archive name; null for synthetic data. */
  name: string | null;
  /** The layout used; null for synthetic data. */
  layout: string | null;
  /** Seed and scene count of synthetic data; null for dropped data. */
  syntheticSeed: number | null;
  syntheticCount: number | null;
  fingerprint: string;
  trainSamples: number;
  heldOutSamples: number;
}

export interface MetricPoint {
  step: number;
  psnr: number | null;
  ssim: number | null;
  sd: number | null;
}

export interface BrowserRun {
  format: typeof BROWSER_RUN_FORMAT;
  version: typeof BROWSER_RUN_VERSION;
  /** The page's run id (also the store key). */
  id: string;
  status: BrowserRunStatus;
  graph: { name: string; hash: string; document: Record<string, unknown> };
  seed: number;
  backend: string;
  batch: number;
  data: BrowserRunData;
  steps: { requested: number; done: number; resumedFrom: number };
  /**
   * How often the run sent samples, scored the held-out split and autosaved (the run spec's
   * sampleEvery / evalEvery / autosaveEvery as resolved), so a re-run reports alike. Optional:
   * records written before these were kept have none (a re-run then keeps the Run panel's own).
   */
  sampleEvery?: number;
  evalEvery?: number;
  autosaveEvery?: number;
  /** Loss names, the column order of losses.values. */
  lossTerms: string[];
  losses: {
    /** Steps kept: every `stride`-th step (see the header). */
    stride: number;
    steps: number[];
    /** values[i][t]: loss lossTerms[t] at steps[i]; null where it was not finite or not reported. */
    values: (number | null)[][];
    /** The last step's losses, whatever the stride. */
    last: { step: number; values: (number | null)[] } | null;
  };
  metrics: MetricPoint[];
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string | null;
  wallSeconds: number | null;
}

/** The data part of a record, from the run's spec and what setting it up found. */
export function browserRunData(spec: DatasetSpec, found: { description: string; fingerprint: string; trainSamples: number; heldOutSamples: number }): BrowserRunData {
  return spec.kind === 'synthetic'
    ? { kind: 'synthetic', name: null, layout: null, syntheticSeed: spec.seed, syntheticCount: spec.count, ...found }
    : { kind: 'files', name: spec.name, layout: spec.layout, syntheticSeed: null, syntheticCount: null, ...found };
}

const finiteOrNull = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Drops every other point (keeping the first) of parallel arrays. */
function thin<T>(xs: T[]): T[] {
  return xs.filter((_, i) => i % 2 === 0);
}

/** Adds one step's losses to a record in place, keeping the size bound (see the header). */
export function addLosses(run: BrowserRun, step: number, losses: Record<string, number>): void {
  for (const name of Object.keys(losses)) {
    if (!run.lossTerms.includes(name) && run.lossTerms.length < BROWSER_RUN_LIMITS.lossTerms) {
      run.lossTerms.push(name);
      for (const row of run.losses.values) row.push(null);
    }
  }
  const row = run.lossTerms.map((t) => finiteOrNull(losses[t]));
  run.losses.last = { step, values: row };
  run.steps.done = step;
  const l = run.losses;
  if (step % l.stride !== 0) return;
  l.steps.push(step);
  l.values.push(row);
  while (l.steps.length > MAX_LOSS_POINTS) {
    l.stride *= 2;
    const keep = l.steps.map((s) => s % l.stride === 0);
    l.steps = l.steps.filter((_, i) => keep[i]);
    l.values = l.values.filter((_, i) => keep[i]);
  }
}

export function addMetrics(run: BrowserRun, point: { step: number; psnr?: number; ssim?: number; sd?: number }): void {
  run.metrics.push({ step: point.step, psnr: finiteOrNull(point.psnr), ssim: finiteOrNull(point.ssim), sd: finiteOrNull(point.sd) });
  if (run.metrics.length > MAX_METRIC_POINTS) run.metrics = thin(run.metrics);
}

export class BrowserRunError extends Error {
  constructor(
    readonly where: string,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${where}: ${field === undefined ? '' : `field '${field}' `}${detail}`);
    this.name = 'BrowserRunError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Field checks that throw a BrowserRunError naming the record and the dotted field path. */
class Check {
  constructor(readonly where: string) {}
  fail(field: string | undefined, detail: string): never {
    throw new BrowserRunError(this.where, field, detail);
  }
  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }
  array(v: unknown, field: string, max: number): unknown[] {
    if (!Array.isArray(v)) this.fail(field, `must be an array, got ${describe(v)}`);
    if (v.length > max) this.fail(field, `has ${v.length} entries; at most ${max} are allowed`);
    return v;
  }
  text(v: unknown, field: string, nullable = false): string {
    if (v === null && nullable) return v as unknown as string;
    if (typeof v !== 'string') this.fail(field, `must be a string${nullable ? ' or null' : ''}, got ${describe(v)}`);
    if (v.length > BROWSER_RUN_LIMITS.text) this.fail(field, `is ${v.length} characters long; at most ${BROWSER_RUN_LIMITS.text} are allowed`);
    return v;
  }
  whole(v: unknown, field: string, min = 0, nullable = false): number {
    if (v === null && nullable) return v as unknown as number;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(field, `must be a whole number ≥ ${min}, got ${describe(v)}`);
    return v;
  }
  numberOrNull(v: unknown, field: string): number | null {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `must be a finite number or null, got ${describe(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(v)}`);
    return v as T;
  }
  time(v: unknown, field: string, nullable = false): string {
    const t = this.text(v, field, nullable);
    if (t !== null && (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(t) || Number.isNaN(Date.parse(t)))) this.fail(field, `must be an ISO 8601 UTC time, got ${describe(t)}`);
    return t;
  }
}

/** Length of the value's JSON text; `fail` is called when it has none (a cycle, a BigInt …). */
function jsonLength(value: unknown, fail: (detail: string) => never): number {
  try {
    return JSON.stringify(value).length;
  } catch (e) {
    return fail(`is not plain JSON: ${(e as Error).message}`);
  }
}

/** The fields of `keys` that the stored value has (absent or undefined: left out), each a whole number ≥ 0. */
function optionalWhole<K extends string>(c: Check, r: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) if (r[key] !== undefined) out[key] = c.whole(r[key], key);
  return out;
}

/**
 * Checks a stored value field by field; returns a record holding only the known fields. `where`
 * names it in errors (e.g. "run record 'run-3'"). The graph document is only checked for size
 * and kind here: whoever opens it loads it through the graph loader, which checks the rest.
 */
export function parseBrowserRun(value: unknown, where: string): BrowserRun {
  const c = new Check(where);
  const r = c.object(value, '(root)');
  if (r.format !== BROWSER_RUN_FORMAT) c.fail('format', `is ${describe(r.format)}, expected "${BROWSER_RUN_FORMAT}" (not a browser run record)`);
  if (r.version !== BROWSER_RUN_VERSION) c.fail('version', `${describe(r.version)} is not supported (this build reads version ${BROWSER_RUN_VERSION})`);
  const id = c.text(r.id, 'id');
  if (id === '' || id.length > BROWSER_RUN_LIMITS.id) c.fail('id', `must be 1 to ${BROWSER_RUN_LIMITS.id} characters, got ${id.length}`);
  const graph = c.object(r.graph, 'graph');
  const document = c.object(graph.document, 'graph.document');
  const documentChars = jsonLength(document, (detail) => c.fail('graph.document', detail));
  if (documentChars > BROWSER_RUN_LIMITS.documentChars) c.fail('graph.document', `is ${documentChars} characters of JSON; at most ${BROWSER_RUN_LIMITS.documentChars} are allowed`);
  const hash = c.text(graph.hash, 'graph.hash');
  if (!/^[0-9a-f]{64}$/.test(hash)) c.fail('graph.hash', `must be a SHA-256 in hex (64 characters 0-9a-f), got ${describe(hash)}`);
  const data = c.object(r.data, 'data');
  const steps = c.object(r.steps, 'steps');
  const losses = c.object(r.losses, 'losses');
  const lossTerms = c.array(r.lossTerms, 'lossTerms', BROWSER_RUN_LIMITS.lossTerms).map((t, i) => c.text(t, `lossTerms[${i}]`));
  if (new Set(lossTerms).size !== lossTerms.length) c.fail('lossTerms', 'names a loss twice');
  const row = (v: unknown, field: string) => {
    const xs = c.array(v, field, lossTerms.length);
    if (xs.length !== lossTerms.length) c.fail(field, `has ${xs.length} values for ${lossTerms.length} loss terms`);
    return xs.map((x, t) => c.numberOrNull(x, `${field}[${t}]`));
  };
  const stride = c.whole(losses.stride, 'losses.stride', 1);
  const lossSteps = c.array(losses.steps, 'losses.steps', MAX_LOSS_POINTS).map((s, i) => c.whole(s, `losses.steps[${i}]`, 1));
  const values = c.array(losses.values, 'losses.values', MAX_LOSS_POINTS).map((v, i) => row(v, `losses.values[${i}]`));
  if (values.length !== lossSteps.length) c.fail('losses.values', `has ${values.length} rows for ${lossSteps.length} steps`);
  lossSteps.forEach((s, i) => {
    if (i > 0 && s <= lossSteps[i - 1]) c.fail(`losses.steps[${i}]`, `(${s}) does not follow step ${lossSteps[i - 1]}`);
  });
  let last: BrowserRun['losses']['last'] = null;
  if (losses.last !== null) {
    const l = c.object(losses.last, 'losses.last');
    last = { step: c.whole(l.step, 'losses.last.step', 1), values: row(l.values, 'losses.last.values') };
  }
  const metrics = c.array(r.metrics, 'metrics', MAX_METRIC_POINTS).map((m, i) => {
    const o = c.object(m, `metrics[${i}]`);
    return { step: c.whole(o.step, `metrics[${i}].step`, 1), psnr: c.numberOrNull(o.psnr, `metrics[${i}].psnr`), ssim: c.numberOrNull(o.ssim, `metrics[${i}].ssim`), sd: c.numberOrNull(o.sd, `metrics[${i}].sd`) };
  });
  const kind = c.oneOf(data.kind, 'data.kind', ['synthetic', 'files'] as const);
  const synthetic = kind === 'synthetic';
  const run: BrowserRun = {
    format: BROWSER_RUN_FORMAT,
    version: BROWSER_RUN_VERSION,
    id,
    status: c.oneOf(r.status, 'status', BROWSER_RUN_STATUSES),
    graph: { name: c.text(graph.name, 'graph.name'), hash, document },
    seed: c.whole(r.seed, 'seed'),
    backend: c.text(r.backend, 'backend'),
    batch: c.whole(r.batch, 'batch', 1),
    data: {
      kind,
      description: c.text(data.description, 'data.description'),
      name: c.text(data.name, 'data.name', synthetic),
      layout: c.text(data.layout, 'data.layout', synthetic),
      syntheticSeed: c.whole(data.syntheticSeed, 'data.syntheticSeed', 0, !synthetic),
      syntheticCount: c.whole(data.syntheticCount, 'data.syntheticCount', 1, !synthetic),
      fingerprint: c.text(data.fingerprint, 'data.fingerprint'),
      trainSamples: c.whole(data.trainSamples, 'data.trainSamples', 1),
      heldOutSamples: c.whole(data.heldOutSamples, 'data.heldOutSamples'),
    },
    steps: { requested: c.whole(steps.requested, 'steps.requested', 1), done: c.whole(steps.done, 'steps.done'), resumedFrom: c.whole(steps.resumedFrom, 'steps.resumedFrom') },
    ...optionalWhole(c, r, ['sampleEvery', 'evalEvery', 'autosaveEvery'] as const),
    lossTerms,
    losses: { stride, steps: lossSteps, values, last },
    metrics,
    startedAt: c.time(r.startedAt, 'startedAt'),
    endedAt: c.time(r.endedAt, 'endedAt', true),
    wallSeconds: r.wallSeconds === null ? null : typeof r.wallSeconds === 'number' && Number.isFinite(r.wallSeconds) && r.wallSeconds >= 0 ? r.wallSeconds : c.fail('wallSeconds', `must be a number ≥ 0 or null, got ${describe(r.wallSeconds)}`),
  };
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(run.backend)) c.fail('backend', `must be a backend name (letters, digits, _ . -), got ${describe(run.backend)}`);
  if (synthetic && (run.data.name !== null || run.data.layout !== null)) c.fail('data.name', 'must be null for synthetic data');
  if (run.steps.done > run.steps.requested) c.fail('steps.done', `(${run.steps.done}) is beyond steps.requested (${run.steps.requested})`);
  if (run.steps.resumedFrom > run.steps.done) c.fail('steps.resumedFrom', `(${run.steps.resumedFrom}) is beyond steps.done (${run.steps.done})`);
  return run;
}
