/**
 * Checkpoints: program weights and optimiser state in one safetensors file with a run record.
 * Browser-safe; the directory store lives in `node-store.ts` (Node only) and is not re-exported.
 */
export * from './record.ts';
export * from './checkpoint.ts';
export { MemoryCheckpointStore, checkCheckpointName, type CheckpointEntry, type CheckpointStore, type StoredCheckpoint } from './store.ts';
export { IndexedDbCheckpointStore } from './indexeddb-store.ts';
export * from './carry.ts';
export * from './carry-text.ts';
