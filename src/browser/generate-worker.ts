/**
 * The generation Web Worker: one GenerateSession, wired to the worker's port and the browser
 * backends. Started by generate-client.ts.
 */
import { backendMeasure, probeBackend, requestWasmThreads } from './tf-browser.ts';
import { selectBackend } from './backend.ts';
import type { GeneratePageMessage, GenerateWorkerMessage } from './generate-protocol.ts';
import { GenerateSession } from './generate-session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const session = new GenerateSession({
  post: (message: GenerateWorkerMessage, transfer: Transferable[] = []) => scope.postMessage(message, transfer),
  selectBackend: (setting) => selectBackend(setting, probeBackend, backendMeasure),
});

scope.addEventListener('message', (event: MessageEvent<GeneratePageMessage>) => {
  // Before the session picks its backend: the wasm pool's size is fixed when wasm first starts.
  if (event.data.type === 'load') requestWasmThreads(event.data.wasmThreads);
  void session.handle(event.data);
});
