import { describe, expect, it } from 'vitest';
import { chain, fakeRegistry } from './fixtures.test-util.ts';
import { compileDocument, openProgram, openProgramOrThrow, OpenProgramError, orThrow, resolveDocument } from './open-program.ts';

const registry = fakeRegistry();

describe('the door from a document to a program', () => {
  it('opens a document into a compiled program with the graph init and the seed asked for', () => {
    const opened = openProgram({ doc: chain() }, { registry, batch: 2, seed: 99 });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    try {
      expect(opened.ir.batch).toBe(2);
      expect(opened.init.seed).toBe(99);
      expect(opened.program.variables.size).toBeGreaterThan(0);
    } finally {
      opened.program.dispose();
    }
  });

  it('refuses a value that is not a graph at the load stage, naming the field', () => {
    const opened = openProgram({ value: { format: 'lggan-studio.graph', version: 2, nodes: 'none' } }, { registry });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.stage).toBe('load');
    expect(opened.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('refuses a graph with a resolve error before compiling, with the node named', () => {
    const doc = chain();
    doc.edges = doc.edges.slice(1); // the first node after the input loses its input
    const resolved = resolveDocument({ doc }, { registry });
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.stage).toBe('resolve');
    expect(resolved.diagnostics.find((d) => d.severity === 'error')?.where.node).toBeDefined();
  });

  it('picks the batch with chooseBatch when none is given, and ignores it when one is', () => {
    const chosen = resolveDocument({ doc: chain() }, { registry, chooseBatch: () => 5 });
    const given = resolveDocument({ doc: chain() }, { registry, batch: 3, chooseBatch: () => 5 });
    expect(chosen.ok && chosen.ir.batch).toBe(5);
    expect(given.ok && given.ir.batch).toBe(3);
  });

  it('refuses a graph over the memory budget before allocating, with the host hint appended', () => {
    const resolved = resolveDocument({ doc: chain() }, { registry, batch: 1000, memory: { training: true, limits: { backend: 'wasm', totalBytes: 1024 }, hint: () => ' (try cpu)' } });
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.stage).toBe('memory');
    const error = resolved.diagnostics.find((d) => d.severity === 'error')!;
    expect(error.code).toBe('memory');
    expect(error.message).toMatch(/\(try cpu\)$/);
    expect(() => orThrow(resolved)).toThrow(OpenProgramError);
    try {
      orThrow(resolved);
    } catch (e) {
      // A memory refusal reads as its sentence alone: the worker shows it as a settings problem.
      expect((e as OpenProgramError).message).toBe(error.message);
      expect((e as OpenProgramError).stage).toBe('memory');
    }
  });

  it('compiles a resolved document in a second step, so a host can free memory in between', () => {
    const resolved = orThrow(resolveDocument({ doc: chain() }, { registry }));
    const compiled = orThrow(compileDocument(resolved));
    expect(compiled.ir).toBe(resolved.ir);
    compiled.program.dispose();
  });

  it('throws a load refusal with every error formatted', () => {
    expect(() => openProgramOrThrow({ value: 42 }, { registry })).toThrow(OpenProgramError);
  });
});
