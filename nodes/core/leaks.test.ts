import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorType } from '../contract.ts';
import { buildNode, spatialType, TEST_TEMPLATE, vectorOf } from '../testing.test-util.ts';
import { coreNodes } from './index.ts';

interface Sample {
  params?: Record<string, number | boolean | string>;
  inputs: Record<string, TensorType>;
}

const map = (c: number, kind: TensorType['kind'] = 'feature') => spatialType(kind, 2, 4, 4, c);

/** A small, valid configuration of every core node; spectral norm and batch norm included. */
const SAMPLES: Record<string, Sample[]> = {
  'core/semantic-input': [{ params: { height: 4, width: 4, dontcare: true }, inputs: {} }],
  'core/image-input': [{ params: { height: 4, width: 4 }, inputs: {} }],
  'core/noise-input': [{ params: { channels: 8 }, inputs: {} }, { params: { layout: 'spatial', channels: 2, height: 4, width: 4 }, inputs: {} }],
  'core/conv2d': [
    { params: { out_channels: 3, padding_mode: 'reflect' }, inputs: { x: map(2) } },
    { params: { out_channels: 3, stride: 2, spectral_norm: true }, inputs: { x: map(2) } },
  ],
  'core/conv-transpose2d': [{ params: { out_channels: 2 }, inputs: { x: map(3) } }],
  'core/instance-norm': [{ params: { affine: true }, inputs: { x: map(3) } }],
  'core/batch-norm': [{ inputs: { x: map(3) } }],
  'core/activation': [{ params: { function: 'leaky-relu' }, inputs: { x: map(3) } }],
  'core/residual-block': [{ inputs: { x: map(3) } }, { params: { norm: 'batch', norm_affine: true, padding_mode: 'zero' }, inputs: { x: map(3) } }],
  'core/upsample': [{ inputs: { x: map(2) } }, { params: { mode: 'bilinear' }, inputs: { x: map(2) } }],
  'core/downsample': [{ inputs: { x: map(2) } }],
  'core/concat': [{ params: { inputs: 3 }, inputs: { in0: map(1), in1: map(2), in2: map(3) } }],
  'core/add': [{ inputs: { a: map(3), b: map(1) } }],
  'core/multiply': [{ inputs: { a: map(3), b: map(3) } }],
  'core/linear': [{ params: { out_features: 3 }, inputs: { x: vectorOf('vector', 2, 4) } }],
  'core/channel-softmax': [{ inputs: { x: map(3) } }],
  'core/global-avg-pool': [{ inputs: { x: map(3) } }],
  'core/output': [{ inputs: { value: map(3) } }],
};

function feedFor(inputs: Record<string, TensorType>, outputs: Record<string, TensorType>, isInput: boolean): Record<string, tf.Tensor> {
  if (isInput) {
    const [type] = Object.values(outputs);
    return { value: tf.randomNormal(type.shape.map((d) => d.value)) };
  }
  return Object.fromEntries(Object.entries(inputs).map(([port, t]) => [port, tf.randomNormal(t.shape.map((d) => d.value))]));
}

describe('tensor leaks', () => {
  it('has a sample for every core node', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(coreNodes.map((d) => d.type).sort());
  });

  for (const def of coreNodes) {
    it(`${def.type}: 100 forward calls inside tf.tidy leave no tensors behind`, () => {
      for (const sample of SAMPLES[def.type]) {
        const node = buildNode(def, sample.params, sample.inputs, { ...TEST_TEMPLATE, batch: 2 });
        const feed = feedFor(sample.inputs, node.outputs, def.category === 'input');
        for (const training of [false, true]) {
          const before = tf.memory().numTensors;
          for (let i = 0; i < 100; i++) {
            tf.tidy(() => {
              node.run(feed, training); // returning the result would keep it alive
            });
          }
          expect(tf.memory().numTensors, `${def.type} ${JSON.stringify(sample.params ?? {})} training=${training}`).toBe(before);
        }
        tf.dispose(Object.values(feed));
        node.dispose();
      }
    });
  }
});
