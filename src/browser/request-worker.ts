/**
 * A page-side client for a request/response worker: the worker starts on first use, every request
 * carries an id that its reply echoes, an `error` reply rejects with the worker's RunError, and a
 * crashed worker rejects everything pending (the next request starts a fresh one). Page-safe: no
 * tfjs here. Used by the generation and PyTorch-checkpoint clients.
 */
import type { WorkerLike } from './client.ts';
import type { RunError } from './protocol.ts';

/** A failed request: the worker's RunError, as an Error. */
export class GenerateError extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
    this.name = 'GenerateError';
  }
}

/** What every reply has: the request's id, and `type: 'error'` with a RunError when it failed. */
export type WorkerReply = { id: number } & ({ type: 'error'; error: RunError } | { type: string });

export type RequestWorkerLike<Request, Reply> = Omit<WorkerLike, 'postMessage' | 'onmessage'> & {
  postMessage(message: Request, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Reply>) => void) | null;
};

export class RequestWorkerClient<Request extends { id: number }, Reply extends WorkerReply> {
  private worker: RequestWorkerLike<Request, Reply> | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: Reply) => void; reject: (e: Error) => void }>();

  /** `name` says which worker in error messages ("the generation worker"). */
  constructor(
    private readonly name: string,
    private readonly createWorker: () => RequestWorkerLike<Request, Reply>,
  ) {}

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error(`${this.name} was closed`));
    this.pending.clear();
  }

  protected request(message: Request, transfer: Transferable[] = []): Promise<Reply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  private ensureWorker(): RequestWorkerLike<Request, Reply> {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event) => {
      const message = event.data;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.type === 'error' && 'error' in message) p.reject(new GenerateError(message.error));
      else p.resolve(message);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const reason = new Error(`${this.name} failed: ${event.message || 'unknown error'}`);
      this.worker = undefined;
      worker.terminate();
      for (const p of this.pending.values()) p.reject(reason);
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}
