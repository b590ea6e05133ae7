import { encodePng } from '../data/codecs.ts';
import type { ByteImage } from './types.ts';

/** An 8-bit grey or RGB PNG of the image. */
export function imageToPng(image: ByteImage): Uint8Array {
  return encodePng({ width: image.width, height: image.height, channels: image.channels, data: image.data });
}
