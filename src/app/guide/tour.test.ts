import { describe, expect, it } from 'vitest';
import cityscapesTiny from '../../../graphs/lggan-cityscapes-tiny.json';
import globalOnly from '../../../graphs/ablation-cityscapes-global-only-tiny.json';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';
import { graphTour, networkWord } from './tour.ts';

const registry = createRegistry();
const tourOf = (json: unknown) => {
  const ir = resolveGraph(loadDocOrThrow(json, registry), registry);
  return { ir, tour: graphTour(ir) };
};

describe('what the getting-started guide says about the open graph', () => {
  it('counts the default graph from its IR: size, classes, parameters per network, parts', () => {
    const { ir, tour } = tourOf(cityscapesTiny);
    expect(tour).toMatchObject({ name: 'LGGAN Cityscapes (tiny)', nodes: 21, width: 128, height: 64, classes: 35 });
    expect(tour.params).toBe(ir.total.params);
    expect(tour.params).toBeGreaterThan(0);
    expect(tour.networks.map((n) => n.name).sort()).toEqual(['D', 'G']);
    expect(tour.networks.reduce((s, n) => s + n.params, 0)).toBe(ir.total.params);
    expect(tour.networks[0].params).toBeGreaterThanOrEqual(tour.networks[1].params);
    expect(tour).toMatchObject({ hasGlobalGenerator: true, hasLocalGenerators: true, hasFusion: true, discriminators: 1, losses: 6 });
  });

  it('follows the graph: an ablation without the local branch says so', () => {
    const { tour } = tourOf(globalOnly);
    expect(tour).toMatchObject({ hasGlobalGenerator: true, hasLocalGenerators: false, hasFusion: false });
  });

  it('a graph of core nodes only has no LGGAN parts to describe', () => {
    const { tour } = tourOf(pix2pix);
    expect(tour).toMatchObject({ name: 'Tiny pix2pix', hasGlobalGenerator: false, hasLocalGenerators: false, hasFusion: false });
  });

  it('names the networks in user words', () => {
    expect([networkWord('G'), networkWord('D'), networkWord('E')]).toEqual(['generator', 'discriminator', 'network E']);
  });
});
