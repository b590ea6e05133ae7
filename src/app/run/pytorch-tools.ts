/**
 * What the checkpoint list needs for PyTorch files, and the pure parts of showing them: the
 * counts of an import report, the checkpoint entry an import becomes, and .pth file names.
 * Page-safe: types only from the interop and worker modules.
 */
import type { ImportReport } from '../../interop/pytorch/import.ts';
import type { ExportedMessage, ImportedMessage, ImportMode, ImportRefusedMessage } from '../../browser/pytorch-protocol.ts';

export interface PytorchTools {
  /** Networks of the graph that have official keys (what a .pth can hold), G first. */
  networks: string[];
  importPth(bytes: Uint8Array, fileName: string, network: string, mode: ImportMode): Promise<ImportedMessage | ImportRefusedMessage>;
  /** Exports network `network` of a checkpoint's weights (checked against the graph they were made for). */
  exportPth(bytes: Uint8Array, graph: unknown, network: string): Promise<ExportedMessage>;
}

export interface ReportCount {
  name: 'mapped' | 'converted' | 'ignored' | 'missing' | 'unexpected' | 'misshaped' | 'uncovered';
  count: number;
  /** Whether a nonzero count means something did not fit (strict mode refuses it). */
  problem: boolean;
}

export function reportCounts(r: ImportReport): ReportCount[] {
  return [
    { name: 'mapped', count: r.mapped.length, problem: false },
    { name: 'converted', count: r.converted.length, problem: false },
    { name: 'ignored', count: r.ignored.length, problem: false },
    { name: 'missing', count: r.missing.length, problem: true },
    { name: 'unexpected', count: r.unexpected.length, problem: true },
    { name: 'misshaped', count: r.misshaped.length, problem: true },
    { name: 'uncovered', count: r.uncovered.length, problem: true },
  ];
}

/** G first, then the others in graph order. */
export function orderNetworks(networks: readonly string[]): string[] {
  return [...networks].sort((a, b) => (a === 'G' ? -1 : b === 'G' ? 1 : 0));
}

/** "<graph>-step-000120-G.pth" (or "<file>-G.pth" for a checkpoint without a step), file-system safe. */
export function pthFileName(base: string, step: number | null, network: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  const stem = safe(base.replace(/\.(safetensors|pth|pt)$/i, '')) || 'graph';
  return `${stem}${step === null ? '' : `-step-${String(step).padStart(6, '0')}`}-${safe(network) || 'G'}.pth`;
}
