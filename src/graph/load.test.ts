import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../nodes/registry.ts';
import { findJsonSyntaxError, lineColumn, parseJsonText } from './json-text.ts';
import { type LoadResult, loadGraph, loadGraphValue } from './load.ts';
import { saveGraph, saveGraphFile } from './save.ts';
import { MAX_SCHEMA_REF } from './document.ts';
import { Gen, fakeDef, randomDoc, sampleDoc } from './test-fixtures.test-util.ts';

function errorsOf(result: LoadResult) {
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error');
}

function only(result: LoadResult) {
  const errors = errorsOf(result);
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('JSON syntax errors', () => {
  it.each<[string, string, number, number, RegExp]>([
    ['a trailing comma', '{\n  "a": [1, 2,]\n}', 2, 14, /trailing comma before '\]'/],
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 3, 1, /trailing comma before '\}'/],
    ['a misspelt literal', '{\n  "a": tru\n}', 2, 8, /unexpected "t"; expected a value/],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ',' or '\}' after a property value, found "\\""/],
    ['a single-quoted key', "{'a': 1}", 1, 2, /expected a property name in double quotes/],
    ['a raw newline in a string', '{"a": "x\ny"}', 1, 9, /control character inside a string/],
    ['a bad escape', '{"a": "\\q"}', 1, 9, /bad escape \\q/],
    ['a leading zero', '[01]', 1, 3, /leading zeros/],
    ['text after the document', '{}\n{}', 2, 1, /unexpected "\{" after the end of the document/],
    ['CRLF line ends', '{\r\n  "a": 1,\r\n  "b": x\r\n}', 3, 8, /unexpected "x"/],
    ['a BOM before the error', '\ufeff{\n  x', 2, 3, /property name/],
  ])('%s: one error at line and column', (_, text, line, column, message) => {
    const d = only(loadGraph(text, { file: 'bad.json' }));
    expect(d).toEqual({ severity: 'error', code: 'json-syntax', message: expect.stringMatching(message), where: { file: 'bad.json', line, column } });
    expect(d.message.startsWith('JSON syntax error: ')).toBe(true);
  });

  it('reports a truncated file at the end of its last line', () => {
    const text = saveGraph(sampleDoc());
    const cut = text.slice(0, text.indexOf('"ngf"') - 1); // ends "…"width": 512," + newline + spaces
    const lines = cut.trimEnd().split('\n');
    const d = only(loadGraph(cut));
    expect(d.code).toBe('json-syntax');
    expect(d.message).toMatch(/ends too early \(truncated JSON\?\)/);
    expect(d.where).toEqual({ line: lines.length, column: lines[lines.length - 1].length + 1 });
    expect(only(loadGraph('{"a": "abc')).where).toEqual({ line: 1, column: 11 });
    expect(only(loadGraph('[1, 2\n\n')).where).toEqual({ line: 1, column: 6 });
  });

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\t\r\n '],
    ['only a BOM', '\ufeff'],
  ])('reports an %s file as empty', (_, text) => {
    const d = only(loadGraph(text, { file: 'x.json' }));
    expect(d).toEqual({ severity: 'error', code: 'empty-file', message: expect.stringMatching(/file is empty; expected a graph document/), where: { file: 'x.json', line: 1, column: 1 } });
  });

  it('accepts a file starting with a BOM', () => {
    expect(loadGraph('\ufeff' + saveGraph(sampleDoc())).ok).toBe(true);
  });

  it('lineColumn counts 1-based lines and columns', () => {
    expect(lineColumn('ab\ncd\r\nef\rgh', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\r\nef\rgh', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\r\nef\rgh', 8)).toEqual({ line: 3, column: 2 });
    expect(lineColumn('ab\ncd\r\nef\rgh', 10)).toEqual({ line: 4, column: 1 });
  });

  it('the syntax scanner agrees with JSON.parse on thousands of mangled documents', () => {
    const g = new Gen(4242);
    let compared = 0;
    let samePosition = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const base = saveGraph(randomDoc(seed));
      for (let k = 0; k < 20; k++) {
        const at = g.int(0, base.length);
        const ch = g.pick(['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '1', '-', '.', 'e', ' ', '\n', 't', '\u0001']);
        const text = [base.slice(0, at) + base.slice(at + 1), base.slice(0, at) + ch + base.slice(at), base.slice(0, at)][g.int(0, 2)];
        let v8Error: string | undefined;
        try {
          JSON.parse(text);
        } catch (e) {
          v8Error = (e as Error).message;
        }
        const mine = findJsonSyntaxError(text);
        expect(mine === null, text).toBe(v8Error === undefined);
        const v8At = v8Error && /at position (\d+)/.exec(v8Error);
        if (mine && v8At) {
          compared++;
          if (Number(v8At[1]) === mine.offset) samePosition++;
        }
        if (mine) expect(parseJsonText(text).ok).toBe(false);
      }
    }
    // V8 points one token later in rare cases ("nul" followed by a string); otherwise the same.
    expect(samePosition / compared).toBeGreaterThan(0.98);
  });
});

describe('format and version', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a missing format', { version: 1, nodes: [] }, '', /^not an LGGAN Studio graph: it has no 'format' field, expected "lggan-studio.graph"$/],
    ['another format', { format: 'comfyui.workflow', version: 1 }, '/format', /^not an LGGAN Studio graph: its format is the string "comfyui.workflow", expected "lggan-studio.graph"$/],
  ])('refuses %s', (_, doc, pointer, message) => {
    const d = only(loadGraphValue(doc));
    expect(d).toMatchObject({ code: 'wrong-format', where: { pointer } });
    expect(d.message).toMatch(message);
  });

  it('refuses a document that is not an object', () => {
    expect(only(loadGraph('[1]'))).toMatchObject({ code: 'wrong-type', where: { pointer: '' } });
    expect(only(loadGraph('"lggan"'))).toMatchObject({ code: 'wrong-type', message: expect.stringMatching(/got the string "lggan"/) });
  });

  it.each<[string, unknown, string, string, RegExp]>([
    ['a missing version', undefined, 'bad-version', '', /missing field 'version': expected the integer format version \(this build reads up to 2\)/],
    ['a string version', '1', 'bad-version', '/version', /version must be a whole number ≥ 0, got the string "1"/],
    ['a fractional version', 1.5, 'bad-version', '/version', /got the number 1.5/],
    ['a negative version', -1, 'bad-version', '/version', /got the number -1/],
    ['a newer version', 3, 'newer-version', '/version', /^made by a newer LGGAN Studio \(format version 3, this build reads up to 2\)$/],
  ])('refuses %s', (_, version, code, pointer, message) => {
    const doc = { ...JSON.parse(saveGraph(sampleDoc())), version };
    const d = only(loadGraphValue(doc, { file: 'f.json' }));
    expect(d).toEqual({ severity: 'error', code, message: expect.stringMatching(message), where: { file: 'f.json', pointer } });
  });
});

describe('loading', () => {
  it('loads a valid document with no diagnostics and no migratedFrom', () => {
    const result = loadGraph(saveGraph(sampleDoc()));
    expect(result).toEqual({ ok: true, doc: sampleDoc(), diagnostics: [] });
  });

  it('loadGraphValue returns a document that shares nothing with its input', () => {
    const input = JSON.parse(saveGraph(sampleDoc()));
    const result = loadGraphValue(input);
    expect(result.ok).toBe(true);
    input.nodes[1].params.kernel = 99;
    input.extra.editor.zoom = 3;
    expect(result.ok && result.doc).toEqual(sampleDoc());
  });

  it('keeps "__proto__" keys as plain data', () => {
    const text = saveGraph(sampleDoc()).replace('"kernel": 7', '"__proto__": { "polluted": true }, "kernel": 7');
    for (const result of [loadGraph(text), loadGraphValue(JSON.parse(text))]) {
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const params = result.doc.nodes[1].params;
      expect(Object.keys(params)).toContain('__proto__');
      expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(saveGraph(result.doc)).toBe(text.replace('"__proto__": { "polluted": true }, ', '"__proto__": {\n          "polluted": true\n        },\n        '));
    }
  });

  it('never throws, whatever it is given', () => {
    const hostile = JSON.parse(saveGraph(sampleDoc()));
    Object.defineProperty(hostile, 'nodes', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    for (const input of [undefined, null, 42, 'x', Symbol('s'), () => 1, new Map(), hostile]) {
      const result = loadGraphValue(input, { file: 'h' });
      expect(result.ok).toBe(false);
      expect(result.diagnostics.every((d) => d.where.file === 'h')).toBe(true);
    }
    expect(loadGraph(42 as unknown as string).diagnostics[0]).toMatchObject({ code: 'wrong-type' });
    expect(loadGraphValue(hostile).diagnostics[0]).toMatchObject({ code: 'internal-error', message: expect.stringMatching(/boom/) });
  });
});

describe('node typeVersion migration through the registry', () => {
  function oldConvDoc(typeVersion: number) {
    const doc = JSON.parse(saveGraph(sampleDoc()));
    doc.nodes[1].typeVersion = typeVersion; // enc1: { filters: 'ngf', kernel: 7, padding: 'reflect' }
    return doc;
  }
  const calls: [Record<string, unknown>, number][] = [];
  const conv = fakeDef('core/conv2d', 3, (params, from) => {
    calls.push([params, from]);
    const { kernel, ...rest } = params;
    params.mutated = true; // a careless migrate must not reach the caller's data
    return from < 3 ? { ...rest, kernel_size: kernel } : params;
  });
  const registry = () => new NodeRegistry([conv, fakeDef('core/semantic-input', 1), fakeDef('lggan/attention-fusion', 2), fakeDef('core/patch-discriminator', 1)]);

  it('upgrades old params with migrate and reports each upgraded node', () => {
    calls.length = 0;
    const input = oldConvDoc(1);
    const result = loadGraphValue(input, { registry: registry(), file: 'g.json' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(calls.map((c) => c[1])).toEqual([1, 1]); // enc1 and enc2
    expect(result.doc.nodes[1]).toMatchObject({ id: 'enc1', typeVersion: 3, params: { filters: 'ngf', padding: 'reflect', kernel_size: 7 } });
    expect(result.doc.nodes[1].params).not.toHaveProperty('kernel');
    expect(input.nodes[1].params).toEqual({ filters: 'ngf', kernel: 7, padding: 'reflect' });
    // enc2 is also core/conv2d v1, and fuse is v1 of a type now at v2 without migrate.
    expect(result.doc.nodes[2]).toMatchObject({ typeVersion: 3, params: { filters: 'ngf*2', stride: 2, kernel_size: 3 } });
    expect(result.doc.nodes[3]).toMatchObject({ typeVersion: 2, params: {} });
    expect(result.diagnostics).toEqual([
      { severity: 'warning', code: 'node-migrated', message: 'core/conv2d upgraded from version 1 to 3', where: { file: 'g.json', pointer: '/nodes/1/typeVersion', node: 'enc1' } },
      expect.objectContaining({ code: 'node-migrated', where: expect.objectContaining({ node: 'enc2' }) }),
      expect.objectContaining({ code: 'node-migrated', message: 'lggan/attention-fusion upgraded from version 1 to 2', where: expect.objectContaining({ node: 'fuse' }) }),
    ]);
    // The upgraded document saves at the new versions and loads back unchanged.
    const again = loadGraph(saveGraph(result.doc), { registry: registry() });
    expect(again).toEqual({ ok: true, doc: result.doc, diagnostics: [] });
  });

  it('refuses a node newer than its type, naming the node', () => {
    const d = only(loadGraphValue(oldConvDoc(4), { registry: registry() }));
    expect(d).toEqual({
      severity: 'error',
      code: 'newer-node-version',
      message: "node 'enc1' has core/conv2d version 4, but this build knows it only up to version 3",
      where: { pointer: '/nodes/1/typeVersion', node: 'enc1' },
    });
  });

  it('reports a migrate that throws or returns something that is not params', () => {
    const doc = oldConvDoc(1);
    doc.nodes[2].type = 'core/other';
    const throwing = fakeDef('core/conv2d', 2, () => {
      throw new Error('cannot convert');
    });
    const bad = fakeDef('core/other', 2, () => [1] as unknown as Record<string, unknown>);
    const result = loadGraphValue(doc, { registry: new NodeRegistry([throwing, bad]) });
    expect(errorsOf(result).map((d) => [d.code, d.where.node, d.message])).toEqual([
      ['node-migration-failed', 'enc1', 'upgrading core/conv2d from version 1 to 2 failed: cannot convert'],
      ['node-migration-failed', 'enc2', 'upgrading core/other from version 1 gave params that are not a JSON object'],
    ]);
  });

  it('keeps unknown types as placeholders and warns only when it has a registry', () => {
    const doc = oldConvDoc(1);
    const withRegistry = loadGraphValue(doc, { registry: new NodeRegistry([conv]) });
    expect(withRegistry.ok).toBe(true);
    expect(withRegistry.diagnostics.filter((d) => d.code === 'unknown-node-type').map((d) => [d.where.node, d.where.pointer])).toEqual([
      ['label', '/nodes/0/type'],
      ['fuse', '/nodes/3/type'],
      ['D.patch', '/nodes/4/type'],
    ]);
    const without = loadGraphValue(doc);
    expect(without).toMatchObject({ ok: true, diagnostics: [] });
    expect(without.ok && without.doc.nodes[1].typeVersion).toBe(1);
  });
});

describe('$schema', () => {
  const text = (schema: unknown) => JSON.stringify({ $schema: schema, ...JSON.parse(saveGraph(sampleDoc())) });

  it('is accepted and ignored: the document is the one saved without it', () => {
    const loaded = loadGraph(text('../public/schema/graph-v2.schema.json'));
    expect(loaded.ok && loaded.diagnostics).toEqual([]);
    expect(loaded.ok && saveGraph(loaded.doc)).toBe(saveGraph(sampleDoc()));
    expect(loaded.ok && Object.hasOwn(loaded.doc, '$schema')).toBe(false);
  });

  it('saveGraphFile writes it first and loading gives back the document', () => {
    const file = saveGraphFile(sampleDoc(), 'https://example.org/schema/graph-v2.schema.json');
    expect(Object.keys(JSON.parse(file))[0]).toBe('$schema');
    const loaded = loadGraph(file);
    expect(loaded.ok && saveGraph(loaded.doc)).toBe(saveGraph(sampleDoc()));
  });

  it.each([[42], [null], [{ a: 1 }], ['x'.repeat(MAX_SCHEMA_REF + 1)]])('refuses a schema reference that is not a short string (case %#)', (schema) => {
    const loaded = loadGraph(text(schema), { file: 'g.json' });
    expect(loaded.ok).toBe(false);
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'bad-schema-ref', where: { pointer: '/$schema', file: 'g.json' } });
  });
});
