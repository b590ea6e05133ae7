/**
 * The PyTorch checkpoint Web Worker: one PytorchSession on tfjs-cpu, wired to the worker's port.
 * Started by pytorch-client.ts on first use.
 */
import { NODE_PACK_VERSION as nodePackVersion } from '../../nodes/version.ts';
import { probeBackend } from './tf-browser.ts';
import { selectBackend } from './backend.ts';
import type { PytorchPageMessage, PytorchWorkerMessage } from './pytorch-protocol.ts';
import { PytorchSession } from './pytorch-session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const session = new PytorchSession({
  post: (message: PytorchWorkerMessage, transfer: Transferable[] = []) => scope.postMessage(message, transfer),
  // Only ever 'cpu' (values pass through; nothing is computed): no measurement needed.
  selectBackend: (setting) => selectBackend(setting, probeBackend),
  nodePackVersion,
});

scope.addEventListener('message', (event: MessageEvent<PytorchPageMessage>) => void session.handle(event.data));
