/**
 * Optional generated-image ports on the losses and optional loss ports on the trainer: deleting the
 * local branch of the default graph leaves a graph that validates with the totals of the shipped
 * global-only ablation, and the PyTorch export follows the open ports (training: variadic-training.wasm.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document.ts';
import { resolveGraph } from '../../src/compiler/resolve.ts';
import { planExport } from '../../src/interop/pytorch-export/plan.ts';
import { exportPytorchPackage } from '../../src/interop/pytorch-export/index.ts';
import { trainingOf } from '../../src/interop/pytorch-export/sides.ts';
import { fromLitegraph } from '../../src/interop/litegraph/from-litegraph.ts';
import { toLitegraph } from '../../src/interop/litegraph/write-back.ts';
import { LOCAL_BRANCH, deleteBranch, registry, shipped } from './variadic.test-util.ts';

describe('deleting the local branch of the default graph', () => {
  const { doc, removed } = deleteBranch(shipped('lggan-cityscapes-tiny.json'), LOCAL_BRANCH);

  it('removes the branch and what only it fed; the losses and the trainer stay with open ports', () => {
    expect(removed).toEqual(['classifier', 'fusion', 'g_class_ce', 'g_class_l1', 'local', 'masks', 'out_attention', 'out_final', 'out_local', 'trunk']);
    expect(doc.edges.filter((e) => e.to.node === 'g_adv' && e.to.port.startsWith('fake')).map((e) => e.to.port)).toEqual(['fake1']);
  });

  it('validates with no error and has the parameter and MAC totals of the shipped global-only ablation', () => {
    const ir = resolveGraph(doc, registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ablation = resolveGraph(shipped('ablation-cityscapes-global-only-tiny.json'), registry);
    expect(ablation.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const totals = (networks: typeof ir.networks) => Object.fromEntries([...networks].map(([name, t]) => [name, { params: t.params, macs: t.macs }]));
    expect(totals(ir.networks)).toEqual(totals(ablation.networks));
    expect(ir.total.params).toBe(ablation.total.params);
    expect(ir.total.macs).toBe(ablation.total.macs);
  });

  it('exports to PyTorch: the losses read only the connected images, the trainer only the connected losses', () => {
    const plan = planExport(resolveGraph(doc, registry));
    const training = trainingOf(plan)!;
    expect(training.G.losses).toEqual(['g_adv', 'g_feat']);
    expect(Object.keys(training.skipped)).toEqual(['g_vgg']); // no VGG19 weights
    expect(training.D.losses).toEqual(['d_adv']);
    expect(plan.byId.get('g_adv')!.python).toContain('fakes=["global:image"]');
    // The whole package generates; its objective sums the two connected G losses.
    const files = exportPytorchPackage(doc, registry);
    const objective = [...files].find(([name]) => name.endsWith('objective.py'))![1] as string;
    expect(objective).toContain('losses.FeatureMatchingLoss(');
    expect(objective).not.toContain('fusion:image');
  });
});

describe('the litegraph conversion', () => {
  it('keeps open optional ports open: the graph without its local branch comes back with the same wires, still valid', () => {
    const { doc } = deleteBranch(shipped('lggan-cityscapes-tiny.json'), LOCAL_BRANCH);
    const back = fromLitegraph(JSON.parse(JSON.stringify(toLitegraph(doc, registry))), registry);
    if (!back.ok) throw new Error(back.diagnostics.map((d) => d.message).join('\n'));
    const wires = (d: GraphDocument) => d.edges.map((e) => `${e.from.node}.${e.from.port}>${e.to.node}.${e.to.port}`).sort();
    expect(wires(back.doc)).toEqual(wires(doc));
    expect(resolveGraph(back.doc, registry).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('optional ports keep their checks', () => {
  it('a loss with no generated image connected is an error naming the ports', () => {
    const doc = shipped('lggan-cityscapes-tiny.json');
    const open: GraphDocument = { ...doc, edges: doc.edges.filter((e) => !(e.to.node === 'g_feat' && e.to.port.startsWith('fake'))) };
    const errors = resolveGraph(open, registry).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.where.node, d.where.port, d.message])).toEqual([['g_feat', 'fake0', "no generated image is connected: wire at least one of 'fake0', 'fake1', 'fake2'"]]);
  });

  it('a trainer with no generator loss connected is an error at g_loss_0', () => {
    const doc = shipped('lggan-cityscapes-tiny.json');
    const open: GraphDocument = { ...doc, edges: doc.edges.filter((e) => !(e.to.node === 'trainer' && e.to.port.startsWith('g_loss'))) };
    const errors = resolveGraph(open, registry).diagnostics.filter((d) => d.severity === 'error' && d.where.node === 'trainer');
    expect(errors.map((d) => [d.where.port, d.message])).toEqual([['g_loss_0', expect.stringContaining('no generator loss is connected')]]);
  });

  it('the shipped graphs keep their totals: a fully wired loss counts every image', () => {
    const ir = resolveGraph(shipped('lggan-cityscapes-tiny.json'), registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // The perceptual loss is skipped without weights; with them its MACs count 3 fakes + the real image.
    const vgg = ir.nodes.get('g_vgg')!;
    const def = registry.get('lggan/perceptual-loss')!;
    const withWeights = def.cost({ inputs: vgg.inputs, outputs: vgg.outputs, params: { ...vgg.params, weights: 'vgg19.safetensors' } });
    const oneFake = def.cost({ inputs: { real: vgg.inputs.real, fake1: vgg.inputs.fake1 }, outputs: vgg.outputs, params: { ...vgg.params, weights: 'vgg19.safetensors' } });
    expect(withWeights.macs).toBe(2 * oneFake.macs);
  });
});
