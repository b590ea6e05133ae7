import { describe, expect, it } from 'vitest';
import { inputPorts, outputPorts } from '../contract.ts';
import { resolveParams, TEST_TEMPLATE } from '../testing.test-util.ts';
import { lgganNodes } from './index.ts';
import { trainingNodes } from './training-nodes.ts';

describe('training node list', () => {
  it('holds the discriminators, the losses and the trainer, all registered in the LGGAN pack', () => {
    expect(trainingNodes.map((d) => d.type)).toEqual([
      'lggan/multiscale-discriminator',
      'lggan/patch-discriminator',
      'lggan/adversarial-loss',
      'lggan/feature-matching-loss',
      'lggan/l1-loss',
      'lggan/class-l1-loss',
      'lggan/classification-loss',
      'lggan/tv-loss',
      'lggan/perceptual-loss',
      'lggan/trainer',
    ]);
    for (const def of trainingNodes) expect(lgganNodes).toContain(def);
  });

  it.each(trainingNodes.map((d) => [d.type, d] as const))('%s is documented, versioned and resolves its defaults', (_type, def) => {
    expect(def.version).toBe(1);
    expect(['discriminator', 'loss', 'training']).toContain(def.category);
    expect(def.doc.length).toBeGreaterThan(200);
    for (const [name, param] of Object.entries(def.params)) expect(param.doc.length, name).toBeGreaterThan(5);
    const params = resolveParams(def, {}, TEST_TEMPLATE);
    for (const port of [...inputPorts(def, params), ...outputPorts(def, params)]) expect(port.doc.length, port.name).toBeGreaterThan(10);
    if (def.category === 'loss') expect(outputPorts(def, params)).toEqual([expect.objectContaining({ name: 'loss', kind: 'loss' })]);
    if (def.category === 'discriminator') {
      expect(outputPorts(def, params).map((p) => p.kind)).toEqual(['network']);
      expect(def.officialKeys).toBeTypeOf('function');
      expect(def.defaultNetwork).toBe('D');
    }
  });
});
