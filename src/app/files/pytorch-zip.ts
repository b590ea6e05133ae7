/**
 * "Export to PyTorch" in the app: the graph's PyTorch training package (interop/pytorch-export)
 * as one zip file. A graph that cannot be exported comes back as diagnostics for the error
 * banner: the compiler's errors with their places, or the node that has no PyTorch form.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { ExportError, UnexportableNodeError, exportPytorchPackage } from '../../interop/pytorch-export/index.ts';
import { pytorchZipName } from './save-format.ts';

export type PytorchZipResult = { ok: true; fileName: string; bytes: Uint8Array; entries: string[] } | { ok: false; diagnostics: Diagnostic[] };

/** Entries carry this time, so that exporting the same graph twice gives the same bytes. */
const ENTRY_TIME = new Date(2000, 0, 1);

export function pytorchZip(doc: GraphDocument, registry: NodeRegistry): PytorchZipResult {
  // The exporter refuses a graph with errors in one message; the compiler's own diagnostics say
  // the same with their node, port and param, which the banner can show one by one.
  const problems = resolveGraph(doc, registry).diagnostics.filter((d) => d.severity === 'error');
  if (problems.length) return { ok: false, diagnostics: problems };
  let files: Map<string, string | Uint8Array>;
  try {
    files = exportPytorchPackage(doc, registry);
  } catch (e) {
    if (e instanceof UnexportableNodeError) return { ok: false, diagnostics: [error('unexportable-node', e.message, { node: e.node })] };
    if (e instanceof ExportError) return { ok: false, diagnostics: [error('export-failed', e.message)] };
    throw e;
  }
  const zippable: Zippable = {};
  for (const [path, content] of files) zippable[path] = [typeof content === 'string' ? strToU8(content) : content, { mtime: ENTRY_TIME }];
  return { ok: true, fileName: pytorchZipName(doc.meta.name), bytes: zipSync(zippable), entries: [...files.keys()] };
}
