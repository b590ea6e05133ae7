/**
 * The formats "Save" and "Save as…" write, and the file names the app suggests for saves and
 * exports. Both formats are JSON; Open tells them apart by content (detectGraphFormat), so the
 * extension only helps people and file pickers.
 */
import type { GraphFormat } from '../../interop/litegraph/convert.ts';

export type SaveFormat = GraphFormat;

export interface SaveFormatInfo {
  /** The menu item. */
  label: string;
  /** The file picker's type description. */
  description: string;
  /** Appended to the suggested base name. */
  extension: string;
  /** What the file picker accepts. */
  accept: string[];
}

export const SAVE_FORMATS: Record<SaveFormat, SaveFormatInfo> = {
  lggan: { label: 'LGGAN graph (.lggan.json)', description: 'LGGAN Studio graph', extension: '.lggan.json', accept: ['.lggan.json', '.json'] },
  litegraph: { label: 'litegraph JSON (.json)', description: 'litegraph / ComfyUI workflow JSON', extension: '.litegraph.json', accept: ['.json'] },
};

/** Safe for a file name on every system: runs of anything else become one '-'; never empty. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'graph';
}

/** A JSON file name without its graph extension (".lggan.json", ".litegraph.json", ".json"). */
export function stripGraphExtension(fileName: string): string {
  return fileName.replace(/(\.lggan|\.litegraph)?\.json$/i, '');
}

/**
 * The base name for saving: the file the graph came from when it came from one, else the graph's
 * name (examples, share links, the library and new graphs have no file of their own to reuse).
 */
export function saveBaseName(source: string, graphName: string): string {
  return slug(/\.json$/i.test(source) ? stripGraphExtension(source.split(/[\\/]/).pop()!) : graphName);
}

export function saveFileName(source: string, graphName: string, format: SaveFormat): string {
  return saveBaseName(source, graphName) + SAVE_FORMATS[format].extension;
}

/** "<graph-name>-pytorch.zip", after the graph's own name. */
export function pytorchZipName(graphName: string): string {
  return `${slug(graphName)}-pytorch.zip`;
}
