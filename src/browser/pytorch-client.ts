/**
 * The page's handle on PyTorch checkpoints: a worker (pytorch-worker.ts) started on first use,
 * with promise-returning import / export calls. Page-safe: no tfjs here.
 */
import { RequestWorkerClient, type RequestWorkerLike } from './request-worker.ts';
import type { ExportedMessage, ImportedMessage, ImportMode, ImportRefusedMessage, PytorchPageMessage, PytorchWorkerMessage } from './pytorch-protocol.ts';

type PytorchWorkerLike = RequestWorkerLike<PytorchPageMessage, PytorchWorkerMessage>;

function defaultWorker(): PytorchWorkerLike {
  return new Worker(new URL('./pytorch-worker.ts', import.meta.url), { type: 'module', name: 'lggan-pytorch' }) as unknown as PytorchWorkerLike;
}

export class PytorchClient extends RequestWorkerClient<PytorchPageMessage, PytorchWorkerMessage> {
  constructor(createWorker: () => PytorchWorkerLike = defaultWorker) {
    super('the PyTorch checkpoint worker', createWorker);
  }

  /**
   * Imports a .pth state_dict into network `network` (default G) of the graph. Resolves with the
   * imported checkpoint, or with the report of a strict import that was refused (nothing imported).
   */
  async importPth(graph: unknown, bytes: Uint8Array, fileName: string, options: { network?: string; mode?: ImportMode } = {}): Promise<ImportedMessage | ImportRefusedMessage> {
    const copy = bytes.slice() as Uint8Array<ArrayBuffer>;
    return (await this.request({ type: 'import-pth', id: 0, graph, bytes: copy, fileName, network: options.network, mode: options.mode }, [copy.buffer])) as ImportedMessage | ImportRefusedMessage;
  }

  /** Network `network` (default G) of a .safetensors checkpoint of the graph, as .pth bytes. */
  async exportPth(graph: unknown, checkpoint: Uint8Array, network?: string): Promise<ExportedMessage> {
    const copy = checkpoint.slice() as Uint8Array<ArrayBuffer>;
    return (await this.request({ type: 'export-pth', id: 0, graph, checkpoint: copy, network }, [copy.buffer])) as ExportedMessage;
  }
}
