import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, coreNodes, lgganNodes, NodeRegistry } from '../../../nodes/index.ts';
import type { NodeDef } from '../../../nodes/contract.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { ExportError, UnexportableNodeError, exportPytorchPackage } from './index.ts';
import { planExport } from './plan.ts';
import { learningRateAt } from '../../../nodes/lggan/training/trainer.ts';
import { pythonSourcesModule, readPythonSources } from './embed-python.ts';
import { PYTHON, readShippedGraph, requireTorch, runPython, tempDir, writePackage } from './parity.test-util.ts';

const SHIPPED = [
  'tiny-pix2pix.json',
  'lggan-cityscapes-tiny.json',
  'lggan-ade20k-tiny.json',
  'lggan-crossview-dayton-tiny.json',
  'lggan-cityscapes.json',
  'ablation-cityscapes-sau-label-gated-tiny.json',
  'ablation-cityscapes-fixed-fusion-tiny.json',
  'ablation-cityscapes-global-only-tiny.json',
  'ablation-cityscapes-local-only-tiny.json',
];

const text = (files: Map<string, string | Uint8Array>, path: string) => {
  const content = files.get(path);
  if (typeof content !== 'string') throw new Error(`no text file ${path}`);
  return content;
};

describe('exportPytorchPackage', () => {
  it('has an emitter for every node type of the shipped registry', () => {
    const missing = createRegistry()
      .list()
      .filter((d) => d.pytorch === undefined)
      .map((d) => d.type);
    expect(missing).toEqual([]);
  });

  it('is a pure function of the graph: the same graph gives byte-identical files', () => {
    for (const name of ['lggan-cityscapes-tiny.json', 'lggan-crossview-dayton-tiny.json']) {
      const a = exportPytorchPackage(readShippedGraph(name), createRegistry());
      const b = exportPytorchPackage(readShippedGraph(name), createRegistry());
      expect([...a.keys()]).toEqual([...a.keys()].sort());
      expect([...b.entries()]).toEqual([...a.entries()]);
    }
  });

  it('changes model.py when a size in the graph changes', () => {
    const doc = readShippedGraph('lggan-cityscapes-tiny.json');
    const before = text(exportPytorchPackage(doc, createRegistry()), 'model.py');
    doc.template.ngf = 8;
    const after = text(exportPytorchPackage(doc, createRegistry()), 'model.py');
    expect(before).toContain('nodes.Encoder(in_channels=36, ngf=4,');
    expect(after).toContain('nodes.Encoder(in_channels=36, ngf=8,');
  });

  it('mounts official nodes at their official paths and everything else under the node id', () => {
    const files = exportPytorchPackage(readShippedGraph('ablation-cityscapes-sau-tiny.json'), createRegistry());
    const model = text(files, 'model.py');
    expect(model).toMatch(/self\.mount\("encoder", nodes\.Encoder\([^\n]*\), at=""\)/);
    // SAU stages have no official keys, so the trunk and the fusion keep the studio's names.
    expect(model).toMatch(/self\.mount\("trunk", nodes\.LocalTrunk\([^\n]*upsampling="sau"[^\n]*\), at="trunk"\)/);
    expect(model).toMatch(/self\.mount\("fusion", nodes\.AttentionFusion\([^\n]*\), at="fusion"\)/);
  });

  it('writes the trainer, the sides and the skipped losses into objective.py', () => {
    const objective = text(exportPytorchPackage(readShippedGraph('lggan-crossview-dayton-tiny.json'), createRegistry()), 'objective.py');
    expect(objective).toContain('"order": "d-then-g"');
    expect(objective).toContain('"decay_rule": "pix2pix"');
    expect(objective).toContain(`SIDES = {'G': {"networks": ["G"], "losses": ["g_adv_d1", "g_adv_d2", "g_l1", "g_class_l1", "g_tv"]}, 'D': {"networks": ["D1", "D2"], "losses": ["d_adv_d1", "d_adv_d2"]}}`);
    expect(objective).toContain('"g_vgg": "no VGG19 weights file is set');
    expect(objective).toContain('losses.TvLoss(weight=0.000001, fakes=["fusion:image", "global:image", "local:local"], scale=world_size)');
  });

  it('plans the dataset feeds with the studio planner and says which layouts do not fit', () => {
    const config = JSON.parse(text(exportPytorchPackage(readShippedGraph('lggan-cityscapes-tiny.json'), createRegistry()), 'config.json'));
    expect(config.feeds.cityscapes).toEqual([
      { node: 'labels', fields: ['labels', 'instances'], encode: 'raw', one_hot_channels: null, instance_edge: true },
      { node: 'real', fields: ['real'], encode: 'raw', one_hot_channels: null, instance_edge: false },
    ]);
    expect(config.unfit_layouts.ade20k).toMatch(/labels.*instance_edge is on/);
    expect(config.synthetic.fields).toEqual(['instances', 'labels', 'real']);
    expect(config.size).toEqual({ height: 64, width: 128 });
  });

  it('keeps the embedded Python equal to the python/ files (run embed-python.ts after editing them)', async () => {
    const { PYTHON_SOURCES } = await import('./python-sources.ts');
    expect(PYTHON_SOURCES).toEqual(readPythonSources());
    expect(pythonSourcesModule(readPythonSources()).length).toBeGreaterThan(1000);
  });

  it('exports every shipped graph to Python that compiles', { timeout: 120_000 }, () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const name of SHIPPED) {
        const out = join(dir, name.replace('.json', ''));
        writePackage(readShippedGraph(name), out);
        const compiled = spawnSync(PYTHON, ['-m', 'compileall', '-q', '.'], { cwd: out, encoding: 'utf8' });
        expect(compiled.stderr + compiled.stdout, name).toBe('');
        expect(compiled.status, name).toBe(0);
      }
    } finally {
      cleanup();
    }
  });

  it('schedules the learning rate as learningRateAt, for both decay rules', { timeout: 60_000 }, () => {
    const { dir, cleanup } = tempDir();
    try {
      writePackage(readShippedGraph('tiny-pix2pix.json'), dir);
      const script = 'import json; from lggan_torch.schedule import learning_rate_factor as f; ' +
        "print(json.dumps([[f(s, 5, 4, r) for s in range(12)] for r in ('spade', 'pix2pix')]))";
      const [spade, pix2pix] = JSON.parse(runPython(dir, ['-c', script])) as number[][];
      const expected = (rule: 'spade' | 'pix2pix') =>
        Array.from({ length: 12 }, (_, s) => learningRateAt(s, { gLr: 1, dLr: 1, niter: 5, niterDecay: 4, decayRule: rule }).g);
      expect(spade.map((x) => x.toFixed(12))).toEqual(expected('spade').map((x) => x.toFixed(12)));
      expect(pix2pix.map((x) => x.toFixed(12))).toEqual(expected('pix2pix').map((x) => x.toFixed(12)));
    } finally {
      cleanup();
    }
  });

  it('fails naming the node whose type has no emitter', () => {
    const passThrough: NodeDef = { ...coreNodes.find((d) => d.type === 'core/activation')!, type: 'test/pass-through', pytorch: undefined };
    const registry = new NodeRegistry([...coreNodes, ...lgganNodes, passThrough]);
    const doc = readShippedGraph('tiny-pix2pix.json');
    doc.nodes.find((n) => n.id === 'enc_act')!.type = 'test/pass-through';
    expect(() => exportPytorchPackage(doc, registry)).toThrow(UnexportableNodeError);
    expect(() => exportPytorchPackage(doc, registry)).toThrow("node 'enc_act' (test/pass-through) cannot be exported to PyTorch: no PyTorch emitter exists for this node type");
  });

  it('fails on a graph with errors, naming the node', () => {
    const doc = readShippedGraph('tiny-pix2pix.json');
    doc.edges = doc.edges.filter((e) => !(e.to.node === 'down' && e.to.port === 'x'));
    expect(() => exportPytorchPackage(doc, createRegistry())).toThrow(ExportError);
    expect(() => exportPytorchPackage(doc, createRegistry())).toThrow(/node 'down': input 'x' is not connected/);
  });

  it('fails when two networks read each other', () => {
    const doc: GraphDocument = readShippedGraph('tiny-pix2pix.json');
    // res2 moves to network D: G's res1 feeds D's res2, which feeds G's up, while D's d_in reads G's tanh.
    doc.nodes.find((n) => n.id === 'res2')!.network = 'D';
    const ir = resolveGraph(doc, createRegistry());
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(() => planExport(ir)).toThrow(/networks 'G' → 'D' → 'G' read each other's outputs/);
  });

  it('fails when a graph has two trainers', () => {
    const doc = readShippedGraph('lggan-cityscapes-tiny.json');
    const trainer = doc.nodes.find((n) => n.id === 'trainer')!;
    doc.nodes.push({ ...structuredClone(trainer), id: 'trainer2' });
    doc.edges.push(...doc.edges.filter((e) => e.to.node === 'trainer').map((e) => ({ ...e, to: { ...e.to, node: 'trainer2' } })));
    expect(() => exportPytorchPackage(doc, createRegistry())).toThrow("the graph has 2 lggan/trainer nodes ('trainer', 'trainer2')");
  });

  it('exports a graph without a trainer as networks only; train.py refuses it with a clear message', { timeout: 60_000 }, () => {
    requireTorch();
    const { dir, cleanup } = tempDir();
    try {
      const files = writePackage(readShippedGraph('tiny-pix2pix.json'), dir);
      expect(text(files, 'objective.py')).toContain('TRAINER = None');
      expect(text(files, 'README.md')).toContain('has no `lggan/trainer` node');
      expect(() => runPython(dir, ['train.py', '--synthetic', '4', '--steps', '1', '--out', join(dir, 'run')])).toThrow(
        "graph 'Tiny pix2pix' has no lggan/trainer node: this package holds its networks",
      );
    } finally {
      cleanup();
    }
  });
});
