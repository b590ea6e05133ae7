/**
 * A program run's Judge: the discriminator applications the run's loss nodes name beforehand
 * (BuiltNode.asks) are applied together, each discriminator once, on condition ‖ image of every
 * asked pair concatenated along the batch; each loss then reads its pair's slice of the patch maps
 * and features (`discriminate`, nodes/lggan/discriminators/discriminate.ts). Asks for the same pair
 * (same handle, condition and image tensors, detached alike) share one answer: feature matching
 * judges the fakes the adversarial loss judges, and every real-image term the same real image.
 *
 * Why: the LGGAN graph's losses apply its discriminator 15 times a training step (9 in the G
 * phase, 6 in the D phase), each a few hundred small kernels; batched and shared it is once per
 * phase on 4 pairs. It is also what the exported PyTorch package does (lggan_torch/graph.py's
 * Judge, one call per phase as SPADE batches fake and real), so spectral norm runs one power
 * iteration per phase in both and training matches it. The discriminators' norms are per sample
 * (instance norm), so every slice equals the network applied to that pair alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorAsk, Judge, NetworkHandle, NetworkResult, RunContext } from '../../nodes/contract.ts';
import { applyDiscriminator, judgedImage } from '../../nodes/lggan/discriminators/discriminate.ts';

interface Entry {
  ask: DiscriminatorAsk;
  answer?: NetworkResult;
}

export class RunJudge implements Judge {
  private readonly handleIds = new Map<NetworkHandle, number>();
  private readonly entries = new Map<string, Entry>();
  private pending: Entry[] = [];

  /** Names a pair a forward will judge; the same pair asked again shares the first ask. */
  ask(ask: DiscriminatorAsk): void {
    const key = this.keyOf(ask);
    if (this.entries.has(key)) return;
    const entry: Entry = { ask };
    this.entries.set(key, entry);
    this.pending.push(entry);
  }

  /**
   * Applies each discriminator once to all its pending pairs. Call it outside the judging nodes'
   * own tidy scopes: the answers must outlive them (the run's caller disposes them).
   */
  settle(run: RunContext): void {
    const byHandle = new Map<NetworkHandle, Entry[]>();
    for (const entry of this.pending) {
      const group = byHandle.get(entry.ask.handle) ?? [];
      group.push(entry);
      byHandle.set(entry.ask.handle, group);
    }
    this.pending = [];
    for (const group of byHandle.values()) settleGroup(group, run);
  }

  answer(ask: DiscriminatorAsk, run: RunContext): NetworkResult {
    const answer = this.entries.get(this.keyOf(ask))?.answer;
    // A pair nobody named (or not yet settled) runs on its own; caching it here would hand out
    // tensors that the asking node's tidy scope disposes.
    return answer ?? applyDiscriminator(ask, run);
  }

  private keyOf({ handle, condition, image, detached }: DiscriminatorAsk): string {
    let id = this.handleIds.get(handle);
    if (id === undefined) {
      id = this.handleIds.size;
      this.handleIds.set(handle, id);
    }
    return `${id}:${condition.id}:${image.id}:${detached ? 'detached' : 'attached'}`;
  }
}

/** One discriminator applied to its pairs: one call on the batch of them, sliced back per pair. */
function settleGroup(group: Entry[], run: RunContext): void {
  if (group.length === 1) {
    group[0].answer = applyDiscriminator(group[0].ask, run);
    return;
  }
  const asks = group.map((e) => e.ask);
  const conditions = tf.concat(asks.map((a) => a.condition), 0);
  const images = tf.concat(asks.map(judgedImage), 0);
  const { outputs, features } = asks[0].handle.apply({ x: tf.concat([conditions, images], 3) }, run);
  const sizes = asks.map((a) => a.image.shape[0]);
  const splits = new Map<number, tf.Tensor[]>(); // a scale's patch map is also its last feature: split it once
  const perPair = (t: tf.Tensor) => {
    let parts = splits.get(t.id);
    if (!parts) splits.set(t.id, (parts = tf.split(t, sizes, 0)));
    return parts;
  };
  const splitOutputs = outputs.map(perPair);
  const splitFeatures = features.map((scale) => scale.map(perPair));
  group.forEach((entry, i) => {
    entry.answer = {
      outputs: splitOutputs.map((parts) => parts[i]),
      features: splitFeatures.map((scale) => scale.map((parts) => parts[i])),
    };
  });
}
