/**
 * The page's handle on training: starts a worker per run, relays pause / resume / stop, and
 * passes on everything the worker reports. Autosaves: `listAutosaves()` / `findAutosave()` offer
 * what a reload left behind and `resumeFrom()` continues it; when the worker itself dies (its
 * 'error' event: out of memory, a lost device, a crash in tfjs) the client restarts it from the
 * run's last autosave on its own, at most `maxRestarts` times per run.
 *
 * Page-safe: no tfjs here; the worker loads it.
 */
import type { CheckpointStore } from '../runtime/checkpoint/store.ts';
import { listAutosaves, type AutosaveInfo } from './autosave.ts';
import { autosaveKey, type PageMessage, type RunSpec, type SnapshotMessage, type StartMessage, type WorkerMessage } from './protocol.ts';
import { pageWasmThreads } from './wasm-threads.ts';

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerLike {
  postMessage(message: PageMessage): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export type ClientState = 'idle' | 'starting' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** The worker died; `action` says what the client did about it. */
export interface CrashEvent {
  type: 'crashed';
  message: string;
  action: 'resuming' | 'no-autosave' | 'gave-up';
  /** The autosave's step the restarted worker continues from (action 'resuming'). */
  fromStep?: number;
}

export type ClientEvent = WorkerMessage | CrashEvent;

export interface TrainingClientOptions {
  createWorker?: () => WorkerLike;
  /** Where autosaves are listed from (default: the browser's IndexedDB store, opened on first use). */
  store?: Pick<CheckpointStore, 'list'>;
  /** Automatic restarts after worker crashes, per run (default 2). */
  maxRestarts?: number;
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module', name: 'lggan-training' });
}

async function defaultStore(): Promise<Pick<CheckpointStore, 'list'>> {
  const { IndexedDbCheckpointStore } = await import('../runtime/checkpoint/indexeddb-store.ts');
  return new IndexedDbCheckpointStore();
}

const FINAL_STATES: readonly ClientState[] = ['finished', 'stopped', 'failed'];

export class TrainingClient {
  private worker: WorkerLike | undefined;
  private listeners = new Set<(event: ClientEvent) => void>();
  private current: { start: StartMessage; key?: string; restarts: number } | undefined;
  private store: Promise<Pick<CheckpointStore, 'list'>> | undefined;
  private readonly createWorker: () => WorkerLike;
  private readonly maxRestarts: number;
  private _state: ClientState = 'idle';
  private nextSnapshot = 1;
  private snapshots = new Map<number, { resolve: (s: SnapshotMessage) => void; reject: (e: Error) => void }>();

  constructor(private readonly options: TrainingClientOptions = {}) {
    this.createWorker = options.createWorker ?? defaultWorker;
    this.maxRestarts = options.maxRestarts ?? 2;
  }

  get state(): ClientState {
    return this._state;
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a run in a fresh worker (ending any run in progress); returns the run id. */
  start(graph: unknown, spec: RunSpec, options: { fromAutosave?: boolean; runId?: string; checkpoint?: Uint8Array<ArrayBuffer>; carryOver?: boolean } = {}): string {
    const runId = options.runId ?? crypto.randomUUID();
    const start: StartMessage = { type: 'start', graph, spec, runId, fromAutosave: options.fromAutosave ?? false };
    if (options.checkpoint) start.checkpoint = options.checkpoint;
    if (options.checkpoint && options.carryOver) start.carryOver = true;
    const wasmThreads = pageWasmThreads();
    if (wasmThreads !== undefined) start.wasmThreads = wasmThreads;
    this.current = { start, restarts: 0 };
    this.launch(start);
    return runId;
  }

  /** Continues an autosaved run (same run id, spec and graph); `steps` can extend it. */
  resumeFrom(autosave: AutosaveInfo, overrides: Partial<Pick<RunSpec, 'steps' | 'backend' | 'dataset'>> = {}): string {
    return this.start(autosave.graph, { ...autosave.spec, ...overrides }, { fromAutosave: true, runId: autosave.runId });
  }

  pause(): void {
    this.worker?.postMessage({ type: 'pause' });
  }

  resume(): void {
    this.worker?.postMessage({ type: 'resume' });
  }

  /** Asks the run to stop after its current step (it autosaves, then reports 'stopped'). */
  stop(): void {
    this.worker?.postMessage({ type: 'stop' });
  }

  /**
   * The running run's weights and optimiser state as checkpoint bytes (taken between steps, also
   * while paused). Rejects when no run is in progress or it ends first.
   */
  snapshot(): Promise<SnapshotMessage> {
    const worker = this.worker;
    if (!worker || FINAL_STATES.includes(this._state) || this._state === 'idle') return Promise.reject(new Error('no run in progress to take a snapshot of'));
    const id = this.nextSnapshot++;
    return new Promise((resolve, reject) => {
      this.snapshots.set(id, { resolve, reject });
      worker.postMessage({ type: 'snapshot', id });
    });
  }

  /** Autosaves in the store, newest first. */
  async listAutosaves(): Promise<AutosaveInfo[]> {
    this.store ??= this.options.store ? Promise.resolve(this.options.store) : defaultStore();
    return listAutosaves(await this.store);
  }

  /** The autosave of a graph, by its graph hash (StartedMessage.graphHash, graphHash(doc)). */
  async findAutosave(graphHash: string): Promise<AutosaveInfo | null> {
    const key = autosaveKey(graphHash);
    return (await this.listAutosaves()).find((a) => a.key === key) ?? null;
  }

  /** Ends the worker at once (no autosave) and forgets the run. */
  dispose(): void {
    this.endWorker();
    this.current = undefined;
    this.listeners.clear();
  }

  private launch(start: StartMessage): void {
    this.endWorker();
    const worker = this.createWorker();
    this.worker = worker;
    worker.onmessage = (event) => {
      if (this.worker === worker) this.receive(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (this.worker === worker) void this.crashed(event.message || 'the training worker failed');
    };
    worker.onmessageerror = () => {
      if (this.worker === worker) void this.crashed('a message from the training worker could not be read');
    };
    this.setState('starting');
    worker.postMessage(start);
  }

  private endWorker(): void {
    for (const pending of this.snapshots.values()) pending.reject(new Error('the run ended before its snapshot was taken'));
    this.snapshots.clear();
    if (!this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    worker.onmessage = worker.onerror = worker.onmessageerror = null;
    worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'started':
        if (this.current) this.current.key = message.autosaveKey;
        this.setState('running');
        break;
      case 'state':
        // 'pausing' is still running: the page shows it from the event.
        if (message.state !== 'pausing') this.setState(message.state);
        break;
      case 'finished':
      case 'stopped':
        this.setState(message.type);
        break;
      case 'error':
        this.setState('failed');
        break;
      case 'snapshot': {
        const pending = this.snapshots.get(message.id);
        this.snapshots.delete(message.id);
        pending?.resolve(message);
        break;
      }
    }
    this.emit(message);
    // A run that has ended frees its worker (and the GPU memory it holds).
    if (FINAL_STATES.includes(this._state)) this.endWorker();
  }

  private async crashed(message: string): Promise<void> {
    this.endWorker();
    const run = this.current;
    if (!run || run.restarts >= this.maxRestarts) {
      this.setState('failed');
      this.emit({ type: 'crashed', message, action: 'gave-up' });
      return;
    }
    let autosave: AutosaveInfo | undefined;
    try {
      autosave = run.key ? (await this.listAutosaves()).find((a) => a.key === run.key && a.runId === run.start.runId) : undefined;
    } catch {
      autosave = undefined;
    }
    if (this.current !== run) return; // a new run was started meanwhile
    if (!autosave) {
      this.setState('failed');
      this.emit({ type: 'crashed', message, action: 'no-autosave' });
      return;
    }
    run.restarts += 1;
    this.emit({ type: 'crashed', message, action: 'resuming', fromStep: autosave.step });
    const restart: StartMessage = { ...run.start, fromAutosave: true, checkpoint: undefined };
    run.start = restart;
    this.launch(restart);
  }

  private setState(state: ClientState): void {
    this._state = state;
  }

  private emit(event: ClientEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
