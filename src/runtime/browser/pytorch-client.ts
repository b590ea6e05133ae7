/**
 * The page's handle on PyTorch checkpoints: a worker (pytorch-worker.ts) started on first use,
 * with promise-returning import / export calls. Page-safe: no tfjs here.
 */
import type { WorkerLike } from './client.ts';
import { GenerateError } from './generate-client.ts';
import type { ExportedMessage, ImportedMessage, ImportMode, ImportRefusedMessage, PytorchPageMessage, PytorchWorkerMessage } from './pytorch-protocol.ts';

type PytorchWorkerLike = Omit<WorkerLike, 'postMessage' | 'onmessage'> & {
  postMessage(message: PytorchPageMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PytorchWorkerMessage>) => void) | null;
};

function defaultWorker(): PytorchWorkerLike {
  return new Worker(new URL('./pytorch-worker.ts', import.meta.url), { type: 'module', name: 'lggan-pytorch' }) as unknown as PytorchWorkerLike;
}

export class PytorchClient {
  private worker: PytorchWorkerLike | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: PytorchWorkerMessage) => void; reject: (e: Error) => void }>();

  constructor(private readonly createWorker: () => PytorchWorkerLike = defaultWorker) {}

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

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the PyTorch checkpoint worker was closed'));
    this.pending.clear();
  }

  private ensureWorker(): PytorchWorkerLike {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event) => {
      const message = event.data;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      // The worker's RunError, as an Error (the class generation requests reject with).
      if (message.type === 'error') p.reject(new GenerateError(message.error));
      else p.resolve(message);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const reason = new Error(`the PyTorch checkpoint worker failed: ${event.message || 'unknown error'}`);
      this.worker = undefined;
      worker.terminate();
      for (const p of this.pending.values()) p.reject(reason);
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }

  private request(message: PytorchPageMessage, transfer: Transferable[]): Promise<PytorchWorkerMessage> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }
}
