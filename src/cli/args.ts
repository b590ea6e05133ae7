/**
 * Command-line parsing on `node:util` parseArgs, driven by each command's spec (command-specs.ts):
 * `--name value`, `--name=value`, `-o value`, boolean `--flag`. Anything the spec does not know is
 * a usage error (exit 2) with the nearest known flag suggested. Loads nothing heavy: `--help`
 * and the light commands parse without tfjs.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from './io.ts';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. 'o' for --out. */
  short?: string;
  /** The value's placeholder in the help (N, DIR, FILE, cpu|wasm). */
  value?: string;
  /** What the help states as the default; absent: none (or "off" for a switch). */
  default?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments as the synopsis writes them: "FILE...", "A B". */
  args: string;
  /** One line for `lggan --help`. */
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Runs tfjs (a forward pass, training): tfjs and a backend are loaded only for these. */
  computes: boolean;
  /** Further lines of the command's --help (exit codes that differ, output files). */
  notes?: string[];
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name nearest to `name`, when it is near enough to be a typo (a third of its length, at least 2). */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // A prefix (--bat for --batch) counts as near too.
  const prefixed = known.find((k) => name.length >= 2 && k.startsWith(name));
  if (bestDistance <= Math.max(2, Math.floor(name.length / 3))) return best;
  return prefixed;
}

/** Flag names as typed: `--out`. Text from argv is shown JSON-quoted when it is not plain. */
function shown(raw: string): string {
  return /^[-A-Za-z0-9_.=]{1,80}$/.test(raw) ? raw : JSON.stringify(raw.slice(0, 80));
}

/**
 * Parses `argv` against `spec`: every flag known, string flags given a value, switches none.
 * Repeated flags: the last one wins. A lone `--` ends the flags.
 */
export function parseCommandArgs(argv: string[], spec: Pick<CommandSpec, 'name' | 'flags'>): ParsedArgs {
  const options = Object.fromEntries(Object.entries(spec.flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]));
  // Not strict: every token is checked here instead, so the messages are ours (with suggestions), not Node's.
  const { tokens } = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') positional.push(token.value);
    if (token.kind !== 'option') continue;
    const flag = Object.hasOwn(spec.flags, token.name) ? spec.flags[token.name] : undefined;
    if (!flag) {
      const candidates = Object.keys(spec.flags).map((n) => `--${n}`);
      const guess = suggest(token.rawName.startsWith('--') ? token.rawName : `--${token.name}`, candidates);
      const hint = guess ? `: did you mean ${guess}?` : candidates.length ? ` (options: ${candidates.join(', ')})` : ' (it takes no options)';
      throw new UsageError(`unknown option ${shown(token.rawName)}${hint}`);
    }
    const name = `--${token.name}`;
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${name} takes no value`);
      flags[token.name] = true;
      continue;
    }
    if (token.value === undefined) throw new UsageError(`${name} needs a value${flag.value ? ` (${flag.value})` : ''}`);
    // `--out --json`: the value looks like the next flag, so it was probably forgotten.
    if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-') {
      throw new UsageError(`${name} needs a value${flag.value ? ` (${flag.value})` : ''}, got the option-like '${shown(token.value)}' (write ${name}=${shown(token.value)} if you mean it)`);
    }
    flags[token.name] = token.value;
  }
  return { positional, flags };
}

export function intFlag(flags: ParsedArgs['flags'], name: string, fallback: number, min = 0): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === true || !/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} expects a whole number ≥ ${min}, got '${shown(String(raw))}'`);
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
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--backend') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new UsageError('--backend needs a value: wasm, cpu or webgpu');
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
