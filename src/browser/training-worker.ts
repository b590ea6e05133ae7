/**
 * The training Web Worker: one TrainingSession per worker, wired to the worker's message port,
 * IndexedDB and the browser backends. Started by client.ts as
 * `new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module' })`.
 */
import { NODE_PACK_VERSION as nodePackVersion } from '../../nodes/version.ts';
import { IndexedDbCheckpointStore } from '../runtime/checkpoint/indexeddb-store.ts';
import { backendMeasure, probeBackend, requestWasmThreads } from './tf-browser.ts';
import { selectBackend } from './backend.ts';
import { browserMemoryLimits } from './memory-limits.ts';
import { IndexedDbRunStore } from './run-store.ts';
import type { PageMessage, WorkerMessage } from './protocol.ts';
import { TrainingSession } from './session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const session = new TrainingSession({
  post: (message: WorkerMessage, transfer: Transferable[] = []) => scope.postMessage(message, transfer),
  store: new IndexedDbCheckpointStore(),
  runs: new IndexedDbRunStore(),
  selectBackend: (setting) => selectBackend(setting, probeBackend, backendMeasure),
  memoryLimits: browserMemoryLimits,
  nodePackVersion,
});

scope.addEventListener('message', (event: MessageEvent<PageMessage>) => {
  // Before the session picks its backend: the wasm pool's size is fixed when wasm first starts.
  if (event.data.type === 'start') requestWasmThreads(event.data.wasmThreads);
  session.handle(event.data);
});
