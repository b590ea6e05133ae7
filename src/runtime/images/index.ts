/**
 * Images for people to look at: generated tensors and label maps as 8-bit PNGs, and sample grids.
 * Platform-neutral (no node:fs): the CLI writes the bytes, the app can show or download them.
 */
export * from './types.ts';
export * from './palette.ts';
export * from './convert.ts';
export * from './grid.ts';
export * from './png.ts';
