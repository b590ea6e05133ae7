/** README.md of an exported package: what it holds and the exact commands. */
import type { FeedPlans } from './feeds.ts';
import { thousands } from './codegen.ts';
import type { ExportPlan } from './plan.ts';
import type { TrainingExport } from './sides.ts';

export function readmeMd(plan: ExportPlan, training: TrainingExport | null, feeds: FeedPlans): string {
  const name = plan.ir.doc.meta.name;
  const layouts = Object.keys(feeds.plans).filter((l) => l !== 'synthetic');
  const official = plan.networks.flatMap((n) => n.nodes.filter((node) => node.official).map((node) => `${n.name}/${node.id}`));
  const ours = plan.networks.flatMap((n) => n.nodes.filter((node) => !node.official && n.stateful.has(node.id)).map((node) => `${n.name}/${node.id}`));
  const size = plan.ir.template;
  const lines = [
    `# ${name} — PyTorch training package`,
    '',
    `Exported by LGGAN Studio (\`lggan export-pytorch\`) from \`graph.lggan.json\`. The same graph always gives the same files.`,
    '',
    '## What is here',
    '',
    '| File | |',
    '|---|---|',
    '| `model.py` | generated: the input nodes and one `nn.Module` per network, whose forward runs the nodes in graph order |',
    '| `objective.py` | generated: the losses with their weights, the two training sides and the trainer settings |',
    '| `config.json` | generated: graph hash, initialisation, sizes and which dataset fields feed which input, per layout |',
    '| `train.py` | training on one process or many (`torchrun`, DistributedDataParallel) |',
    '| `forward.py` | one forward pass on fed inputs, e.g. to compare with the studio |',
    '| `export_onnx.py` | the generator as ONNX (`python3 export_onnx.py --out generator.onnx [--weights W.safetensors]`, opset 17; checked with `onnx.checker` when onnx is installed) |',
    '| `requirements.txt` | `pip install -r requirements.txt` (the floors the code needs; onnx and tensorboard optional) |',
    '| `lggan_torch/` | the node types in PyTorch, the losses, datasets, and safetensors/checkpoint I/O |',
    '',
    `Networks: ${plan.networks.map((n) => `${n.name} (${thousands(n.params)} parameters)`).join(', ')}; run order ${plan.order.join(' → ')}.`,
    '',
    'Needs Python 3.9+, PyTorch 1.13 or newer and NumPy; reading image datasets also needs Pillow',
    '(`apt-get install python3-torch python3-pil`, or `pip install -r requirements.txt`). Nothing is downloaded.',
    '`train.py` writes `<out>/losses.csv` with the columns of `lggan train` (step, lrG, lrD, one per loss node, gTotal,',
    'dTotal, ms), so the studio\'s run tools read it; `--tensorboard DIR` also logs them for TensorBoard (needs `tensorboard`).',
    '',
  ];
  if (!training) {
    lines.push(
      '## Training',
      '',
      'The graph has no `lggan/trainer` node, so `train.py` refuses to run: add a trainer with its losses in the',
      'studio and export again. The networks still run:',
      '',
      '```sh',
      'python3 forward.py --feeds feeds.safetensors --out outputs.safetensors [--weights weights.safetensors]',
      '```',
      '',
    );
  } else {
    const s = training.settings;
    lines.push(
      '## Training',
      '',
      'On one process (CPU, or the first GPU):',
      '',
      '```sh',
      `python3 train.py --data /path/to/dataset --layout ${layouts[0] ?? 'generic'} --out runs/first`,
      'python3 train.py --synthetic 64 --steps 20 --out runs/smoke     # seeded random samples, a quick check',
      '```',
      '',
      'On N GPUs of one machine (NCCL), or N CPU processes (Gloo, with `--device cpu`):',
      '',
      '```sh',
      `torchrun --nproc_per_node 8 train.py --data /path/to/dataset --layout ${layouts[0] ?? 'generic'} --out runs/paper`,
      'torchrun --nproc_per_node 2 train.py --synthetic 16 --steps 3 --device cpu --out runs/cpu',
      '# several machines: the same command on each, plus --nnodes M --node_rank R --master_addr HOST --master_port PORT',
      '```',
      '',
      "Debian's PyTorch 1.13 on Python 3.11 cannot parse torchrun's default `--redirects 0`/`--tee 0` (an IntFlag change):",
      'add `--redirects 2 --tee 2` there (stderr goes to a log file and to the console).',
      '',
      `The trainer's batch size (${s.batchSize}) is the global batch: each of N processes takes ${s.batchSize}/N (\`--batch-size\``,
      `overrides it). Each iteration runs ${s.order === 'g-then-d' ? 'the G update, then the D update' : 'the D update, then the G update'}` +
        `${s.dStepsPerG > 1 ? ` (G every ${s.dStepsPerG} iterations)` : ''}, with Adam per side`,
      `(G lr ${s.gLr}, D lr ${s.dLr}, betas (${s.beta1}, ${s.beta2}), eps ${s.epsilon}); the rates stay constant for ${s.niter} ${s.scheduleUnit}s and`,
      `decay linearly to 0 over ${s.niterDecay} more (${s.decayRule} rule). Without \`--steps\`/\`--epochs\`, training runs the whole schedule.`,
      '',
      `Sides: G updates ${training.G.networks.join(', ')} with ${training.G.losses.join(', ')}; ` +
        (training.D.losses.length > 0 ? `D updates ${training.D.networks.join(', ')} with ${training.D.losses.join(', ')}.` : 'there is no D step.'),
      ...Object.entries(training.skipped).map(([id, reason]) => `Skipped: \`${id}\` — ${reason} (\`--vgg19 FILE\` supplies VGG19 weights with torchvision names).`),
      '',
      'Options: `--resume runs/a/checkpoints/step-000100.safetensors` continues a run (weights, Adam moments,',
      'iteration); `--init-from weights.safetensors` starts from weights exported by the studio; `--save-every N`;',
      '`--workers N`; `--seed S`; `--split val`.',
      '',
      '### Datasets',
      '',
      ...Object.entries(feeds.plans)
        .filter(([l]) => l !== 'synthetic')
        .map(([layout, entries]) => `- \`--layout ${layout}\`: ${entries.map((e) => `\`${e.node}\` ← ${e.fields.join(' + ')}${e.encode === 'one-hot' ? ' (one-hot)' : ''}`).join(', ')}`),
      ...Object.entries(feeds.unfit)
        .filter(([l]) => l !== 'synthetic')
        .map(([layout, why]) => `- \`--layout ${layout}\` does not fit this graph: ${why}`),
      '',
      `Samples are preprocessed as the official code does, to the graph's ${size.width}×${size.height}: Cityscapes resized`,
      "('fixed') and flipped; ADE20K resized to 286/256 of the size, randomly cropped and flipped; cross-view panels",
      'resized to 286/256 and cropped, never flipped; generic pairs resized and flipped. Images use PIL bicubic, label',
      "and instance ids PIL nearest; Cityscapes' 255 becomes num_classes, ADE20K labels shift by −1 (0 → num_classes).",
      '',
      '## Checkpoints and the studio',
      '',
      'Every save writes `<out>/checkpoints/step-<n>.safetensors`: all variables under the studio\'s names',
      '(`<node id>.<local name>`) in TensorFlow.js layouts, the Adam moments as `optimizer.<G|D>.<variable>.m/.v`',
      'and a run record with this graph\'s hash. The studio loads it as one of its own checkpoints:',
      '',
      '```sh',
      'lggan generate graph.lggan.json --weights runs/first/checkpoints/step-000100.safetensors --labels LABELS --out samples',
      '```',
      '',
      'Next to it, `step-<n>_net_<network>.pth` holds each network\'s `state_dict()` (PyTorch layouts).',
    );
  }
  lines.push(
    '',
    '## State names',
    '',
    official.length > 0
      ? `Official module paths (so official LGGAN/SPADE checkpoints load with \`load_state_dict(..., strict=False)\`): ${official.join(', ')}.`
      : 'No node mirrors an official module.',
    ours.length > 0 ? `Under the node id (the studio's names): ${ours.join(', ')}.` : '',
    '',
    '## Differences from the studio',
    '',
    '- Fresh weights follow the graph\'s initialisation scheme but PyTorch draws them, so they differ from the',
    '  studio\'s; load the same weights (`--init-from`, `forward.py --weights`) to compare numbers.',
    '- The losses of a phase apply each discriminator once, to their requests concatenated on the batch axis (as',
    '  SPADE batches fake and real). Values equal separate calls (instance norm is per sample); the spectral-norm',
    '  power iteration and tracked running statistics advance once per phase instead of once per call.',
    '- Batch-norm statistics are per process (no SyncBatchNorm). The total-variation loss is a sum, so it is',
    '  scaled by the number of processes to stay the sum over the global batch.',
    '- Drawn noise (noise inputs without a feed) comes from PyTorch\'s generator.',
    '',
  );
  return lines.join('\n');
}
