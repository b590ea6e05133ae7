/** Test helpers for the VGG19 stack and the perceptual loss (not part of the pack). */
import { writeSafetensors } from '../../../src/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/formats/safetensors.ts';
import { vgg19Convs } from '../training/vgg19.ts';
import type { Vgg19Widths } from '../training/vgg19.ts';

/** Reduced widths for tests: the real VGG19 at full width is ~80 MB of weights. */
export const SMALL_VGG_WIDTHS: Vgg19Widths = [2, 3, 4, 5, 5];

/** A safetensors file in torchvision's layout; `weightAt` gives PyTorch's w[o][i][ky][kx]. */
export function vggFile(widths: Vgg19Widths, weightAt: (conv: number, o: number, i: number, ky: number, kx: number) => number, extra: Record<string, TensorToWrite> = {}): Uint8Array {
  const tensors: Record<string, TensorToWrite> = {};
  vgg19Convs(widths).forEach((conv, n) => {
    const w: number[] = [];
    for (let o = 0; o < conv.outChannels; o++)
      for (let i = 0; i < conv.inChannels; i++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) w.push(weightAt(n, o, i, ky, kx));
    tensors[`features.${conv.index}.weight`] = { shape: [conv.outChannels, conv.inChannels, 3, 3], values: w };
    tensors[`features.${conv.index}.bias`] = { shape: [conv.outChannels], values: new Array(conv.outChannels).fill(0) };
  });
  return writeSafetensors({ ...tensors, ...extra });
}

/** Every conv copies input channel 0 to output channel 0 (centre tap), so features are max-pools of relu(R). */
export const identityTap = (_conv: number, o: number, i: number, ky: number, kx: number) => (o === 0 && i === 0 && ky === 1 && kx === 1 ? 1 : 0);
