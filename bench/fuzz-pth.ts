/**
 * Fuzz of the .pth reader on a fresh corpus (issue 14): N mutated checkpoints (default 10,000;
 * see src/interop/pytorch/fuzz.test-util.ts for the mutations), each read fully, as the CI fuzz
 * test does, here with times and memory. Prints crashes (anything but the reader's located
 * TorchCheckpointError), slow cases, the slowest case, the largest RSS growth over the start,
 * executed payloads and prototype changes. Exit 1 when any crash, slow case or escape is found.
 *   node --import tsx bench/fuzz-pth.ts [--cases N] [--seed S] [--slow-ms MS]
 * A case that never ends would stop this script too: that is a hang, reported by its absence.
 * Then the worst small files we know of, at 2 MB each (or a zip bomb), with their time and RSS growth.
 */
import { escapes, fuzzCase, fuzzSources, runCase, type CaseOutcome } from '../src/interop/pytorch/fuzz.test-util.ts';
import { concat, craftedCheckpoint, picklePth, repeated, u32 } from '../src/interop/pytorch/hostile.test-util.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const cases = Number(flag('cases', '10000'));
const seed = Number(flag('seed', String(Date.now() % 1_000_000)));
const slowMs = Number(flag('slow-ms', '2000'));

const sources = fuzzSources();
const prototype = Object.getOwnPropertyNames(Object.prototype);
const MiB = 2 ** 20;
const baseline = process.memoryUsage().rss;
const stages: Record<CaseOutcome['stage'], number> = { ok: 0, read: 0, state_dict: 0, values: 0 };
const crashes: string[] = [];
const slow: string[] = [];
let slowest = { ms: 0, name: '' };
let maxGrowth = 0;
let maxSize = 0;
let maxInflated = 0;
const started = performance.now();
console.log(`fuzz-pth: ${cases} cases, seed ${seed}, ${sources.length} sources (${sources.map((s) => s.name).join(', ')})`);

for (let i = 0; i < cases; i++) {
  const c = fuzzCase(sources, seed, i);
  const name = `case ${i} (${c.source}: ${c.mutation}, ${c.bytes.length} bytes)`;
  maxSize = Math.max(maxSize, c.bytes.length);
  const t = performance.now();
  try {
    const outcome = runCase(c.bytes);
    stages[outcome.stage]++;
    maxInflated = Math.max(maxInflated, outcome.inflated);
  } catch (e) {
    crashes.push(`${name}: ${(e as Error).message}`);
  }
  const ms = performance.now() - t;
  if (ms > slowest.ms) slowest = { ms, name };
  if (ms > slowMs) slow.push(`${name}: ${ms.toFixed(0)} ms`);
  maxGrowth = Math.max(maxGrowth, process.memoryUsage().rss - baseline);
  if ((i + 1) % 1000 === 0) console.log(`  ${i + 1} cases, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The largest structures a 2 MB pickle can ask for, and a zip bomb: each read once, timed. */
function extremes(): [string, Uint8Array][] {
  const n = 1_000_000;
  const bomb = craftedCheckpoint([{ key: 'w', storage: '0', numel: 3, size: [3], stride: [1] }], { '0': { data: new Uint8Array(64 * MiB), deflate: true, declaredSize: 12 } });
  return [
    ['1M nested lists', picklePth(concat([0x80, 2], repeated(n, 0x5d), repeated(n - 1, 0x61), [0x2e]))],
    ['2M empty lists in one LIST', picklePth(concat([0x80, 2, 0x28], repeated(2 * n, 0x5d), [0x6c, 0x2e]))],
    ['APPENDS of 2M items', picklePth(concat([0x80, 2, 0x5d, 0x28], repeated(2 * n, 0x4e), [0x65, 0x2e]))],
    ['500k nested dicts', picklePth(concat([0x80, 2], repeated(500_000, 0x7d, 0x4b, 1), [0x7d], repeated(500_000, 0x73), [0x2e]))],
    ['a 2 MB LONG4', picklePth(concat([0x80, 2, 0x8b], u32(2 * n), new Uint8Array(2 * n), [0x2e]))],
    [`a deflated record of 64 MiB declaring 12 bytes (${Math.round(bomb.length / 1024)} KiB file)`, bomb],
  ];
}
/** The issue's bound for any input under 2 MB. */
const EXTREME_MS = 10_000;
console.log(`worst known small files (each must finish within ${EXTREME_MS / 1000} s):`);
for (const [what, bytes] of extremes()) {
  const rss = process.memoryUsage().rss;
  const t = performance.now();
  let result = 'read fine';
  try {
    result = runCase(bytes).error?.message.slice(0, 100) ?? 'read fine';
  } catch (e) {
    crashes.push(`${what}: ${(e as Error).message}`);
    result = `CRASH ${(e as Error).message}`;
  }
  const ms = performance.now() - t;
  if (ms > EXTREME_MS) slow.push(`${what}: ${ms.toFixed(0)} ms`);
  const growth = (process.memoryUsage().rss - rss) / MiB;
  console.log(`  ${what}, ${(bytes.length / MiB).toFixed(2)} MiB: ${ms.toFixed(0)} ms, RSS ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB: ${result}`);
}

const escaped = escapes(prototype);
console.log(`outcomes: ${stages.ok} read fine, ${stages.read} refused while reading (all with a byte position), ${stages.state_dict} with no usable state_dict, ${stages.values} refused while decoding values`);
console.log(`crashes (not a located TorchCheckpointError): ${crashes.length}`);
for (const c of crashes.slice(0, 20)) console.log(`  ${c}`);
console.log(`hangs / slow cases (corpus > ${slowMs} ms, worst files > ${EXTREME_MS} ms): ${slow.length}`);
for (const s of slow.slice(0, 20)) console.log(`  ${s}`);
console.log(`slowest case: ${slowest.ms.toFixed(1)} ms, ${slowest.name}`);
console.log(`max RSS growth over the start: ${(maxGrowth / MiB).toFixed(1)} MiB (start ${(baseline / MiB).toFixed(1)} MiB); largest input ${(maxSize / 1024).toFixed(1)} KiB; most bytes inflated by one case ${(maxInflated / 1024).toFixed(1)} KiB`);
console.log(`executed payloads / prototype changes: ${escaped.length}${escaped.length ? `: ${escaped.join('; ')}` : ''}`);
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = crashes.length + slow.length + escaped.length > 0 ? 1 : 0;
