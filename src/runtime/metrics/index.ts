/** Image quality metrics for generated images (cross-view protocol: SSIM, PSNR, SD). */
export * from './images.ts';
export * from './psnr.ts';
export * from './ssim.ts';
export * from './sharpness.ts';
export * from './evaluate.ts';
