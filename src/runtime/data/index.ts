/**
 * Datasets for training and evaluation, platform-neutral (browser and Node). The Node directory
 * source lives in node-file-source.ts so the app bundle never pulls in node:fs.
 */
export * from './errors.ts';
export * from './raster.ts';
export * from './resample.ts';
export * from './codecs.ts';
export { currentImageDecoder, installDefaultImageDecoder, readIds, readRgb, setImageDecoder, type ImageDecoder } from './image-decoder.ts';
export * from './file-source.ts';
export * from './random-access.ts';
export { readZipIndex, ZIP_INDEX_LIMITS, type ZipEntry, type ZipIndexLimits, type ZipIndexOptions } from './zip-index.ts';
export * from './zip-source.ts';
export * from './dataset.ts';
export * from './preprocess.ts';
export * from './labels.ts';
export { pairedDataset, pairFiles, findRoot, type PairEntry, type PairedConfig } from './paired.ts';
export * from './cityscapes.ts';
export * from './ade20k.ts';
export * from './crossview.ts';
export * from './generic.ts';
export * from './feeds.ts';
export * from './synthetic/classes.ts';
export { syntheticScenes, SYNTHETIC_VERSION, type SyntheticDataset, type SyntheticSceneOptions } from './synthetic/dataset.ts';
