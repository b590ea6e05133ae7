/**
 * Seeded fuzz of the .pth reader (issue 14): a few thousand mutations of the fixtures (see
 * fuzz.test-util.ts), each read fully. Every failure must be the reader's TorchCheckpointError
 * (a read error with its byte position), never a TypeError, RangeError or stack overflow; nothing
 * in a file may run or touch Object.prototype; and the work a case can cause is bounded (bytes
 * inflated, elements decoded), checked as counts rather than times. bench/fuzz-pth.ts runs a
 * fresh 10,000-case corpus with times and memory.
 */
import { describe, expect, it } from 'vitest';
import { escapes, fuzzCase, fuzzSources, runCase, type CaseOutcome } from './fuzz.test-util.ts';
import { MAX_BROADCAST_ELEMENTS } from './tensor.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from './zip.ts';

const SEED = 14;
const CASES = 2500;

describe('seeded fuzz of the .pth reader', () => {
  it(`${CASES} mutated checkpoints: only located TorchCheckpointErrors, nothing runs, bounded work`, () => {
    const sources = fuzzSources();
    const prototype = Object.getOwnPropertyNames(Object.prototype);
    const stages: Record<CaseOutcome['stage'], number> = { ok: 0, read: 0, state_dict: 0, values: 0 };
    const mutations = new Set<string>();
    const problems: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = fuzzCase(sources, SEED, i);
      const name = `case ${i} (${c.source}: ${c.mutation})`;
      let outcome: CaseOutcome;
      try {
        outcome = runCase(c.bytes);
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
        continue;
      }
      stages[outcome.stage]++;
      mutations.add(c.mutation.replace(/\d+/g, 'N').replace(/ \+ .*/, '').replace(/ inside .*/, ' inside a record'));
      if (outcome.inflated > DEFAULT_MAX_INFLATED_BYTES) problems.push(`${name}: inflated ${outcome.inflated} bytes`);
      // A small file decodes at most its own bytes' worth of elements plus the broadcasts it may declare.
      if (outcome.elements > c.bytes.length + 64 * MAX_BROADCAST_ELEMENTS) problems.push(`${name}: decoded ${outcome.elements} elements`);
      // Later stages name what they refuse: a key, the checkpoint or the state_dict.
      if (outcome.error && outcome.stage !== 'read' && !/'[^']*'|checkpoint|state_dict/.test(outcome.error.message)) problems.push(`${name}: unnamed error ${outcome.error.message}`);
    }
    expect(problems).toEqual([]);
    expect(escapes(prototype)).toEqual([]);
    // The corpus reaches every stage and every kind of mutation (a fuzz that only hits the CRC check proves little).
    expect(stages.ok).toBeGreaterThan(50);
    expect(stages.read).toBeGreaterThan(CASES / 2);
    expect(stages.state_dict).toBeGreaterThan(5);
    expect(stages.values).toBeGreaterThan(20);
    for (const kind of ['flip', 'truncate', 'splice', 'enlarge', 'enlarge zip sizes', 'N small integers of the pickle enlarged', "state_dict['fuzz'] = lists nested N deep", "state_dict['fuzz'] = a dict containing itself", "state_dict['fuzz'] = a LONGN of N bytes"]) {
      expect([...mutations], kind).toContain(kind);
    }
  }, 120_000);
});
