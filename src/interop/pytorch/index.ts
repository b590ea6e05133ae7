/**
 * PyTorch checkpoint interop (browser and Node; no Node APIs): read torch.save files (zip and
 * legacy), import official LGGAN state_dicts into graph variables, export them back as `.pth`.
 */
export { TorchCheckpointError } from './errors.ts';
export { readTorchCheckpoint, type TorchCheckpoint } from './read.ts';
export { extractStateDict, type StateDict, type StateDictOptions } from './state-dict.ts';
export { tensorToFloat32, tensorValues, type TorchDtype, type TorchTensor } from './tensor.ts';
export { writeTorchCheckpoint, type TensorToSave, type WriteOptions } from './write.ts';
export { networkMapping, officialNetworks, type NetworkMapping } from './mapping.ts';
export {
  CheckpointImportError,
  assignImportedWeights,
  describeImportReport,
  importCheckpointBytes,
  importStateDict,
  importedWeightsToSafetensors,
  type ImportOptions,
  type ImportReport,
  type ImportResult,
  type ImportedWeight,
} from './import.ts';
export { exportCheckpointBytes, exportProgramCheckpoint, exportStateDict, safetensorsLookup, type ExportOptions, type ExportReport, type WeightLookup } from './export.ts';
