/** `lggan convert`, called directly (main.ts registers it): both directions, detection, errors. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { loadGraph } from '../../graph/load.ts';
import { tempDir } from '../cli.test-util.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { SCHEMA_FILE } from '../schema-ref.ts';
import { convert } from './convert.ts';

const registry = createRegistry();
const shipped = new URL('../../../graphs/tiny-pix2pix.json', import.meta.url).pathname;
const comfy = new URL('../../interop/litegraph/fixtures/comfy-workflow.json', import.meta.url).pathname;

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')), readFile: (p) => readFile(p, 'utf8') };
  const code = await convert(argv, registry, io);
  return { code, out, err };
}

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('lggan-convert-')));
afterEach(() => cleanup());

describe('lggan convert', () => {
  it('converts our graph to litegraph and back to the same bytes', async () => {
    const lite = join(dir, 'pix2pix.litegraph.json');
    const back = join(dir, 'back.lggan.json');
    const first = await run([shipped, '--to', 'litegraph', '-o', lite]);
    expect(first).toMatchObject({ code: EXIT.ok, err: [] });
    expect(first.out[0]).toBe(`converted ${shipped} (lggan) → ${lite} (litegraph): 23 nodes, 23 edges, 2 groups, 1 comments`);
    const json = JSON.parse(readFileSync(lite, 'utf8'));
    expect(json.links).toHaveLength(23);
    expect(json.nodes[0]).toMatchObject({ type: 'core/semantic-input', properties: { lggan: { id: 'labels' } } });
    const second = await run([lite, '-o', back]); // --to defaults to the other format
    expect(second.code).toBe(EXIT.ok);
    // The same bytes but for `$schema`, which leads from the written file to the schema file.
    const withoutRef = (text: string) => text.replace(/^  "\$schema": .*\n/m, '');
    expect(withoutRef(readFileSync(back, 'utf8'))).toBe(withoutRef(readFileSync(shipped, 'utf8')));
    const ref = JSON.parse(readFileSync(back, 'utf8')).$schema;
    expect(resolve(dirname(back), ref)).toBe(SCHEMA_FILE);
    expect(existsSync(SCHEMA_FILE)).toBe(true);
  });

  it('reads a ComfyUI workflow, reporting unknown node types as warnings, and prints to stdout without -o', async () => {
    const { code, out, err } = await run([comfy, '--to=lggan']);
    expect(code).toBe(EXIT.ok);
    const loaded = loadGraph(out.join('\n'), { registry });
    expect(loaded.ok && loaded.doc.nodes.map((n) => n.type)).toEqual(['core/semantic-input', 'core/conv2d', 'core/activation', 'core/output', 'foreign/KSampler']);
    expect(err[0]).toMatch(/^.*:\d+:\d+: warning: \[unknown-node-type\] node '15' \(\/nodes\/4\/type\): /);
    expect(err[0]).toContain(`${comfy}:`);
    expect(err[0]).toContain(` unknown node type 'foreign/KSampler'; the node is kept as a placeholder and saved unchanged`);
    expect(err[1]).toMatch(/^converted .* \(litegraph\) to lggan: 5 nodes, 3 edges, 1 groups, 1 comments$/);
  });

  it('names the file and JSON place of bad input', async () => {
    const bad = join(dir, 'bad.json');
    const json = JSON.parse(readFileSync(comfy, 'utf8'));
    json.links[0] = [9, 4, 0, 7];
    writeFileSync(bad, JSON.stringify(json));
    const broken = await run([bad, '-o', join(dir, 'x.json')]);
    expect(broken.code).toBe(EXIT.problems);
    expect(broken.err).toEqual([`${bad}:1:${JSON.stringify(json).indexOf('[9,4,0,7]') + 1}: error: [bad-link] (/links/0): link #0 must be [id, origin_id, origin_slot, target_id, target_slot, type], got an array of 4`]);

    writeFileSync(bad, '{"hello": [1, 2]}');
    expect((await run([bad])).err[0]).toMatch(/^.*bad\.json:1:1: error: \[unknown-format\] \(\/\): not a graph this tool reads/);
    writeFileSync(bad, '{"nodes": [}');
    expect((await run([bad])).err[0]).toMatch(/^.*bad\.json:1:12: error: \[json-syntax\] JSON syntax error/);
    expect(await run([join(dir, 'missing.json')])).toMatchObject({ code: EXIT.problems, err: [`error cannot read '${join(dir, 'missing.json')}': no such file`] });
  });

  it('refuses a wrong command line', async () => {
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run([shipped, '--to', 'comfy'])).rejects.toThrow("--to must be one of lggan, litegraph, got 'comfy'");
    await expect(run([shipped, shipped])).rejects.toThrow('convert takes one input file');
  });
});
