/**
 * Messages between the page and the PyTorch checkpoint worker (pytorch-worker.ts): import an
 * official `.pth` state_dict into one of our checkpoints, export a checkpoint's network as `.pth`.
 * Every request carries an id that its answer repeats. Structured-clone safe; page-safe (types only).
 */
import type { ExportReport } from '../interop/pytorch/export.ts';
import type { ImportReport } from '../interop/pytorch/import.ts';
import type { RunError } from './protocol.ts';

export type ImportMode = 'strict' | 'partial';

export interface ImportPthRequest {
  type: 'import-pth';
  id: number;
  /** The graph document the weights are for. */
  graph: unknown;
  /** The .pth file's bytes. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Named in messages and in the checkpoint's run record. */
  fileName: string;
  /** The graph network the file holds (default "G"). */
  network?: string;
  /** Default 'strict'. */
  mode?: ImportMode;
}

export interface ExportPthRequest {
  type: 'export-pth';
  id: number;
  graph: unknown;
  /** One of our .safetensors checkpoints of the graph. */
  checkpoint: Uint8Array<ArrayBuffer>;
  /** Default "G". */
  network?: string;
}

export type PytorchPageMessage = ImportPthRequest | ExportPthRequest;

export interface ImportedMessage {
  type: 'imported';
  id: number;
  report: ImportReport;
  /** describeImportReport's lines. */
  lines: string[];
  /**
   * A weights-only .safetensors checkpoint of the whole graph: the imported network's variables
   * from the file, every other variable (other networks, variables without an official key, and in
   * partial mode the missing ones) at the graph's seeded initial values.
   */
  checkpoint: Uint8Array<ArrayBuffer>;
  ms: number;
}

/** Strict mode found keys that do not fit: nothing was imported; the report says what. */
export interface ImportRefusedMessage {
  type: 'import-refused';
  id: number;
  report: ImportReport;
  lines: string[];
  message: string;
}

export interface ExportedMessage {
  type: 'exported';
  id: number;
  /** A torch.save zip archive of the network's official state_dict. */
  bytes: Uint8Array<ArrayBuffer>;
  report: ExportReport;
  lines: string[];
}

export interface PytorchErrorMessage {
  type: 'error';
  id: number;
  error: RunError;
}

export type PytorchWorkerMessage = ImportedMessage | ImportRefusedMessage | ExportedMessage | PytorchErrorMessage;
