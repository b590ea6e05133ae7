/**
 * Which samples make up each step's batch. The order is a pure function of (seed, step): every
 * epoch is a seeded shuffle of the training set, step s takes positions s·B … s·B + B − 1 of the
 * concatenated epochs, and each sample's augmentation is seeded by (seed, its epoch). A resumed run
 * therefore sees exactly the batches the uninterrupted run would have seen.
 */
import { hashString, uniformStream } from '../../compiler/rng.ts';

export interface BatchPlan {
  /** Epoch of the batch's first sample (0-based), for epoch learning-rate schedules. */
  epoch: number;
  samples: { index: number; augmentSeed: number }[];
}

export class BatchOrder {
  private readonly shuffles = new Map<number, number[]>();

  constructor(
    readonly size: number,
    readonly batch: number,
    readonly seed: number,
  ) {
    if (size < 1) throw new RangeError('cannot draw batches from an empty dataset');
  }

  private shuffle(epoch: number): number[] {
    let order = this.shuffles.get(epoch);
    if (!order) {
      order = Array.from({ length: this.size }, (_, i) => i);
      const uniform = uniformStream(hashString(`order:${this.seed}:${epoch}`));
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      if (this.shuffles.size > 2) this.shuffles.delete(Math.min(...this.shuffles.keys()));
      this.shuffles.set(epoch, order);
    }
    return order;
  }

  at(step: number): BatchPlan {
    const first = step * this.batch;
    const samples = Array.from({ length: this.batch }, (_, b) => {
      const position = first + b;
      const epoch = Math.floor(position / this.size);
      return { index: this.shuffle(epoch)[position % this.size], augmentSeed: hashString(`augment:${this.seed}:${epoch}`) };
    });
    return { epoch: Math.floor(first / this.size), samples };
  }
}
