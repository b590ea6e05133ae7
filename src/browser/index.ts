/**
 * Training in the browser, page side: the client that runs a training Web Worker, its message
 * protocol, the backend policy (webgpu → webgl → cpu, or forced; never wasm) and the autosaves.
 * Page-safe: nothing here loads tfjs; the worker (training-worker.ts, session.ts) does.
 */
export { TrainingClient, type ClientEvent, type ClientState, type CrashEvent, type TrainingClientOptions, type WorkerLike } from './client.ts';
export * from './protocol.ts';
export { BACKEND_SETTINGS, TRAINING_BACKENDS, backendsFor, describeChoice, parseBackendSetting, type BackendAttempt, type BackendChoice, type BackendSetting, type BrowserBackend } from './backend.ts';
export { listAutosaves, autosaveInfo, type AutosaveInfo, type ResolvedRunSpec } from './autosave.ts';
