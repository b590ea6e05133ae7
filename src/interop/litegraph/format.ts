/**
 * The litegraph.js serialize() JSON (0.7.x), which ComfyUI workflow files share: the shapes this
 * converter reads and writes, and the names it reserves inside them.
 */

/** `[id, origin_id, origin_slot, target_id, target_slot, type]`, as LLink.serialize() writes it. */
export type LiteLinkTuple = [number, number, number, number, number, string | number | null];

export interface LiteInputSlot {
  name: string;
  type: string | number;
  link: number | null;
  [field: string]: unknown;
}

export interface LiteOutputSlot {
  name: string;
  type: string | number;
  links: number[] | null;
  [field: string]: unknown;
}

export interface LiteNode {
  id: number;
  type: string;
  pos: [number, number];
  size: [number, number];
  flags: Record<string, unknown>;
  order: number;
  mode: number;
  inputs: LiteInputSlot[];
  outputs: LiteOutputSlot[];
  title?: string;
  properties: Record<string, unknown>;
  widgets_values?: unknown[];
  color?: string;
  bgcolor?: string;
  [field: string]: unknown;
}

export interface LiteGroup {
  title: string;
  bounding: [number, number, number, number];
  color?: string;
  font_size?: number;
  [field: string]: unknown;
}

export interface LiteGraphJson {
  last_node_id: number;
  last_link_id: number;
  nodes: LiteNode[];
  links: LiteLinkTuple[];
  groups: LiteGroup[];
  config: Record<string, unknown>;
  extra: Record<string, unknown>;
  version: number;
  [field: string]: unknown;
}

/** LiteGraph.VERSION of litegraph.js 0.7.x, written in `version`. */
export const LITEGRAPH_VERSION = 0.4;
/** The key in node properties and in graph/group extra under which this converter keeps what litegraph cannot say. */
export const META_KEY = 'lggan';
/** The key in our `extra` objects that holds fields only litegraph has (sizes, flags, foreign properties…). */
export const FOREIGN_KEY = 'litegraph';
/** Comments travel as ComfyUI-style note nodes: `{type: "Note", widgets_values: [text]}`. */
export const NOTE_TYPE = 'Note';
/** The colours ComfyUI gives note nodes. */
export const NOTE_COLORS = { color: '#432', bgcolor: '#653' } as const;
/** litegraph's mode "always" (run every step). */
export const MODE_ALWAYS = 0;
/** litegraph's mode "never" (ComfyUI's mute): our node mode "mute". */
export const MODE_NEVER = 2;
/** ComfyUI's bypass (litegraph's 4): our node mode "bypass". Other modes (on event, on trigger) are kept as foreign fields. */
export const MODE_BYPASS = 4;

/** Our node mode as a litegraph mode number. */
export function liteMode(mode: 'bypass' | 'mute' | undefined): number {
  return mode === 'bypass' ? MODE_BYPASS : mode === 'mute' ? MODE_NEVER : MODE_ALWAYS;
}

/** A litegraph mode number as our node mode, when it is one (always → active, i.e. undefined). */
export function ourMode(mode: unknown): 'bypass' | 'mute' | undefined {
  return mode === MODE_BYPASS ? 'bypass' : mode === MODE_NEVER ? 'mute' : undefined;
}
