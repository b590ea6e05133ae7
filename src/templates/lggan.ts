/**
 * The LGGAN task graphs, written with GraphBuilder: semantic image synthesis (Cityscapes, ADE20K)
 * and cross-view translation (Dayton), at full official size or tiny, plus the ablation variants.
 * Official settings are from ../shared/lggan-architecture.md §1–§4.
 */
import type { GraphDocument } from '../graph/document.ts';
import { GraphBuilder } from './builder.ts';
import { addCrossViewTraining, addSemanticTraining } from './lggan-training.ts';

export type Variant = 'lggan' | 'global-only' | 'local-only' | 'no-classification' | 'fixed-fusion' | 'sau' | 'sau-label-gated';

export const VARIANT_NOTES: Record<Variant, string> = {
  lggan: 'the full LGGAN generator: shared encoder, global SPADE generator, local class-specific generators with the classification module, attention fusion',
  'global-only': 'ablation: the global image-level generator alone (the SPADE baseline, fed by the shared encoder); the final image is I_global',
  'local-only': 'ablation: the local class-specific branch alone; the final image is I_local',
  'no-classification': 'ablation: LGGAN without the classification module and its loss',
  'fixed-fusion': 'ablation: fixed 0.5/0.5 fusion of the local and global images instead of learned attention maps',
  sau: 'LGGAN++ (TPAMI): semantic-aware upsampling (k = 5, s = 2) in place of the four transposed convolutions of the local and attention branches',
  'sau-label-gated': 'our variant: SAU whose reassembly taps are gated by the label map (taps of another class than the centre pixel are zeroed)',
};

export interface SemanticOptions {
  dataset: 'cityscapes' | 'ade20k';
  size: 'full' | 'tiny';
  variant: Variant;
}

interface DatasetSettings {
  title: string;
  template: Record<string, number>;
  upsampling: 'normal' | 'more';
  instanceEdge: boolean;
  dontcare: boolean;
  /** ADE20K: the first 51 classes get their own sub-generator, the rest one "other" mask. */
  separateClasses?: number;
  spadeHidden: number;
}

function semanticSettings(dataset: SemanticOptions['dataset'], size: SemanticOptions['size']): DatasetSettings {
  const tiny = size === 'tiny';
  if (dataset === 'cityscapes') {
    return {
      title: 'Cityscapes',
      // 'more' needs width/64 ≥ 1 and an even aspect: 128×64 is the smallest faithful size.
      template: tiny ? { num_classes: 35, height: 64, width: 128, ngf: 4, ndf: 4 } : { num_classes: 35, height: 256, width: 512, ngf: 64, ndf: 64 },
      upsampling: 'more',
      instanceEdge: true,
      dontcare: false,
      spadeHidden: tiny ? 8 : 128,
    };
  }
  return {
    title: 'ADE20K',
    template: tiny ? { num_classes: 150, height: 64, width: 64, ngf: 4, ndf: 4 } : { num_classes: 150, height: 256, width: 256, ngf: 64, ndf: 64 },
    upsampling: 'normal',
    instanceEdge: false,
    dontcare: true,
    separateClasses: 51,
    spadeHidden: tiny ? 8 : 128,
  };
}

export function semanticGraph(options: SemanticOptions): GraphDocument {
  const { dataset, size, variant } = options;
  const s = semanticSettings(dataset, size);
  const full = size === 'full';
  const hasGlobal = variant !== 'local-only';
  const hasLocal = variant !== 'global-only';
  const hasClassifier = hasLocal && variant !== 'no-classification';
  const fused = hasGlobal && hasLocal;
  const upsampling = variant === 'sau' ? 'sau' : variant === 'sau-label-gated' ? 'sau-label-gated' : 'transposed';
  const latentDivisor = s.upsampling === 'more' ? 64 : 32;

  const b = new GraphBuilder(
    {
      name: `LGGAN ${s.title}${variant === 'lggan' ? '' : ` — ${variant}`}${full ? '' : ' (tiny)'}`,
      description:
        `Semantic image synthesis on ${s.title}: ${VARIANT_NOTES[variant]}. ` +
        (full
          ? `Official size (${s.template.width}×${s.template.height}, ngf ${s.template.ngf}), official loss weights and optimiser settings.`
          : `Tiny widths and size for quick runs in the browser and in tests; same structure as the full graph.`),
      tags: ['lggan', dataset, variant, size],
    },
    s.template,
  );

  b.onRow(0);
  b.add('labels', 'lggan/semantic-input', { instance_edge: s.instanceEdge, dontcare: s.dontcare }, { title: 'Label map' });
  b.add('encoder', 'lggan/encoder', { latent_height: `height/${latentDivisor}`, latent_width: `width/${latentDivisor}` }, { title: 'Shared encoder E' });
  b.wire('labels.semantic', 'encoder.x');

  if (hasGlobal) {
    b.add('global', 'lggan/global-generator', { upsampling_mode: s.upsampling, spade_hidden: s.spadeHidden, keep_unused_official: full }, { title: 'Global generator G_g' });
    b.wire('encoder.latent', 'global.latent').wire('labels.semantic', 'global.semantic');
  }

  if (hasLocal) {
    b.onRow(1, 1);
    b.add('trunk', 'lggan/local-trunk', { upsampling }, { title: 'Local trunk' });
    b.wire('encoder.x_encode', 'trunk.x_encode');
    if (upsampling === 'sau-label-gated') b.wire('labels.semantic', 'trunk.labels');
    b.add(
      'masks',
      'lggan/class-masks',
      s.separateClasses ? { mode: 'grouped', separate: s.separateClasses } : { mode: 'one-hot' },
      { title: 'Class masks' },
    );
    b.wire('labels.semantic', 'masks.semantic');
    b.add('local', 'lggan/local-generators', { combine: 'fusion-conv' }, { title: 'Class-specific generators G_l' });
    b.wire('trunk.features', 'local.features').wire('masks.masks', 'local.masks');
    if (hasClassifier) {
      b.add('classifier', 'lggan/classification', { classes: s.separateClasses ?? 'num_classes' }, { title: 'Classification module' });
      b.wire('trunk.features', 'classifier.features').wire('masks.masks', 'classifier.masks');
    }
  }

  b.onRow(2, 1);
  let final: string;
  if (fused) {
    b.add('fusion', 'lggan/attention-fusion', { mode: variant === 'fixed-fusion' ? 'fixed' : 'attention', upsampling }, { title: 'Attention fusion' });
    if (variant !== 'fixed-fusion') b.wire('encoder.x_encode', 'fusion.x_encode');
    b.wire('local.local', 'fusion.local').wire('global.image', 'fusion.global');
    if (upsampling === 'sau-label-gated') b.wire('labels.semantic', 'fusion.labels');
    final = 'fusion.image';
  } else {
    final = hasGlobal ? 'global.image' : 'local.local';
  }

  b.onRow(3, 1);
  b.add('out_final', 'core/output', { name: 'final', role: 'image' }, { title: 'Final image' });
  b.wire(final, 'out_final.value');
  if (fused) {
    b.add('out_global', 'core/output', { name: 'global', role: 'image' }, { title: 'I_global' });
    b.wire('global.image', 'out_global.value');
    b.add('out_local', 'core/output', { name: 'local', role: 'image' }, { title: 'I_local' });
    b.wire('local.local', 'out_local.value');
    if (variant !== 'fixed-fusion') {
      b.add('out_attention', 'core/output', { name: 'attention', role: 'attention' }, { title: 'Attention maps' });
      b.wire('fusion.attention', 'out_attention.value');
    }
  }

  addSemanticTraining(b, { hasGlobal, hasLocal, hasClassifier, fused, final, dataset });
  b.group('generator', 'Generator', ['labels', 'encoder', 'global', 'trunk', 'masks', 'local', 'classifier', 'fusion']);
  return b.build();
}

export interface CrossViewOptions {
  size: 'full' | 'tiny';
  variant: Extract<Variant, 'lggan' | 'sau'>;
}

/** Dayton aerial→ground (§3, §4.3): image + colour semantics in, six grey-value classes, two PatchGANs. */
export function crossViewGraph(options: CrossViewOptions): GraphDocument {
  const full = options.size === 'full';
  const upsampling = options.variant === 'sau' ? 'sau' : 'transposed';
  const b = new GraphBuilder(
    {
      name: `LGGAN cross-view (Dayton a2g)${options.variant === 'sau' ? ' — sau' : ''}${full ? '' : ' (tiny)'}`,
      description:
        'Cross-view image translation: the aerial image and the ground-view colour semantic map go in, the ground-view image comes out. ' +
        'Six class-specific generators from the grey label map (10…60), a global decoder and attention fusion; ' +
        'two PatchGAN discriminators, one conditioned on the aerial image, one on the semantic map. ' +
        (full ? 'Official size 256×256, official loss weights (L1 100, TV 1e-6) and Adam settings.' : 'Tiny: 64×64 (the small Dayton setting) with narrow widths.'),
      tags: ['lggan', 'cross-view', 'dayton', options.variant, options.size],
    },
    full ? { num_classes: 6, height: 256, width: 256, ngf: 64, ndf: 64 } : { num_classes: 6, height: 64, width: 64, ngf: 8, ndf: 8 },
  );
  b.onRow(0);
  // The inputs stack in column 0, outside the Generator frame (columns 1 to 4).
  b.add('aerial', 'core/image-input', {}, { title: 'Aerial image (A)' });
  b.add('ground_semantic', 'core/image-input', {}, { title: 'Ground colour semantics (D)', at: [0, 1] });
  b.add('g_in', 'core/concat', { inputs: 2 }, { title: 'A ⊕ D', at: [1, 0] });
  b.wire('aerial.image', 'g_in.in0').wire('ground_semantic.image', 'g_in.in1');
  b.add('encoder', 'lggan/encoder', { downsamples: 2, max_channels: 'ngf*4' }, { title: 'Encoder' });
  b.wire('g_in.y', 'encoder.x');
  b.add('trunk', 'lggan/local-trunk', { upsampling }, { title: 'Residual trunk + local decoder' });
  b.wire('encoder.x_encode', 'trunk.x_encode');

  b.add('grey_labels', 'core/image-input', {}, { title: 'Ground grey labels (F)', at: [0, 2] });
  b.add('masks', 'lggan/class-masks', { mode: 'grey-values', grey_classes: 6 }, { title: 'Grey-value class masks', at: [1, 1] });
  b.wire('grey_labels.image', 'masks.label_image');
  b.add('local', 'lggan/local-generators', { combine: 'sum', first_index: 1, keep_unused_official: full }, { title: 'Class-specific generators' });
  b.wire('trunk.features', 'local.features').wire('masks.masks', 'local.masks');
  b.add('global', 'lggan/global-decoder', {}, { title: 'Global decoder' });
  b.wire('trunk.middle', 'global.x');
  b.add('fusion', 'lggan/attention-fusion', { upsampling }, { title: 'Attention fusion' });
  b.wire('trunk.middle', 'fusion.x_encode').wire('local.local', 'fusion.local').wire('global.image', 'fusion.global');

  b.onRow(2, 1);
  b.add('out_final', 'core/output', { name: 'final', role: 'image' }, { title: 'Final ground view' });
  b.wire('fusion.image', 'out_final.value');
  b.add('out_global', 'core/output', { name: 'global', role: 'image' }, { title: 'I_global' });
  b.wire('global.image', 'out_global.value');
  b.add('out_local', 'core/output', { name: 'local', role: 'image' }, { title: 'I_local' });
  b.wire('local.local', 'out_local.value');
  b.add('out_attention', 'core/output', { name: 'attention', role: 'attention' }, { title: 'Attention maps' });
  b.wire('fusion.attention', 'out_attention.value');

  addCrossViewTraining(b, !full);
  b.group('generator', 'Generator', ['g_in', 'encoder', 'trunk', 'masks', 'local', 'global', 'fusion']);
  return b.build();
}
