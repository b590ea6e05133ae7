/**
 * The page's handle on generation: a worker (generate-worker.ts) started on first use, with
 * promise-returning load / generate calls. Page-safe: no tfjs here.
 */
import type { BackendSetting } from './backend.ts';
import type { GeneratedMessage, GeneratePageMessage, GenerateWorkerMessage, IdMap, LoadedMessage } from './generate-protocol.ts';
import type { DatasetSpec, RunError, SampleImage } from './protocol.ts';
import type { WorkerLike } from './client.ts';

/** A failed request: the worker's RunError, as an Error. */
export class GenerateError extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
    this.name = 'GenerateError';
  }
}

type GenerateWorkerLike = Omit<WorkerLike, 'postMessage' | 'onmessage'> & {
  postMessage(message: GeneratePageMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<GenerateWorkerMessage>) => void) | null;
};

function defaultWorker(): GenerateWorkerLike {
  return new Worker(new URL('./generate-worker.ts', import.meta.url), { type: 'module', name: 'lggan-generate' }) as unknown as GenerateWorkerLike;
}

export class GenerateClient {
  private worker: GenerateWorkerLike | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: GenerateWorkerMessage) => void; reject: (e: Error) => void }>();

  constructor(private readonly createWorker: () => GenerateWorkerLike = defaultWorker) {}

  /** Compiles the graph in the worker with initial weights or the checkpoint's (checked against the generator). */
  async load(graph: unknown, options: { checkpoint?: Uint8Array<ArrayBuffer>; backend?: BackendSetting } = {}): Promise<LoadedMessage> {
    return (await this.request({ type: 'load', id: 0, graph, checkpoint: options.checkpoint?.slice(), backend: options.backend })) as LoadedMessage;
  }

  async generate(labels: IdMap, aerial?: SampleImage): Promise<GeneratedMessage> {
    return (await this.request({ type: 'generate', id: 0, labels: { ...labels, data: labels.data.slice() }, aerial })) as GeneratedMessage;
  }

  /** Generates from sample `index` of a run's dataset (fitted to the loaded graph); the reply's `sample` holds its condition and real image. */
  async generateSample(dataset: DatasetSpec, index: number): Promise<GeneratedMessage> {
    return (await this.request({ type: 'generate-sample', id: 0, dataset, index })) as GeneratedMessage;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the generation worker was closed'));
    this.pending.clear();
  }

  private ensureWorker(): GenerateWorkerLike {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event) => {
      const message = event.data;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.type === 'error') p.reject(new GenerateError(message.error));
      else p.resolve(message);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const reason = new Error(`the generation worker failed: ${event.message || 'unknown error'}`);
      this.worker = undefined;
      worker.terminate();
      for (const p of this.pending.values()) p.reject(reason);
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }

  private request(message: GeneratePageMessage): Promise<GenerateWorkerMessage> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }
}
