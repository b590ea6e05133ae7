/**
 * Which tfjs backend a training run uses. 'auto' tries webgpu → webgl → cpu and takes the first
 * that works; naming a backend forces it (no fallback: a forced backend that fails is an error).
 * wasm is never offered: it has no conv backprop kernels, so it cannot train.
 *
 * The policy takes the probe as a parameter so it can be tested without a browser; the real probe
 * is tf-browser.ts's probeBackend, which the worker passes in.
 */
import type { BackendAttempt, BackendChoice, BrowserBackend } from '../tf-browser.ts';

export type { BackendAttempt, BackendChoice, BrowserBackend };

export type BackendSetting = 'auto' | BrowserBackend;

/** Preference order under 'auto' (the same as tf-browser.ts's BACKEND_ORDER, without importing tfjs). */
export const TRAINING_BACKENDS: readonly BrowserBackend[] = ['webgpu', 'webgl', 'cpu'];
export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...TRAINING_BACKENDS];

/** Makes `name` the active backend; resolves with why it cannot be used, or undefined on success. */
export type BackendProbe = (name: BrowserBackend) => Promise<string | undefined>;

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

/** Checks a setting from outside (a message, a settings file); names why 'wasm' is refused. */
export function parseBackendSetting(value: unknown): BackendSetting {
  if (value === undefined) return 'auto';
  if (value === 'wasm') throw new RangeError("backend 'wasm' cannot train (tfjs-wasm has no conv backprop): use 'auto', 'webgpu', 'webgl' or 'cpu'");
  if (typeof value === 'string' && (BACKEND_SETTINGS as readonly string[]).includes(value)) return value as BackendSetting;
  throw new RangeError(`unknown backend ${JSON.stringify(value)}: use ${BACKEND_SETTINGS.map((s) => `'${s}'`).join(', ')}`);
}

/** The backends a setting tries, in order. */
export function backendsFor(setting: BackendSetting): BrowserBackend[] {
  return setting === 'auto' ? [...TRAINING_BACKENDS] : [setting];
}

/**
 * Tries the setting's backends in order and returns the first that works, with the reason each
 * earlier one failed. Throws BackendUnavailableError when none does.
 */
export async function selectBackend(setting: BackendSetting, probe: BackendProbe): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = [];
  for (const name of backendsFor(setting)) {
    let reason: string | undefined;
    try {
      reason = await probe(name);
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    attempts.push(reason === undefined ? { name, ok: true } : { name, ok: false, reason });
    if (reason === undefined) return { backend: name, attempts };
  }
  throw new BackendUnavailableError(setting, attempts);
}

/** One line for a status bar: "webgpu", or "webgl (webgpu: no adapter)". */
export function describeChoice(choice: BackendChoice): string {
  const failed = choice.attempts.filter((a) => !a.ok);
  return failed.length === 0 ? choice.backend : `${choice.backend} (${failed.map((a) => `${a.name}: ${a.reason}`).join('; ')})`;
}

