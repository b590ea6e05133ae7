/**
 * Side derivation on the shipped task graphs (compiled, never run: their forward is slow on Node).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRegistry } from '../../../nodes/index.ts';
import { compileProgram, type Program } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadGraph } from '../../graph/load.ts';
import { planTraining } from './plan.ts';

function compileShipped(name: string): Program {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(new URL(`../../../graphs/${name}.json`, import.meta.url), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`graphs/${name}.json does not load`);
  return compileProgram(resolveGraph(loaded.doc, registry, { batch: 1 }));
}

describe('planTraining on the shipped graphs', () => {
  it('semantic synthesis: G trains every generator variable, D the multiscale discriminator; the perceptual loss without weights is skipped', () => {
    const program = compileShipped('lggan-cityscapes-tiny');
    const plan = planTraining(program);
    expect(plan.g.losses.map((l) => l.node)).toEqual(['g_adv', 'g_feat', 'g_class_l1', 'g_class_ce']);
    expect(plan.d.losses.map((l) => l.node)).toEqual(['d_adv']);
    expect(plan.skipped.map((s) => s.node)).toEqual(['g_vgg']);
    expect(plan.g.variables).toEqual(program.trainableNames('G'));
    expect(plan.d.variables).toEqual(program.trainableNames('D'));
    expect(plan.unassigned).toEqual([]);
    expect(plan.d.detached.sort()).toEqual(['fusion:image', 'global:image', 'local:local']);
    expect(plan.g.detached).toEqual(['masks:masks']); // class masks come from the labels alone
    expect(plan.settings).toMatchObject({ order: 'g-then-d', gLr: 1e-4, dLr: 4e-4, beta1: 0, beta2: 0.9 });
    program.dispose();
  });

  it('cross view: one D side over both discriminators D1 and D2, D step first', () => {
    const program = compileShipped('lggan-crossview-dayton-tiny');
    const plan = planTraining(program);
    expect(plan.d.networks.sort()).toEqual(['D1', 'D2']);
    expect(plan.d.variables.sort()).toEqual([...program.trainableNames('D1'), ...program.trainableNames('D2')].sort());
    expect(plan.g.networks).toEqual(['G']);
    expect(plan.d.losses.map((l) => l.node)).toEqual(['d_adv_d1', 'd_adv_d2']);
    expect(plan.settings.order).toBe('d-then-g');
    program.dispose();
  });
});
