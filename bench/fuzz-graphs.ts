/**
 * A fresh fuzz corpus over the graph loader, the resolver and the template-expression evaluator
 * (src/compiler/fuzz/): prints how many cases crashed, hung, polluted Object.prototype, gave an
 * unlocated diagnostic or echoed a long string whole in one, and the slowest case.
 *
 *   node --import tsx bench/fuzz-graphs.ts [--seed S] [--cases N] [--from I]
 *
 * Defaults: a seed from the clock, 10,000 cases from 0. Replay one case with --from I --cases 1
 * and the same seed. The cases run in a worker thread; one that runs past 10 s is a hang: the
 * worker is ended and a fresh one goes on with the next case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRegistry } from '../nodes/index.ts';
import { MAX_LINE, addOutcome, caseKind, emptyTally, runCase, type CaseOutcome, type CorpusTally } from '../src/compiler/fuzz/cases.ts';

const HANG_MS = 10_000;
/** A worker does not inherit tsx's loader: it registers it, then loads this file as the worker. */
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;

interface Job {
  seed: number;
  from: number;
  to: number;
}

type Message = { type: 'start'; index: number } | { type: 'done'; outcome: CaseOutcome };

function shippedGraphs(): unknown[] {
  const dir = new URL('../graphs/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown);
}

/** In the worker: run the job's cases in order, announcing each before it starts. */
function work(job: Job): void {
  const options = { registry: createRegistry(), bases: shippedGraphs(), seed: job.seed };
  for (let index = job.from; index < job.to; index++) {
    parentPort!.postMessage({ type: 'start', index } satisfies Message);
    const outcome = runCase(index, options);
    parentPort!.postMessage({ type: 'done', outcome } satisfies Message);
    if (outcome.polluted) return; // the rest would run in a tainted realm
  }
}

/** In the main thread: run [from, to) in workers, replacing a worker that hangs on a case. */
function runWatched(seed: number, from: number, to: number): Promise<CorpusTally> {
  const tally = emptyTally();
  return new Promise((resolve, reject) => {
    const start = (first: number) => {
      if (first >= to) return resolve(tally);
      const worker = new Worker(BOOT, { eval: true, workerData: { seed, from: first, to } satisfies Job });
      let current = first;
      let watchdog: NodeJS.Timeout | undefined;
      let hung = false;
      worker.on('message', (m: Message) => {
        clearTimeout(watchdog);
        if (m.type === 'start') {
          current = m.index;
          watchdog = setTimeout(() => {
            hung = true;
            tally.cases++;
            tally.hangs.push({ kind: caseKind(current, seed), index: current, unlocated: [], oversized: [], ms: HANG_MS, size: 0 });
            void worker.terminate();
          }, HANG_MS);
        } else {
          addOutcome(tally, m.outcome, HANG_MS);
          if (m.outcome.polluted) {
            void worker.terminate();
            resolve(tally);
          }
        }
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        clearTimeout(watchdog);
        if (hung) start(current + 1);
        else if (tally.polluted.length === 0) resolve(tally);
      });
    };
    start(from);
  });
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a whole number ≥ 0, got ${process.argv[at + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const seed = flag('seed', Date.now() % 2 ** 31);
  const count = flag('cases', 10_000);
  const from = flag('from', 0);
  const started = performance.now();
  const tally = await runWatched(seed, from, from + count);
  const seconds = (performance.now() - started) / 1000;

  const show = (o: CaseOutcome) => `  case ${o.index} (${o.kind}, ${o.size} chars, ${o.ms.toFixed(1)} ms)`;
  console.log(`fuzz corpus: seed ${seed}, cases ${from}..${from + count - 1}: ${tally.cases} run (loader ${tally.byKind.loader}, resolver ${tally.byKind.resolver}, expression ${tally.byKind.expression}) in ${seconds.toFixed(1)} s`);
  console.log(`crashes: ${tally.crashes.length}`);
  for (const o of tally.crashes.slice(0, 10)) console.log(`${show(o)}: ${o.crash}`);
  console.log(`hangs (> ${HANG_MS / 1000} s): ${tally.hangs.length}${tally.hangs.length ? ` (cases ${tally.hangs.map((o) => o.index).join(', ')})` : ''}`);
  console.log(`Object.prototype polluted: ${tally.polluted.length}${tally.polluted.length ? ` (stopped at case ${tally.polluted[0].index})` : ''}`);
  console.log(`cases with an unlocated diagnostic: ${tally.unlocated.length}`);
  for (const o of tally.unlocated.slice(0, 10)) console.log(`${show(o)}: [${o.unlocated[0].code}] ${o.unlocated[0].message.slice(0, 120)}`);
  console.log(`cases with a diagnostic line over ${MAX_LINE} characters: ${tally.oversized.length}`);
  for (const o of tally.oversized.slice(0, 10)) console.log(`${show(o)}: ${o.oversized[0].slice(0, 160)}`);
  console.log(`max time per case: ${tally.maxMs.toFixed(1)} ms${tally.slowest ? ` (${show(tally.slowest).trim()})` : ''}`);
  const failed = tally.crashes.length + tally.hangs.length + tally.polluted.length + tally.unlocated.length + tally.oversized.length;
  process.exitCode = failed > 0 ? 1 : 0;
}

if (isMainThread) await main();
else work(workerData as Job);
