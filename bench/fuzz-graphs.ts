/**
 * A fresh fuzz corpus over the graph loader, the resolver and the template-expression evaluator
 * (src/compiler/fuzz/): prints how many cases crashed, hung (over 10 s), polluted Object.prototype
 * gave an unlocated diagnostic or echoed a long string whole in one, and the slowest case.
 *
 *   node --import tsx bench/fuzz-graphs.ts [--seed S] [--cases N]     (defaults: a seed from the clock, 10,000 cases)
 *
 * Replay one case with --from I --cases 1 and the same seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRegistry } from '../nodes/index.ts';
import { MAX_LINE, runCorpus, type CaseOutcome } from '../src/compiler/fuzz/cases.ts';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a whole number ≥ 0, got ${process.argv[at + 1]}`);
  return value;
}

const seed = flag('seed', Date.now() % 2 ** 31);
const count = flag('cases', 10_000);
const from = flag('from', 0);
const dir = new URL('../graphs/', import.meta.url);
const bases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown);

const started = performance.now();
const tally = runCorpus({ registry: createRegistry(), bases, seed, from, count });
const seconds = (performance.now() - started) / 1000;

const show = (o: CaseOutcome) => `  case ${o.index} (${o.kind}, ${o.size} chars, ${o.ms.toFixed(1)} ms)`;
console.log(`fuzz corpus: seed ${seed}, cases ${from}..${from + tally.cases - 1} (loader ${tally.byKind.loader}, resolver ${tally.byKind.resolver}, expression ${tally.byKind.expression}) in ${seconds.toFixed(1)} s`);
console.log(`crashes: ${tally.crashes.length}`);
for (const o of tally.crashes.slice(0, 10)) console.log(`${show(o)}: ${o.crash}`);
console.log(`hangs (> 10 s): ${tally.hangs.length}`);
console.log(`Object.prototype polluted: ${tally.polluted.length}${tally.polluted.length ? ` (stopped at case ${tally.polluted[0].index})` : ''}`);
console.log(`cases with an unlocated diagnostic: ${tally.unlocated.length}`);
for (const o of tally.unlocated.slice(0, 10)) console.log(`${show(o)}: [${o.unlocated[0].code}] ${o.unlocated[0].message.slice(0, 120)}`);
console.log(`cases with a diagnostic line over ${MAX_LINE} characters: ${tally.oversized.length}`);
for (const o of tally.oversized.slice(0, 10)) console.log(`${show(o)}: ${o.oversized[0].slice(0, 160)}`);
console.log(`max time per case: ${tally.maxMs.toFixed(1)} ms${tally.slowest ? ` (${show(tally.slowest).trim()})` : ''}`);
const failed = tally.crashes.length + tally.hangs.length + tally.polluted.length + tally.unlocated.length + tally.oversized.length;
process.exitCode = failed > 0 ? 1 : 0;
