import { UsageError } from './io.ts';

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

/**
 * `--name value`, `--name=value` and boolean `--flag`. Each command declares which flags take a
 * value and which are switches; anything else is a usage error naming the flag.
 */
export function parseArgs(argv: string[], spec: { values?: string[]; switches?: string[] }): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const switches = new Set(spec.switches ?? []);
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (switches.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (values.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else {
      const known = [...values, ...switches].map((f) => `--${f}`).join(', ');
      throw new UsageError(`unknown option --${name}${known ? ` (options: ${known})` : ''}`);
    }
  }
  return { positional, flags };
}

export function intFlag(flags: ParsedArgs['flags'], name: string, fallback: number, min = 0): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === true || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects a whole number ≥ ${min}, got '${raw}'`);
  return n;
}

/**
 * Takes the global `--backend wasm|cpu|webgpu` (either spelling) out of argv, wherever it stands, so
 * every command accepts it. The value is checked by the caller.
 */
export function takeBackendOption(argv: string[]): { backend?: string; rest: string[] } {
  const rest: string[] = [];
  let backend: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--backend') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--backend needs a value: wasm, cpu or webgpu');
      backend = value;
      i++;
    } else if (arg.startsWith('--backend=')) {
      backend = arg.slice('--backend='.length);
    } else {
      rest.push(arg);
    }
  }
  return { backend, rest };
}
