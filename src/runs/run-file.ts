/**
 * `run.json`: one file at the root of a `lggan train` run folder that says what the run was — the
 * graph as trained (its document and content hash), seeds, backend, data, batch, steps, start and
 * end — and where its per-step losses and metrics are. Written when training starts and again when
 * it ends, so a crashed run still has one (status "running"). `lggan compare` reads it, and
 * `lggan train --from-run` replays it.
 *
 * Reading is strict: the file is hostile input. Its size and nesting are checked before parsing,
 * every field's type, range and length after, and each refusal names the file and the field.
 *
 * Page-safe: the format and its parser only; src/cli/runs/run-file.ts reads and writes it on disk.
 */

export const RUN_FILE = 'run.json';
export const RUN_FILE_FORMAT = 'lggan-studio.run-folder';
export const RUN_FILE_VERSION = 1;

/** Bounds on what a run.json may claim: a full-size graph document is ~100 KB. */
export const RUN_FILE_LIMITS = { bytes: 8 * 2 ** 20, depth: 64, text: 4096, lossTerms: 256 } as const;

export const RUN_STATUSES = ['running', 'finished', 'interrupted', 'non-finite'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunData {
  kind: 'synthetic' | 'directory';
  /** As the train command printed it ("synthetic scenes, compact ids …", "cityscapes data in DIR (detected)"). */
  description: string;
  /** The --data directory; null for synthetic data. */
  path: string | null;
  /** The --layout given (auto included); null for synthetic data. */
  layout: string | null;
  fingerprint: string;
  trainSamples: number;
  heldOutSamples: number;
}

export interface RunFile {
  format: typeof RUN_FILE_FORMAT;
  version: typeof RUN_FILE_VERSION;
  status: RunStatus;
  graph: {
    /** meta.name of the graph. */
    name: string;
    /** graphHash() of the document as trained. */
    hash: string;
    /** The graph file named on the command line. */
    file: string;
    /** The graph document as trained (saveGraph's JSON, parsed). */
    document: Record<string, unknown>;
  };
  /** Seed of the weight initialisation. */
  seed: number;
  /** Seed of the data: synthetic scenes, held-out split, batch order and augmentation. */
  dataSeed: number;
  backend: string;
  batch: number;
  data: RunData;
  steps: {
    /** --steps: the step the run trains to. */
    requested: number;
    /** Steps done when the file was written. */
    done: number;
    /** The step a resumed run (--resume or --init-from) started from (0 for a fresh run). */
    resumedFrom: number;
  };
  /** The checkpoint of another version of the graph that --init-from carried weights over from (absolute path), else null. */
  initFrom: string | null;
  /** Loss node ids, in the column order of losses.csv. */
  lossTerms: string[];
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string | null;
  /** Seconds spent training in this session (null while running). */
  wallSeconds: number | null;
  files: { losses: string; lossesJsonl: string; metrics: string; checkpoints: string; samples: string };
  versions: { nodePack: string; tfjs: string; node: string };
}

export class RunFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}: ${field === undefined ? '' : `field '${field}' `}${detail}`);
    this.name = 'RunFileError';
  }
}

export function runFileJson(run: RunFile): string {
  return JSON.stringify(run, null, 2) + '\n';
}

/** The deepest nesting of arrays and objects in JSON text, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Field checks that throw a RunFileError naming `file` and the dotted field path. */
class Fields {
  constructor(readonly file: string) {}

  fail(field: string | undefined, detail: string): never {
    throw new RunFileError(this.file, field, detail);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, `must be an object, got ${describeValue(value)}`);
    return value as Record<string, unknown>;
  }

  text(value: unknown, field: string, options: { nullable?: boolean; nonEmpty?: boolean } = {}): string {
    if (value === null && options.nullable) return value as unknown as string;
    if (typeof value !== 'string') this.fail(field, `must be a string${options.nullable ? ' or null' : ''}, got ${describeValue(value)}`);
    if (value.length > RUN_FILE_LIMITS.text) this.fail(field, `is ${value.length} characters long; at most ${RUN_FILE_LIMITS.text} are allowed`);
    if (options.nonEmpty && value === '') this.fail(field, 'must not be empty');
    return value;
  }

  whole(value: unknown, field: string, min = 0): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(field, `must be a whole number ≥ ${min}, got ${describeValue(value)}`);
    return value;
  }

  pattern(value: unknown, field: string, re: RegExp, what: string): string {
    const t = this.text(value, field);
    if (!re.test(t)) this.fail(field, `must be ${what}, got ${describeValue(t)}`);
    return t;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`);
    return value as T;
  }

  time(value: unknown, field: string, nullable = false): string {
    const t = this.text(value, field, { nullable });
    if (t !== null && (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(t) || Number.isNaN(Date.parse(t)))) this.fail(field, `must be an ISO 8601 UTC time, got ${describeValue(t)}`);
    return t;
  }
}

/** A value as a short, quoted, single-line string for an error message (never the whole of a long one). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value); // a cycle, a BigInt …
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Checks the parsed value of `file` field by field; returns a RunFile holding only the known fields. */
export function parseRunFile(value: unknown, file: string): RunFile {
  const f = new Fields(file);
  const r = f.object(value, '(root)');
  if (r.format !== RUN_FILE_FORMAT) f.fail('format', `is ${describeValue(r.format)}, expected "${RUN_FILE_FORMAT}" (not a run record)`);
  if (r.version !== RUN_FILE_VERSION) f.fail('version', `${describeValue(r.version)} is not supported (this build reads version ${RUN_FILE_VERSION})`);
  const graph = f.object(r.graph, 'graph');
  const data = f.object(r.data, 'data');
  const steps = f.object(r.steps, 'steps');
  const files = f.object(r.files, 'files');
  const versions = f.object(r.versions, 'versions');
  const terms: unknown[] = Array.isArray(r.lossTerms) ? r.lossTerms : f.fail('lossTerms', `must be an array of loss node ids, got ${describeValue(r.lossTerms)}`);
  if (terms.length > RUN_FILE_LIMITS.lossTerms) f.fail('lossTerms', `has ${terms.length} entries; at most ${RUN_FILE_LIMITS.lossTerms} are allowed`);
  const lossTerms = terms.map((t, i) => f.text(t, `lossTerms[${i}]`, { nonEmpty: true }));
  const kind = f.oneOf(data.kind, 'data.kind', ['synthetic', 'directory'] as const);
  const run: RunFile = {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    status: f.oneOf(r.status, 'status', RUN_STATUSES),
    graph: {
      name: f.text(graph.name, 'graph.name'),
      hash: f.pattern(graph.hash, 'graph.hash', /^[0-9a-f]{64}$/, 'a SHA-256 in hex (64 characters 0-9a-f)'),
      file: f.text(graph.file, 'graph.file'),
      document: f.object(graph.document, 'graph.document'),
    },
    seed: f.whole(r.seed, 'seed'),
    dataSeed: f.whole(r.dataSeed, 'dataSeed'),
    backend: f.pattern(r.backend, 'backend', /^[A-Za-z0-9_.-]{1,64}$/, 'a backend name (letters, digits, _ . -)'),
    batch: f.whole(r.batch, 'batch', 1),
    data: {
      kind,
      description: f.text(data.description, 'data.description'),
      path: f.text(data.path, 'data.path', { nullable: kind === 'synthetic', nonEmpty: true }),
      layout: f.text(data.layout, 'data.layout', { nullable: kind === 'synthetic', nonEmpty: true }),
      fingerprint: f.text(data.fingerprint, 'data.fingerprint'),
      trainSamples: f.whole(data.trainSamples, 'data.trainSamples', 1),
      heldOutSamples: f.whole(data.heldOutSamples, 'data.heldOutSamples', 1),
    },
    steps: {
      requested: f.whole(steps.requested, 'steps.requested', 1),
      done: f.whole(steps.done, 'steps.done'),
      resumedFrom: f.whole(steps.resumedFrom, 'steps.resumedFrom'),
    },
    initFrom: f.text(r.initFrom, 'initFrom', { nullable: true, nonEmpty: true }),
    lossTerms,
    startedAt: f.time(r.startedAt, 'startedAt'),
    endedAt: f.time(r.endedAt, 'endedAt', true),
    wallSeconds: r.wallSeconds === null ? null : typeof r.wallSeconds === 'number' && Number.isFinite(r.wallSeconds) && r.wallSeconds >= 0 ? r.wallSeconds : f.fail('wallSeconds', `must be a number ≥ 0 or null, got ${describeValue(r.wallSeconds)}`),
    files: {
      losses: f.text(files.losses, 'files.losses', { nonEmpty: true }),
      lossesJsonl: f.text(files.lossesJsonl, 'files.lossesJsonl', { nonEmpty: true }),
      metrics: f.text(files.metrics, 'files.metrics', { nonEmpty: true }),
      checkpoints: f.text(files.checkpoints, 'files.checkpoints', { nonEmpty: true }),
      samples: f.text(files.samples, 'files.samples', { nonEmpty: true }),
    },
    versions: { nodePack: f.text(versions.nodePack, 'versions.nodePack'), tfjs: f.text(versions.tfjs, 'versions.tfjs'), node: f.text(versions.node, 'versions.node') },
  };
  if (run.data.kind === 'synthetic' && (run.data.path !== null || run.data.layout !== null)) f.fail('data.path', 'must be null for synthetic data');
  if (run.steps.done > run.steps.requested) f.fail('steps.done', `(${run.steps.done}) is beyond steps.requested (${run.steps.requested})`);
  if (run.steps.resumedFrom > run.steps.done) f.fail('steps.resumedFrom', `(${run.steps.resumedFrom}) is beyond steps.done (${run.steps.done})`);
  if (new Set(lossTerms).size !== lossTerms.length) f.fail('lossTerms', 'names a loss twice');
  // Names of files inside the run folder: a plain relative name, never a path out of it.
  for (const [key, name] of Object.entries(run.files)) {
    if (name.includes('..') || name.startsWith('/') || name.includes('\\') || /[\0-\x1f]/.test(name)) f.fail(`files.${key}`, `must be a name inside the run folder, got ${describeValue(name)}`);
  }
  return run;
}

/** Parses run.json text (size and nesting checked first). */
export function parseRunFileText(text: string, file: string): RunFile {
  if (text.length > RUN_FILE_LIMITS.bytes) throw new RunFileError(file, undefined, `is ${text.length} characters long; a run record is at most ${RUN_FILE_LIMITS.bytes}`);
  const depth = jsonDepth(text);
  if (depth > RUN_FILE_LIMITS.depth) throw new RunFileError(file, undefined, `nests ${depth} levels deep; at most ${RUN_FILE_LIMITS.depth} are allowed`);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new RunFileError(file, undefined, `is not JSON: ${(e as Error).message}`);
  }
  return parseRunFile(value, file);
}
