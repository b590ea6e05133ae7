import { describe, expect, it } from 'vitest';
import type { GraphInput } from '../runtime/data/feeds.ts';
import { batchAt, syntheticOptionsFor } from './data.ts';

const input = (over: Partial<GraphInput>): GraphInput => ({ id: 'labels', type: 'core/semantic-input', params: {}, kind: 'semantic', shape: [1, 16, 24, 5], ...over });
const dataset = { kind: 'synthetic' as const, seed: 3, count: 5 };

describe('batchAt', () => {
  it('walks one seeded shuffle per epoch, batch by batch, the same every time', () => {
    const steps = Array.from({ length: 5 }, (_, s) => batchAt(s, 2, 5, 9).map((d) => d.index));
    const epoch0 = [...steps[0], ...steps[1], steps[2][0]];
    expect([...epoch0].sort()).toEqual([0, 1, 2, 3, 4]);
    const epoch1 = [steps[2][1], ...steps[3], ...steps[4]];
    expect([...epoch1].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from({ length: 5 }, (_, s) => batchAt(s, 2, 5, 9).map((d) => d.index))).toEqual(steps);
    expect(batchAt(0, 5, 5, 10).map((d) => d.index)).not.toEqual(batchAt(0, 5, 5, 9).map((d) => d.index));
    // Augmentation draws change per epoch, not per step.
    expect(batchAt(0, 2, 5, 9)[0].options).toEqual(batchAt(1, 2, 5, 9)[0].options);
    expect(batchAt(3, 2, 5, 9)[0].options).not.toEqual(batchAt(0, 2, 5, 9)[0].options);
  });
});

describe('syntheticOptionsFor', () => {
  it('sizes the scenes like the graph input and numbers the classes to fit num_classes', () => {
    expect(syntheticOptionsFor([input({ params: { num_classes: 5 } })], dataset)).toMatchObject({
      width: 24,
      height: 16,
      count: 5,
      seed: 3,
      idSpace: 'compact',
      numClasses: 5,
      classes: ['sky', 'road', 'building', 'vegetation', 'car'],
      variant: 'semantic',
    });
    expect(syntheticOptionsFor([input({ kind: 'labels', params: { num_classes: 35 } })], dataset)).toMatchObject({ idSpace: 'cityscapes', numClasses: 35 });
    expect(syntheticOptionsFor([input({ kind: 'labels', params: { num_classes: 150 } })], dataset)).toMatchObject({ idSpace: 'ade20k', numClasses: 150 });
    expect(syntheticOptionsFor([input({ id: 'aerial', kind: 'image', shape: [1, 32, 32, 3] })], dataset)).toMatchObject({ variant: 'cross-view', width: 32 });
    expect(() => syntheticOptionsFor([input({ params: { num_classes: 3 } })], dataset)).toThrow(/num_classes 3, but the synthetic scenes need at least 5/);
  });
});
