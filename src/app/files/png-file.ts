/**
 * A picked or dropped file → the graph text to open: JSON as it is, or the graph an LGGAN PNG
 * carries (its `lggan-graph` chunk), so an image opens through the same door as a .json file.
 */
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import { graphTextFromPng, isPng } from '../../graph/png-graph.ts';

/** The largest PNG read to look for a graph (its pixels are skipped, but the file is read whole). */
export const MAX_GRAPH_PNG_BYTES = 256 * 1024 * 1024;

export type GraphText = { ok: true; text: string; /** The name diagnostics give (PNG: the file and its chunk). */ source: string } | { ok: false; diagnostics: Diagnostic[] };

export async function readGraphText(file: Blob & { name: string }): Promise<GraphText> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (!isPng(head)) return { ok: true, text: await file.text(), source: file.name };
  if (file.size > MAX_GRAPH_PNG_BYTES) {
    return { ok: false, diagnostics: [error('file-too-large', `this PNG is ${file.size} bytes; graphs are read from PNGs of at most ${MAX_GRAPH_PNG_BYTES} bytes`, { file: file.name })] };
  }
  return graphTextFromPng(new Uint8Array(await file.arrayBuffer()), file.name);
}
