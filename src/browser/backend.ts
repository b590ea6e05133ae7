/**
 * Which tfjs backend a training or generation run uses. 'auto' tries webgpu → wasm → webgl → cpu
 * and takes the first that works, except that a WebGPU adapter that is software (SwiftShader, a
 * fallback adapter) is not trusted to be fast: then one small training step is timed on webgpu and
 * on wasm and the faster wins, with the timings recorded. Naming a backend forces it (no fallback:
 * a forced backend that fails is an error).
 *
 * wasm trains with our gradient kernels (runtime/wasm/) on XNNPACK, with SIMD, and with threads
 * where the page is cross-origin isolated. On a machine without a GPU it is the fast path.
 *
 * The policy takes the probe (and the measurements) as parameters so it can be tested without a
 * browser; the real ones are tf-browser.ts's probeBackend and backendMeasure, which the workers
 * pass in.
 */
export type BrowserBackend = 'webgpu' | 'wasm' | 'webgl' | 'cpu';

export interface BackendAttempt {
  name: BrowserBackend;
  ok: boolean;
  /** Why the backend could not be used or was passed over (absent when ok). */
  reason?: string;
  /** About the backend in use: how it was chosen, or what it runs with (wasm: SIMD, threads). */
  note?: string;
}

export interface BackendChoice {
  backend: BrowserBackend;
  attempts: BackendAttempt[];
}

export type BackendSetting = 'auto' | BrowserBackend;

/** Preference order under 'auto'. */
export const TRAINING_BACKENDS: readonly BrowserBackend[] = ['webgpu', 'wasm', 'webgl', 'cpu'];
export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...TRAINING_BACKENDS];

/** Makes `name` the active backend; resolves with why it cannot be used, or undefined on success. */
export type BackendProbe = (name: BrowserBackend) => Promise<string | undefined>;

/** What 'auto' needs to settle an unclear order by measurement. */
export interface BackendMeasure {
  /** Why the WebGPU adapter is not to be trusted as a GPU (e.g. 'software adapter (swiftshader)'); undefined for hardware. */
  softwareWebgpu(): Promise<string | undefined>;
  /** Milliseconds of one fixed small training step on the active backend `name` (after a warm-up). */
  timeStep(name: BrowserBackend): Promise<number>;
  /** What is worth knowing about the chosen backend (wasm: SIMD and threads), kept as its attempt's note. */
  details?(name: BrowserBackend): Promise<string | undefined>;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly setting: BackendSetting,
    readonly attempts: BackendAttempt[],
  ) {
    super(
      setting === 'auto'
        ? `no tfjs backend can train here: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`
        : `the ${setting} backend was asked for but cannot be used: ${attempts[0]?.reason ?? 'unknown reason'}`,
    );
    this.name = 'BackendUnavailableError';
  }
}

/** Checks a setting from outside (a message, a settings file). */
export function parseBackendSetting(value: unknown): BackendSetting {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (BACKEND_SETTINGS as readonly string[]).includes(value)) return value as BackendSetting;
  throw new RangeError(`unknown backend ${JSON.stringify(value)}: use ${BACKEND_SETTINGS.map((s) => `'${s}'`).join(', ')}`);
}

/** The backends a setting tries, in order. */
export function backendsFor(setting: BackendSetting): BrowserBackend[] {
  return setting === 'auto' ? [...TRAINING_BACKENDS] : [setting];
}

async function tryProbe(probe: BackendProbe, name: BrowserBackend): Promise<string | undefined> {
  try {
    return await probe(name);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const ms = (t: number) => `${t < 10 ? t.toFixed(1) : t.toFixed(0)} ms`;

/**
 * WebGPU works but its adapter is software: time a step on both and keep the faster, active.
 * Returns the webgpu attempt (chosen or not, with the timings) and, when wasm was tried, its attempt.
 */
async function settleSoftwareWebgpu(why: string, probe: BackendProbe, measure: BackendMeasure): Promise<BackendAttempt[]> {
  const wasmReason = await tryProbe(probe, 'wasm');
  if (wasmReason !== undefined) {
    const webgpu: BackendAttempt = { name: 'webgpu', ok: true, note: `${why}; wasm could not be tried: ${wasmReason}` };
    if ((await tryProbe(probe, 'webgpu')) === undefined) return [webgpu];
    return [{ name: 'webgpu', ok: false, reason: why }, { name: 'wasm', ok: false, reason: wasmReason }];
  }
  const wasmMs = await measure.timeStep('wasm');
  const gpuReason = await tryProbe(probe, 'webgpu');
  if (gpuReason !== undefined) return [{ name: 'webgpu', ok: false, reason: gpuReason }, { name: 'wasm', ok: true }];
  const gpuMs = await measure.timeStep('webgpu');
  const timings = `a probe training step took ${ms(gpuMs)} on webgpu, ${ms(wasmMs)} on wasm`;
  if (gpuMs <= wasmMs) return [{ name: 'webgpu', ok: true, note: `${why}, yet faster: ${timings}` }];
  if ((await tryProbe(probe, 'wasm')) !== undefined) return [{ name: 'webgpu', ok: true, note: `${why}; wasm stopped working after the timing` }];
  return [
    { name: 'webgpu', ok: false, reason: `${why}: slower than wasm (${timings})` },
    { name: 'wasm', ok: true },
  ];
}

/**
 * Tries the setting's backends in order and returns the first that works, with the reason each
 * earlier one failed or was passed over. With `measure`, a software WebGPU adapter under 'auto' is
 * timed against wasm. Throws BackendUnavailableError when none works.
 */
export async function selectBackend(setting: BackendSetting, probe: BackendProbe, measure?: BackendMeasure): Promise<BackendChoice> {
  const choice = await firstWorking(setting, probe, measure);
  const chosen = choice.attempts.find((a) => a.ok && a.name === choice.backend);
  const details = await measure?.details?.(choice.backend).catch(() => undefined);
  if (chosen && details) chosen.note = chosen.note ? `${details}; ${chosen.note}` : details;
  return choice;
}

async function firstWorking(setting: BackendSetting, probe: BackendProbe, measure: BackendMeasure | undefined): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = [];
  const order = backendsFor(setting);
  for (let i = 0; i < order.length; i++) {
    const name = order[i];
    const reason = await tryProbe(probe, name);
    if (reason !== undefined) {
      attempts.push({ name, ok: false, reason });
      continue;
    }
    if (name === 'webgpu' && setting === 'auto' && measure) {
      const software = await measure.softwareWebgpu().catch(() => undefined);
      if (software) {
        const settled = await settleSoftwareWebgpu(software, probe, measure);
        attempts.push(...settled);
        const chosen = settled.find((a) => a.ok);
        if (chosen) return { backend: chosen.name, attempts };
        // Neither works after all: go on after wasm.
        i = order.indexOf('wasm');
        continue;
      }
    }
    attempts.push({ name, ok: true });
    return { backend: name, attempts };
  }
  throw new BackendUnavailableError(setting, attempts);
}

/** One line for a status bar: "webgpu", or "wasm (webgpu: software adapter …)". */
export function describeChoice(choice: BackendChoice): string {
  const failed = choice.attempts.filter((a) => !a.ok);
  const note = choice.attempts.find((a) => a.ok && a.name === choice.backend)?.note;
  const name = note ? `${choice.backend} [${note}]` : choice.backend;
  return failed.length === 0 ? name : `${name} (${failed.map((a) => `${a.name}: ${a.reason}`).join('; ')})`;
}

/** What the backend menu says of a setting: 'auto' spells out the order it tries. */
export function settingLabel(setting: BackendSetting): string {
  return setting === 'auto' ? `auto (${TRAINING_BACKENDS.join(' → ')})` : setting;
}

/**
 * Why the run uses its backend, one line per backend tried, in the order they were tried:
 * "webgpu: passed over: the WebGPU adapter is software (…)", "wasm: chosen (SIMD, 2 threads)".
 */
export function choiceReasons(choice: BackendChoice): string[] {
  return choice.attempts.map((a) => {
    if (!a.ok) return `${a.name}: passed over: ${a.reason ?? 'no reason given'}`;
    const what = a.name === choice.backend ? 'chosen' : 'works';
    return a.note ? `${a.name}: ${what} (${a.note})` : `${a.name}: ${what}`;
  });
}
