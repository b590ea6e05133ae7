/** 8-bit images ready to be written: grey (1 channel) or RGB (3), rows top to bottom, channels interleaved. */
export interface ByteImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export function blankImage(width: number, height: number, channels: 1 | 3, fill = 0): ByteImage {
  return { width, height, channels, data: new Uint8Array(width * height * channels).fill(fill) };
}
