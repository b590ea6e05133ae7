/**
 * The page's handle on generation: a worker (generate-worker.ts) started on first use, with
 * promise-returning load / generate calls. Page-safe: no tfjs here.
 */
import type { BackendSetting } from './backend.ts';
import type { GeneratedMessage, GeneratePageMessage, GenerateWorkerMessage, IdMap, LoadedMessage } from './generate-protocol.ts';
import type { DatasetSpec, SampleImage } from './protocol.ts';
import { RequestWorkerClient, type RequestWorkerLike } from './request-worker.ts';
import { pageWasmThreads } from './wasm-threads.ts';

export { GenerateError } from './request-worker.ts';

type GenerateWorkerLike = RequestWorkerLike<GeneratePageMessage, GenerateWorkerMessage>;

function defaultWorker(): GenerateWorkerLike {
  return new Worker(new URL('./generate-worker.ts', import.meta.url), { type: 'module', name: 'lggan-generate' }) as unknown as GenerateWorkerLike;
}

export class GenerateClient extends RequestWorkerClient<GeneratePageMessage, GenerateWorkerMessage> {
  constructor(createWorker: () => GenerateWorkerLike = defaultWorker) {
    super('the generation worker', createWorker);
  }

  /** Compiles the graph in the worker with initial weights or the checkpoint's (checked against the generator). */
  async load(graph: unknown, options: { checkpoint?: Uint8Array<ArrayBuffer>; backend?: BackendSetting } = {}): Promise<LoadedMessage> {
    return (await this.request({ type: 'load', id: 0, graph, checkpoint: options.checkpoint?.slice(), backend: options.backend, wasmThreads: pageWasmThreads() })) as LoadedMessage;
  }

  async generate(labels: IdMap, aerial?: SampleImage): Promise<GeneratedMessage> {
    return (await this.request({ type: 'generate', id: 0, labels: { ...labels, data: labels.data.slice() }, aerial })) as GeneratedMessage;
  }

  /** Generates from sample `index` of a run's dataset (fitted to the loaded graph); the reply's `sample` holds its condition and real image. */
  async generateSample(dataset: DatasetSpec, index: number): Promise<GeneratedMessage> {
    return (await this.request({ type: 'generate-sample', id: 0, dataset, index })) as GeneratedMessage;
  }
}
