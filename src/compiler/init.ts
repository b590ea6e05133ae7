/**
 * Initial values for a variable, following the official LGGAN/SPADE schemes: conv and linear
 * weights from the graph's scheme (xavier-normal with gain 0.02 by default), biases zero, affine
 * norm scales normal(1, 0.02), spectral-norm vectors normalised normals.
 */
import type { Initializer } from '../../nodes/contract.ts';
import type { InitSettings } from '../graph/document.ts';
import { normalStream, streamSeed } from './rng.ts';

export function weightStd(settings: InitSettings, fanIn: number, fanOut: number): number {
  switch (settings.scheme) {
    case 'xavier-normal':
      return settings.gain * Math.sqrt(2 / (fanIn + fanOut));
    case 'normal':
      return settings.gain;
    case 'kaiming-normal':
      // gain is the negative slope a of the following leaky ReLU (0 for ReLU), as PyTorch's kaiming_normal_.
      return Math.sqrt(2 / ((1 + settings.gain * settings.gain) * fanIn));
  }
}

export function initialValues(init: Initializer, size: number, settings: InitSettings, name: string): Float32Array {
  const out = new Float32Array(size);
  const normal = () => normalStream(streamSeed(settings.seed, name));
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'normal': {
      const draw = normal();
      for (let i = 0; i < size; i++) out[i] = init.mean + init.std * draw();
      return out;
    }
    case 'weight': {
      const std = weightStd(settings, init.fanIn, init.fanOut);
      const draw = normal();
      for (let i = 0; i < size; i++) out[i] = std * draw();
      return out;
    }
    case 'unit-normal-vector': {
      const draw = normal();
      let norm = 0;
      for (let i = 0; i < size; i++) {
        out[i] = draw();
        norm += out[i] * out[i];
      }
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < size; i++) out[i] /= norm;
      return out;
    }
  }
}
