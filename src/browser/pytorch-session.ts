/**
 * PyTorch checkpoints in a worker, off the page's thread (a full-size LGGAN G is ~450 MB of
 * float32 to unpickle, check and re-lay out):
 *
 * - import: the `.pth` state_dict is mapped onto one network of a freshly compiled program of the
 *   graph (tfjs-cpu: the values only pass through), then the whole program is saved as one of our
 *   weights-only `.safetensors` checkpoints. So the result loads strictly for training and for
 *   generation: the other networks, and variables no official key covers, keep the graph's seeded
 *   initial values (the report lists them).
 * - export: the checkpoint's variables are read straight from its safetensors file and written in
 *   the official order and PyTorch layout (`exportCheckpointBytes` on the resolved graph): no
 *   program is compiled and no tfjs memory is used, so exporting any checkpoint of any size costs
 *   only the copy.
 *
 * Free of worker globals, so it runs under vitest on tfjs-cpu.
 */
import { compileDocument, orThrow, resolveDocument, type ResolvedDocument } from '../compiler/open-program.ts';
import { createRegistry, type NodeRegistry } from '../../nodes/index.ts';
import { exportCheckpointBytes, safetensorsLookup, type ExportReport } from '../interop/pytorch/export.ts';
import { TorchCheckpointError } from '../interop/pytorch/errors.ts';
import { CheckpointImportError, describeImportReport, importCheckpointBytes, type ImportReport } from '../interop/pytorch/import.ts';
import { saveCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { runRecordFor } from '../runtime/checkpoint/record.ts';
import { readSafetensors } from '../formats/safetensors.ts';
import type { BackendChoice, BackendSetting } from './backend.ts';
import { RunSetupError, toRunError } from './errors.ts';
import type { ExportPthRequest, ImportPthRequest, PytorchPageMessage, PytorchWorkerMessage } from './pytorch-protocol.ts';

export interface PytorchHost {
  post(message: PytorchWorkerMessage, transfer?: Transferable[]): void;
  /** Makes a backend active; the session asks for 'cpu' once, before its first import. */
  selectBackend(setting: BackendSetting): Promise<BackendChoice>;
  /** Goes into the imported checkpoint's run record. */
  nodePackVersion: string;
  registry?: NodeRegistry;
  now?: () => number;
}

/** The run record's extra.imported of an imported checkpoint: where its weights came from. */
export interface ImportOrigin {
  file: string;
  network: string;
  mode: 'strict' | 'partial';
  format: 'zip' | 'legacy';
  mapped: number;
  converted: number;
  missing: number;
  unexpected: number;
  misshaped: number;
  uncovered: number;
}

export const IMPORT_EXTRA_KEY = 'imported';

/** The export report as lines for the page. */
export function describeExportReport(r: ExportReport): string[] {
  const lines = [`network ${r.network}: ${r.written.length} official keys written from the weights, ${r.filled.length} filled with neutral values`];
  const reasons = new Map<string, number>();
  for (const f of r.filled) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
  for (const [reason, count] of reasons) lines.push(`filled ${count}: ${reason}`);
  return lines;
}

function originOf(report: ImportReport, file: string): ImportOrigin {
  return {
    file,
    network: report.network,
    mode: report.mode,
    format: report.format,
    mapped: report.mapped.length,
    converted: report.converted.length,
    missing: report.missing.length,
    unexpected: report.unexpected.length,
    misshaped: report.misshaped.length,
    uncovered: report.uncovered.length,
  };
}

export class PytorchSession {
  private queue: Promise<void> = Promise.resolve();
  private backend: Promise<BackendChoice> | undefined;
  private readonly registry: NodeRegistry;
  private readonly now: () => number;

  constructor(private readonly host: PytorchHost) {
    this.registry = host.registry ?? createRegistry();
    this.now = host.now ?? (() => performance.now());
  }

  /** Requests are handled one at a time, in order. Settles when this one is done. */
  handle(message: PytorchPageMessage): Promise<void> {
    this.queue = this.queue.then(async () => {
      try {
        if (message.type === 'import-pth') await this.importPth(message);
        else if (message.type === 'export-pth') this.exportPth(message);
        else throw new RunSetupError('spec', `unknown request ${JSON.stringify((message as { type?: unknown }).type)}`);
      } catch (e) {
        this.host.post({ type: 'error', id: message.id, error: toRunError(e) });
      }
    });
    return this.queue;
  }

  private graphOf(value: unknown): ResolvedDocument {
    return orThrow(resolveDocument({ value }, { registry: this.registry, batch: 1 }));
  }

  private async importPth(message: ImportPthRequest): Promise<void> {
    const started = this.now();
    this.backend ??= this.host.selectBackend('cpu');
    await this.backend;
    const { program } = orThrow(compileDocument(this.graphOf(message.graph)));
    try {
      let result;
      try {
        result = importCheckpointBytes(message.bytes, program, { network: message.network, mode: message.mode });
      } catch (e) {
        if (e instanceof CheckpointImportError) {
          this.host.post({ type: 'import-refused', id: message.id, report: e.report, lines: describeImportReport(e.report), message: `${message.fileName}: ${e.message}` });
          return;
        }
        if (e instanceof TorchCheckpointError) throw new RunSetupError('checkpoint', `${message.fileName}: ${e.message}`);
        throw e;
      }
      const record = runRecordFor(program, { nodePackVersion: this.host.nodePackVersion, step: 0, extra: { [IMPORT_EXTRA_KEY]: originOf(result.report, message.fileName) } });
      const checkpoint = (await saveCheckpoint(program, { record })) as Uint8Array<ArrayBuffer>;
      this.host.post(
        { type: 'imported', id: message.id, report: result.report, lines: describeImportReport(result.report), checkpoint, ms: this.now() - started },
        [checkpoint.buffer],
      );
    } finally {
      program.dispose();
    }
  }

  private exportPth(message: ExportPthRequest): void {
    const { ir } = this.graphOf(message.graph);
    let file;
    try {
      file = readSafetensors(message.checkpoint);
    } catch (e) {
      throw new RunSetupError('checkpoint', `the checkpoint is not a readable .safetensors file: ${(e as Error).message}`);
    }
    let exported;
    try {
      exported = exportCheckpointBytes(ir, safetensorsLookup(file), { network: message.network });
    } catch (e) {
      if (e instanceof TorchCheckpointError) throw new RunSetupError('checkpoint', e.message);
      throw e;
    }
    const bytes = exported.bytes as Uint8Array<ArrayBuffer>;
    this.host.post({ type: 'exported', id: message.id, bytes, report: exported.report, lines: describeExportReport(exported.report) }, [bytes.buffer]);
  }
}
