/**
 * The training half of the LGGAN task graphs: discriminators, the official losses with their
 * weights, and the trainer with the official optimiser settings (§4.2 semantic synthesis, §4.3
 * cross view of ../shared/lggan-architecture.md).
 */
import type { GraphBuilder } from './builder.ts';

/** Wires the generated images (final, then global and local when both branches exist) into a loss. */
function wireImages(b: GraphBuilder, loss: string, images: string[]): void {
  images.forEach((image, i) => b.wire(image, `${loss}.fake${i}`));
}

export interface SemanticTrainingShape {
  hasGlobal: boolean;
  hasLocal: boolean;
  hasClassifier: boolean;
  fused: boolean;
  /** "node.port" of the final image. */
  final: string;
  dataset: 'cityscapes' | 'ade20k';
}

export function addSemanticTraining(b: GraphBuilder, g: SemanticTrainingShape): void {
  // The official G losses judge the final, the global and the local image alike.
  const images = g.fused ? [g.final, 'global.image', 'local.local'] : [g.final];
  const n = images.length;

  b.onRow(4, 0);
  b.add('real', 'core/image-input', {}, { title: 'Real image' });
  b.add('discriminator', 'lggan/multiscale-discriminator', {}, { title: 'Multi-scale PatchGAN D', network: 'D' });
  b.wire('labels.semantic', 'discriminator.condition').wire('real.image', 'discriminator.image');

  b.onRow(5, 0);
  const gLosses: string[] = [];
  b.add('g_adv', 'lggan/adversarial-loss', { mode: 'hinge', side: 'generator', images: n }, { title: 'Adversarial (G, hinge)' });
  b.wire('discriminator.network', 'g_adv.discriminator').wire('labels.semantic', 'g_adv.condition');
  wireImages(b, 'g_adv', images);
  gLosses.push('g_adv');

  b.add('g_feat', 'lggan/feature-matching-loss', { weight: 10, images: n }, { title: 'Feature matching ×10' });
  b.wire('discriminator.network', 'g_feat.discriminator').wire('labels.semantic', 'g_feat.condition').wire('real.image', 'g_feat.real');
  wireImages(b, 'g_feat', images);
  gLosses.push('g_feat');

  // SPADE's VGG loss feeds the [-1, 1] images to VGG19 as they are, without ImageNet normalisation.
  b.add('g_vgg', 'lggan/perceptual-loss', { weight: 10, images: n, input_normalization: 'none' }, { title: 'VGG19 perceptual ×10' });
  b.wire('real.image', 'g_vgg.real');
  wireImages(b, 'g_vgg', images);
  gLosses.push('g_vgg');

  if (g.hasLocal) {
    b.add('g_class_l1', 'lggan/class-l1-loss', { weight: 1 }, { title: 'Per-class L1' });
    b.wire('local.class_images', 'g_class_l1.class_images').wire('masks.masks', 'g_class_l1.masks').wire('real.image', 'g_class_l1.real');
    gLosses.push('g_class_l1');
  }
  if (g.hasClassifier) {
    b.add('g_class_ce', 'lggan/classification-loss', { weight: 1 }, { title: 'Classification CE' });
    b.wire('classifier.logits', 'g_class_ce.logits').wire('classifier.valid', 'g_class_ce.valid');
    gLosses.push('g_class_ce');
  }

  // Beside its discriminator, so the Discriminator frame covers those two and nothing else.
  b.add('d_adv', 'lggan/adversarial-loss', { mode: 'hinge', side: 'discriminator', images: n }, { title: 'Adversarial (D, hinge)', network: 'D', at: [2, 4] });
  b.wire('discriminator.network', 'd_adv.discriminator').wire('labels.semantic', 'd_adv.condition').wire('real.image', 'd_adv.real');
  wireImages(b, 'd_adv', images);

  b.onRow(6, 0);

  // Official: TTUR Adam (G 1e-4, D 4e-4, betas 0 / 0.9), G step then D step, 100 + 100 epochs.
  b.add(
    'trainer',
    'lggan/trainer',
    {
      g_losses: gLosses.length,
      d_losses: 1,
      g_lr: 0.0001,
      d_lr: 0.0004,
      beta1: 0,
      beta2: 0.9,
      order: 'g-then-d',
      niter: 100,
      niter_decay: 100,
      batch_size: g.dataset === 'cityscapes' ? 8 : 24,
    },
    { title: 'Trainer' },
  );
  gLosses.forEach((loss, i) => b.wire(`${loss}.loss`, `trainer.g_loss_${i}`));
  b.wire('d_adv.loss', 'trainer.d_loss_0');
  b.group('discriminator', 'Discriminator', ['discriminator', 'd_adv']);
  b.group('losses', 'Generator losses', gLosses);
}

export function addCrossViewTraining(b: GraphBuilder, tiny: boolean): void {
  const images = ['fusion.image', 'global.image', 'local.local'];
  b.onRow(3, 0);
  b.add('real', 'core/image-input', {}, { title: 'Real ground image (B)' });
  b.add('d1', 'lggan/patch-discriminator', {}, { title: 'D1: PatchGAN | aerial', network: 'D1' });
  b.wire('aerial.image', 'd1.condition').wire('real.image', 'd1.image');
  b.add('d2', 'lggan/patch-discriminator', {}, { title: 'D2: PatchGAN | semantics', network: 'D2' });
  b.wire('ground_semantic.image', 'd2.condition').wire('real.image', 'd2.image');

  b.onRow(4, 0);
  const gLosses: string[] = [];
  const dLosses: string[] = [];
  for (const [d, condition] of [
    ['d1', 'aerial.image'],
    ['d2', 'ground_semantic.image'],
  ] as const) {
    const g = b.add(`g_adv_${d}`, 'lggan/adversarial-loss', { mode: 'bce', side: 'generator', images: 3 }, { title: `Adversarial (G, ${d.toUpperCase()})` });
    b.wire(`${d}.network`, `${g}.discriminator`).wire(condition, `${g}.condition`);
    wireImages(b, g, images);
    gLosses.push(g);
  }
  b.add('g_l1', 'lggan/l1-loss', { weight: 100, images: 3 }, { title: 'L1 ×100' });
  b.wire('real.image', 'g_l1.real');
  wireImages(b, 'g_l1', images);
  gLosses.push('g_l1');
  b.add('g_class_l1', 'lggan/class-l1-loss', { weight: 100 }, { title: 'Per-class L1 ×100' });
  b.wire('local.class_images', 'g_class_l1.class_images').wire('masks.masks', 'g_class_l1.masks').wire('real.image', 'g_class_l1.real');
  gLosses.push('g_class_l1');
  b.add('g_vgg', 'lggan/perceptual-loss', { weight: 10, images: 3 }, { title: 'VGG19 perceptual ×10' });
  b.wire('real.image', 'g_vgg.real');
  wireImages(b, 'g_vgg', images);
  gLosses.push('g_vgg');
  b.add('g_tv', 'lggan/tv-loss', { weight: 0.000001, images: 3 }, { title: 'Total variation ×1e-6' });
  wireImages(b, 'g_tv', images);
  gLosses.push('g_tv');

  // The D losses beside their discriminators (row 3), so the Discriminators frame covers only those four.
  for (const [i, [d, condition]] of ([
    ['d1', 'aerial.image'],
    ['d2', 'ground_semantic.image'],
  ] as const).entries()) {
    const loss = b.add(`d_adv_${d}`, 'lggan/adversarial-loss', { mode: 'bce', side: 'discriminator', images: 3 }, { title: `Adversarial (${d.toUpperCase()})`, network: d.toUpperCase(), at: [3 + i, 3] });
    b.wire(`${d}.network`, `${loss}.discriminator`).wire(condition, `${loss}.condition`).wire('real.image', `${loss}.real`);
    wireImages(b, loss, images);
    dLosses.push(loss);
  }
  b.onRow(5, 0);
  // Official: Adam lr 2e-4, betas 0.5 / 0.999 for G and for both Ds; D step then G step;
  // Dayton 256: batch 4, 20 + 15 epochs; Dayton 64: batch 16, 50 + 50 epochs.
  b.add(
    'trainer',
    'lggan/trainer',
    {
      g_losses: gLosses.length,
      d_losses: dLosses.length,
      g_lr: 0.0002,
      d_lr: 0.0002,
      beta1: 0.5,
      beta2: 0.999,
      order: 'd-then-g',
      decay_rule: 'pix2pix',
      niter: tiny ? 50 : 20,
      niter_decay: tiny ? 50 : 15,
      batch_size: tiny ? 16 : 4,
    },
    { title: 'Trainer' },
  );
  gLosses.forEach((loss, i) => b.wire(`${loss}.loss`, `trainer.g_loss_${i}`));
  dLosses.forEach((loss, i) => b.wire(`${loss}.loss`, `trainer.d_loss_${i}`));
  b.group('discriminators', 'Discriminators', ['d1', 'd2', 'd_adv_d1', 'd_adv_d2']);
  b.group('losses', 'Generator losses', gLosses);
}
