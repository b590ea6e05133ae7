import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { exportPytorchPackage } from '../../interop/pytorch-export/index.ts';
import { pytorchZip } from './pytorch-zip.ts';

const registry = createRegistry();

function shipped(name: string): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL(`../../../graphs/${name}`, import.meta.url), 'utf8'), { registry, file: name });
  if (!loaded.ok) throw new Error(`${name} does not load`);
  return loaded.doc;
}

describe('PyTorch export as a zip', () => {
  it('zips every file of the package, byte for byte, named after the graph', () => {
    const doc = shipped('tiny-pix2pix.json');
    const result = pytorchZip(doc, registry);
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
    expect(result.fileName).toBe(`${doc.meta.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}-pytorch.zip`);
    const files = exportPytorchPackage(doc, registry);
    expect(result.entries).toEqual([...files.keys()]);
    expect(result.entries).toEqual(expect.arrayContaining(['train.py', 'model.py', 'config.json', 'graph.lggan.json', 'lggan_torch/layers.py']));
    const unzipped = unzipSync(result.bytes);
    expect(Object.keys(unzipped).sort()).toEqual([...files.keys()].sort());
    for (const [path, content] of files) expect(strFromU8(unzipped[path]), path).toBe(typeof content === 'string' ? content : strFromU8(content));
  });

  it('gives the same bytes for the same graph', () => {
    const doc = shipped('tiny-pix2pix.json');
    const a = pytorchZip(doc, registry);
    const b = pytorchZip(doc, registry);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it('names the node a placeholder cannot be exported for', () => {
    const doc = shipped('tiny-pix2pix.json');
    const changed = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'enc_act' ? { ...n, type: 'foreign/Mystery' } : n)) };
    const result = pytorchZip(changed, registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'unexportable-node', where: { node: 'enc_act' } });
    expect(result.diagnostics[0].message).toContain("node 'enc_act' (foreign/Mystery) cannot be exported to PyTorch");
  });

  it('refuses a graph with errors with the compiler’s own diagnostics, places included', () => {
    const doc = shipped('tiny-pix2pix.json');
    const broken = { ...doc, edges: doc.edges.filter((e) => !(e.to.node === 'down' && e.to.port === 'x')) };
    const result = pytorchZip(broken, registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ where: expect.objectContaining({ node: 'down', port: 'x' }) }));
  });

  it('refuses a graph without networks with the exporter’s reason', () => {
    const doc = shipped('tiny-pix2pix.json');
    const result = pytorchZip({ ...doc, nodes: [], edges: [], groups: [] }, registry);
    expect(result).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'export-failed', message: 'the graph has no network nodes to export' })] });
  });
});
