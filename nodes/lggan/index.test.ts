/** The LGGAN pack's index: its families, in order, and what each family's node types are. */
import { describe, expect, it } from 'vitest';
import { discriminatorNodes } from './discriminators/index.ts';
import { generatorNodes } from './generator/index.ts';
import { lgganNodes } from './index.ts';
import { lossNodes } from './losses/index.ts';
import { trainingNodes } from './training/index.ts';

describe('the LGGAN pack', () => {
  it('lists the generator family: the global path, then the local path', () => {
    expect(generatorNodes.map((d) => d.type)).toEqual([
      'lggan/semantic-input',
      'lggan/encoder',
      'lggan/spade-norm',
      'lggan/spade-resblock',
      'lggan/global-generator',
      'lggan/global-decoder',
      'lggan/sau-upsample',
      'lggan/local-trunk',
      'lggan/class-masks',
      'lggan/local-generators',
      'lggan/classification',
      'lggan/attention-fusion',
    ]);
    for (const def of generatorNodes) expect(def.category).toBe(def.type === 'lggan/semantic-input' ? 'input' : 'lggan'); // fed at run time, listed with the inputs
  });

  it('lists the discriminators, the losses and the trainer', () => {
    expect([...discriminatorNodes, ...lossNodes, ...trainingNodes].map((d) => d.type)).toEqual([
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
    for (const def of discriminatorNodes) expect(def.category).toBe('discriminator');
    for (const def of lossNodes) expect(def.category).toBe('loss');
    for (const def of trainingNodes) expect(def.category).toBe('training');
  });

  it('registers every family once, in order', () => {
    expect(lgganNodes).toEqual([...generatorNodes, ...discriminatorNodes, ...lossNodes, ...trainingNodes]);
  });
});
