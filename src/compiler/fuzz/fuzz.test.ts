/**
 * The seeded fuzz corpus in CI: 3,000 cases over the loader (mutated shipped graphs), the resolver
 * (random documents from the registry) and the expression evaluator. A failure names the case;
 * `node --import tsx bench/fuzz-graphs.ts --seed 14 --from I --cases 1` replays it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { runCase, runCorpus, type CaseOutcome } from './cases.ts';

const dir = new URL('../../../graphs/', import.meta.url);
const bases = readdirSync(dir)
  .filter((f) => f.endsWith('-tiny.json') || f === 'tiny-pix2pix.json')
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown);
const registry = createRegistry();
const SEED = 14;

const describeCase = (o: CaseOutcome) => `case ${o.index} (${o.kind}): ${o.crash ?? o.unlocated.map((d) => `[${d.code}] ${d.message.slice(0, 100)}`).join('; ')}`;

describe('fuzz corpus (seed 14)', () => {
  // Three slices so a failure says roughly where, and no single test runs long.
  for (const from of [0, 1000, 2000]) {
    it(`cases ${from}..${from + 999}: no crash, no pollution, every diagnostic placed and of bounded length`, () => {
      const tally = runCorpus({ registry, bases, seed: SEED, from, count: 1000 });
      expect(tally.cases).toBe(1000);
      expect(tally.crashes.map(describeCase)).toEqual([]);
      expect(tally.polluted.map(describeCase)).toEqual([]);
      expect(tally.unlocated.map(describeCase)).toEqual([]);
      expect(tally.oversized.map((o) => `case ${o.index}: ${o.oversized[0].slice(0, 160)}`)).toEqual([]);
      // Every kind of case is in the mix.
      expect(Math.min(tally.byKind.loader, tally.byKind.resolver, tally.byKind.expression)).toBeGreaterThan(100);
    });
  }

  it('replays a case exactly from its index', () => {
    const a = runCase(123, { registry, bases, seed: SEED });
    const b = runCase(123, { registry, bases, seed: SEED });
    expect({ ...a, ms: 0 }).toEqual({ ...b, ms: 0 });
  });
});
