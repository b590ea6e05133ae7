import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cli.test-util.ts';

const graph = (name: string) => new URL(`../../../graphs/${name}`, import.meta.url).pathname;
const full = graph('lggan-cityscapes.json');
const ablation = (name: string) => graph(`ablation-cityscapes-${name}.json`);
const temp = tempDir('lggan-diff-');
afterAll(temp.cleanup);

/** Writes a changed copy of a shipped graph into the temp dir. */
function variant(name: string, from: string, change: (doc: any) => void): string {
  const doc = JSON.parse(readFileSync(from, 'utf8'));
  change(doc);
  const file = join(temp.dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe('lggan diff', () => {
  it('exits 0 and says so when the graphs are equal, cosmetic changes included', async () => {
    const moved = variant('moved.json', full, (doc) => {
      for (const n of doc.nodes) n.position.x += 40;
      doc.nodes[0].title = 'another title';
      doc.meta.name = 'renamed';
      doc.groups.push({ id: 'grp', title: 'a group', nodes: ['encoder'] });
    });
    const r = await cli(['diff', full, moved]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toMatch(/^no differences/);
    expect(r.out.filter((l) => /^[-+~] /.test(l))).toEqual([]);
  });

  it('exits 1 with one review line per change, then the totals per network', async () => {
    const r = await cli(['diff', full, ablation('fixed-fusion')]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([]);
    expect(r.out.slice(0, 6)).toEqual([
      `--- ${full} "LGGAN Cityscapes"`,
      `+++ ${ablation('fixed-fusion')} "LGGAN Cityscapes — fixed-fusion"`,
      '- node out_attention (core/output)',
      '~ node fusion (lggan/attention-fusion) param mode: "attention" → "fixed"',
      '- wire encoder.x_encode → fusion.x_encode',
      '- wire fusion.attention → out_attention.value',
    ]);
    const table = r.out.slice(7, 12);
    expect(table[0].split(/\s{2,}/)).toEqual(['network', 'params A', 'params B', 'change', 'mult-adds A', 'mult-adds B', 'change']);
    expect(table[2]).toMatch(/^D\s+5,601,410\s+5,601,410\s+=\s+10\.49 G\s+10\.49 G\s+=$/);
    expect(table[3]).toMatch(/^G\s+111,123,495\s+110,754,533\s+-368,962\s/);
    expect(r.out.at(-1)).toBe('1 node removed, 1 node changed, 2 wires removed');
  });

  it('shows an expression param with its evaluated values, and a renamed node as a rename', async () => {
    const b = variant('edited.json', graph('tiny-pix2pix.json'), (doc) => {
      doc.nodes.find((n: any) => n.id === 'down').params.out_channels = 'ngf*4';
      doc.nodes.find((n: any) => n.id === 'res1').id = 'res_a';
      for (const e of doc.edges) for (const end of [e.from, e.to]) if (end.node === 'res1') end.node = 'res_a';
      for (const g of doc.groups) g.nodes = g.nodes.map((id: string) => (id === 'res1' ? 'res_a' : id));
    });
    const r = await cli(['diff', graph('tiny-pix2pix.json'), b]);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => /^[-+~] /.test(l))).toEqual([
      '~ node down (core/conv2d) param out_channels: "ngf*2" (= 16) → "ngf*4" (= 32)',
      '~ node res1 renamed to res_a (core/residual-block, same content)',
    ]);
  });

  it('--json: a stable document whose totals match lggan inspect --json for each shipped ablation', async () => {
    const inspectFull = JSON.parse((await cli(['inspect', full, '--json'])).out.join('\n'));
    for (const name of ['fixed-fusion', 'global-only', 'local-only', 'no-classification', 'sau-label-gated', 'sau']) {
      const r = await cli(['diff', full, ablation(name), '--json']);
      expect(r.code).toBe(1);
      const json = JSON.parse(r.out.join('\n'));
      expect(Object.keys(json)).toEqual(['version', 'a', 'b', 'equal', 'batch', 'template', 'init', 'nodes', 'wires', 'networks']);
      expect(json).toMatchObject({ version: 1, a: { file: full, name: 'LGGAN Cityscapes', errors: 0 }, b: { file: ablation(name), errors: 0 }, equal: false, batch: 1 });
      expect(Object.keys(json.nodes)).toEqual(['added', 'removed', 'changed']);
      expect(Object.keys(json.wires)).toEqual(['added', 'removed']);
      const inspectVariant = JSON.parse((await cli(['inspect', ablation(name), '--json'])).out.join('\n'));
      for (const n of json.networks) {
        const [a, b] = n.network === 'all' ? [inspectFull.total, inspectVariant.total] : [inspectFull.networks[n.network], inspectVariant.networks[n.network]];
        expect(n.a, `${name} ${n.network} A`).toEqual({ params: a.params, macs: a.macs });
        expect(n.b, `${name} ${n.network} B`).toEqual({ params: b.params, macs: b.macs });
      }
    }
  });

  it('--json of equal graphs: equal true, empty lists, exit 0', async () => {
    const r = await cli(['diff', graph('tiny-pix2pix.json'), graph('tiny-pix2pix.json'), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out.join('\n'));
    expect(json).toMatchObject({ equal: true, template: [], init: [], nodes: { added: [], removed: [], changed: [] }, wires: { added: [], removed: [] } });
  });

  it('exits 2 on a wrong command line', async () => {
    expect(await cli(['diff', full])).toMatchObject({ code: 2, err: ['lggan diff: diff takes exactly two graph files (A and B), got 1'] });
    expect((await cli(['diff', full, full, '--color'])).code).toBe(2);
    expect((await cli(['diff', full, full, '--batch', '0'])).code).toBe(2);
  });

  it('exits 2 on a file it cannot read or load, naming the file and the place', async () => {
    const missing = join(temp.dir, 'missing.json');
    expect(await cli(['diff', full, missing])).toMatchObject({ code: 2, out: [], err: [`error cannot read '${missing}': no such file`] });
    const broken = join(temp.dir, 'broken.json');
    writeFileSync(broken, '{\n  "format": "lggan-studio.graph",\n  "version": 1,\n  "nodes": [,]\n}\n');
    const r = await cli(['diff', broken, full]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(/^.*:\d+:\d+: error: \[json-syntax\] /);
    expect(r.err[0]).toContain(`${broken}:4:13:`);
    const newer = variant('newer.json', full, (doc) => (doc.version = 7));
    const v = await cli(['diff', full, newer]);
    expect(v.code).toBe(2);
    expect(v.err[0]).toMatch(/^.*newer\.json:\d+:\d+: error: \[newer-version\] /);
  });

  it('--help prints its usage', async () => {
    const r = await cli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('usage: lggan diff A B [options]');
    expect(r.out).toContain('exit codes as diff(1): 0 equal, 1 different, 2 bad input or usage, 70 internal error');
    expect(r.out).toContain('      --batch N  batch size the mult-adds are counted at (default: 1)');
  });
});
