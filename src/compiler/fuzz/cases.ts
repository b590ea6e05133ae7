/**
 * The fuzz corpus and its oracle. Case i of a corpus with seed S is drawn from its own stream
 * (S, i), so one failing case is replayed alone. Three kinds of case:
 * - loader: a mutated shipped graph as text → loadGraph → resolveGraph;
 * - resolver: a random document built straight from the registry's node types (random params,
 *   random wires, prototype names as ids and ports), or a shipped graph with params changed and
 *   wires moved → resolveGraph, skipping the loader;
 * - expression: a random template expression → evaluateExpression.
 * The oracle: nothing throws, no "internal" diagnostic (a bug caught on the way), Object.prototype
 * unchanged, every diagnostic placed (a pointer or a line), and the case's time measured.
 */
import { inputPorts, outputPorts } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { formatDiagnostics, type Diagnostic } from '../../graph/diagnostics.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphNode, type ParamValue } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { defineOwn } from '../../graph/util.ts';
import { ExprError, evaluateExpression } from '../expr.ts';
import { resolveParams } from '../params.ts';
import { resolveGraph } from '../resolve.ts';
import { hashString } from '../rng.ts';
import { mutatedGraphText } from './mutate.ts';
import { paramVariant } from './param-mutations.ts';
import { PROTOTYPE_NAMES, Random } from './random.ts';

export type CaseKind = 'loader' | 'resolver' | 'expression';

export interface CaseOutcome {
  kind: CaseKind;
  index: number;
  /** An exception that escaped, or an internal-error diagnostic: a bug. */
  crash?: string;
  /** Object.prototype (or Array/Function.prototype) changed. */
  polluted?: boolean;
  /** Diagnostics with neither a pointer nor a line. */
  unlocated: Diagnostic[];
  /** Printed lines (as the CLI prints them) longer than MAX_LINE: a hostile string echoed whole. */
  oversized: string[];
  ms: number;
  /** Size of the case's input in characters (loader text, expression). */
  size: number;
}

/** Summaries ("… and 12 more") describe a list, not a place. */
const SUMMARY_CODES = new Set(['too-many-errors', 'too-many-warnings', 'too-many-diagnostics']);
/** The longest diagnostic line a hostile input may cause (a long name is cut, never echoed whole). */
export const MAX_LINE = 2000;
const INTERNAL_CODES = new Set(['internal', 'internal-error']);

function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(',')).join('|');
}
const CLEAN_PROTOTYPES = prototypeSnapshot();

function isPolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return prototypeSnapshot() !== CLEAN_PROTOTYPES || probe.polluted !== undefined || Object.getPrototypeOf(probe) !== Object.prototype;
}

function located(d: Diagnostic): boolean {
  return SUMMARY_CODES.has(d.code) || d.where.pointer !== undefined || d.where.line !== undefined;
}

export interface CorpusOptions {
  registry: NodeRegistry;
  /** Parsed shipped graphs to mutate. */
  bases: unknown[];
  seed: number;
}

/** The kind of case `index` is: 60 % loader, 20 % resolver, 20 % expression. */
export function caseKind(index: number, seed: number): CaseKind {
  const u = new Random(hashString(`${seed}:kind:${index}`)).next();
  return u < 0.6 ? 'loader' : u < 0.8 ? 'resolver' : 'expression';
}

/** Runs case `index` of the corpus and judges it. */
export function runCase(index: number, options: CorpusOptions): CaseOutcome {
  const kind = caseKind(index, options.seed);
  const r = new Random(hashString(`${options.seed}:${index}`));
  const outcome: CaseOutcome = { kind, index, unlocated: [], oversized: [], ms: 0, size: 0 };
  const diagnostics: Diagnostic[] = [];
  let input: string | GraphDocument;
  if (kind === 'loader') input = mutatedGraphText(r.pick(options.bases), r);
  else if (kind === 'resolver') input = r.chance(0.5) ? randomGraph(options.registry, r) : rewiredVariant(r.pick(options.bases) as GraphDocument, options.registry, r);
  else input = r.expression();
  outcome.size = typeof input === 'string' ? input.length : 0;
  const started = performance.now();
  try {
    if (kind === 'loader') {
      const loaded = loadGraph(input as string, { file: 'fuzz.json', registry: options.registry });
      diagnostics.push(...loaded.diagnostics);
      if (loaded.ok) diagnostics.push(...resolveGraph(loaded.doc, options.registry).diagnostics);
    } else if (kind === 'resolver') {
      diagnostics.push(...resolveGraph(input as GraphDocument, options.registry).diagnostics);
    } else {
      try {
        const value = evaluateExpression(input as string, templateNames(r));
        if (typeof value !== 'number') outcome.crash = `evaluated to ${typeof value}`;
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        if (!(e.offset >= 0 && e.offset <= (input as string).length)) outcome.crash = `ExprError offset ${e.offset} outside the expression`;
      }
    }
  } catch (e) {
    outcome.crash = `${(e as Error)?.name ?? 'throw'}: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
  }
  outcome.ms = performance.now() - started;
  const internal = diagnostics.find((d) => INTERNAL_CODES.has(d.code));
  if (internal && !outcome.crash) outcome.crash = `${internal.code}: ${internal.message.slice(0, 300)}`;
  outcome.unlocated = diagnostics.filter((d) => !located(d));
  outcome.oversized = formatDiagnostics(diagnostics).filter((line) => line.length > MAX_LINE);
  outcome.polluted = isPolluted();
  return outcome;
}

/** Template names as a file gives them, sometimes with a prototype name as an own key. */
function templateNames(r: Random): Record<string, number> {
  const names: Record<string, number> = { ngf: 64, ndf: 64, num_classes: 35, height: 256, width: 512, batch: 1 };
  if (r.chance(0.3)) defineOwn(names, r.pick(PROTOTYPE_NAMES), r.int(0, 9));
  return names;
}

/**
 * A shipped graph with params changed (paramVariant) and a few wires moved to another real output
 * port, so node rules see kinds and shapes they do not expect. Skips the loader, as an editor does.
 */
function rewiredVariant(base: GraphDocument, registry: NodeRegistry, r: Random): GraphDocument {
  const { doc } = paramVariant(base, registry, r);
  const outputs = doc.nodes.flatMap((n) => {
    const def = registry.get(n.type);
    return def && Array.isArray(def.outputs) ? def.outputs.map((p) => ({ node: n.id, port: p.name })) : [];
  });
  for (let n = r.int(0, 3); n > 0 && doc.edges.length > 0 && outputs.length > 0; n--) r.pick(doc.edges).from = { ...r.pick(outputs) };
  return doc;
}

/** A document straight from the registry: random types, params near and past their limits, random wires. */
export function randomGraph(registry: NodeRegistry, r: Random): GraphDocument {
  const defs = registry.list();
  const count = r.int(1, 12);
  const nodes: GraphNode[] = [];
  for (let i = 0; i < count; i++) {
    const def = r.chance(0.95) ? r.pick(defs) : undefined;
    const params: Record<string, ParamValue> = {};
    for (const [name, p] of Object.entries(def?.params ?? {})) {
      if (!r.chance(0.25)) continue;
      if (p.type === 'int' || p.type === 'float') {
        const lo = p.min ?? -10;
        const hi = p.max ?? 1e6;
        const inRange = [() => lo, () => Math.min(hi, lo + 1), () => r.int(Math.max(lo, -100), Math.min(hi, 100)), () => Math.min(hi, Math.max(lo, 3))];
        const outOfRange = [() => lo - 1, () => hi + 1, () => r.expression(), () => r.extremeNumber()];
        params[name] = r.pick(r.chance(0.7) ? inRange : outOfRange)();
      } else if (p.type === 'enum') {
        params[name] = r.chance(0.8) ? r.pick(p.options) : r.nastyString();
      } else {
        params[name] = r.scalar() as ParamValue;
      }
    }
    if (r.chance(0.1)) defineOwn(params, r.pick(PROTOTYPE_NAMES), r.int(0, 3));
    const id = r.chance(0.05) ? r.pick(PROTOTYPE_NAMES) : `n${i}`;
    nodes.push({ id, type: def?.type ?? r.pick(['future/node', 'constructor']), typeVersion: 1, params, position: { x: 0, y: 0 } });
  }
  const template: Record<string, number> = { num_classes: r.pick([1, 2, 3, 35]), height: r.pick([4, 8, 16, 64]), width: r.pick([4, 8, 16, 128]), ngf: r.pick([1, 4, 64]), ndf: 4 };
  if (r.chance(0.2)) defineOwn(template, r.pick(PROTOTYPE_NAMES), 2);
  // Mostly real wiring: each input port of a node fed from a real output port of an earlier node
  // (so node rules run on surprising kinds and shapes); then a few wires with made-up port names.
  const portNames = ['x', 'y', 'value', 'semantic', 'in0', ...PROTOTYPE_NAMES.slice(0, 3)];
  const edges: GraphDocument['edges'] = [];
  const ports = (i: number, side: 'inputs' | 'outputs'): string[] => {
    const def = registry.get(nodes[i].type);
    if (!def) return [];
    const resolved = resolveParams(def, nodes[i], i, template);
    if (resolved.diagnostics.length > 0) return [];
    try {
      return (side === 'inputs' ? inputPorts(def, resolved.params) : outputPorts(def, resolved.params)).map((p) => p.name);
    } catch {
      return [];
    }
  };
  for (let i = 1; i < nodes.length; i++) {
    for (const port of ports(i, 'inputs')) {
      if (!r.chance(0.85)) continue;
      const source = r.int(0, i - 1);
      const outs = ports(source, 'outputs');
      if (outs.length > 0) edges.push({ from: { node: nodes[source].id, port: r.pick(outs) }, to: { node: nodes[i].id, port } });
    }
  }
  for (let n = r.int(0, 2); n > 0; n--) {
    edges.push({ from: { node: r.pick(nodes).id, port: r.pick(portNames) }, to: { node: r.pick(nodes).id, port: r.pick(portNames) } });
  }
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name: 'fuzz' }, template, nodes, edges, groups: [], comments: [], extra: {} };
}

export interface CorpusTally {
  cases: number;
  byKind: Record<CaseKind, number>;
  crashes: CaseOutcome[];
  polluted: CaseOutcome[];
  unlocated: CaseOutcome[];
  oversized: CaseOutcome[];
  /** Cases over `hangMs`. */
  hangs: CaseOutcome[];
  maxMs: number;
  slowest?: CaseOutcome;
}

export function emptyTally(): CorpusTally {
  return { cases: 0, byKind: { loader: 0, resolver: 0, expression: 0 }, crashes: [], polluted: [], unlocated: [], oversized: [], hangs: [], maxMs: 0 };
}

/** Adds one outcome to the tally (a case over `hangMs` counts as a hang). */
export function addOutcome(tally: CorpusTally, outcome: CaseOutcome, hangMs = 10_000): void {
  tally.cases++;
  tally.byKind[outcome.kind]++;
  if (outcome.crash) tally.crashes.push(outcome);
  if (outcome.unlocated.length > 0) tally.unlocated.push(outcome);
  if (outcome.oversized.length > 0) tally.oversized.push(outcome);
  if (outcome.polluted) tally.polluted.push(outcome);
  if (outcome.ms > hangMs) tally.hangs.push(outcome);
  if (outcome.ms > tally.maxMs) {
    tally.maxMs = outcome.ms;
    tally.slowest = outcome;
  }
}

/** Runs cases [from, from + count) of the corpus; stops early when pollution is seen (it would taint the rest). */
export function runCorpus(options: CorpusOptions & { from?: number; count: number; hangMs?: number }): CorpusTally {
  const tally = emptyTally();
  const from = options.from ?? 0;
  for (let i = from; i < from + options.count; i++) {
    const outcome = runCase(i, options);
    addOutcome(tally, outcome, options.hangMs);
    if (outcome.polluted) break;
  }
  return tally;
}
