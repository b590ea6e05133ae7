/**
 * The graph document, format v2: what a `.lggan.json` file holds once loaded and migrated.
 * Editors read and write only this; the compiler reads it through the node registry.
 * The published JSON Schema is `public/schema/graph-v2.schema.json` (v1's stays published too).
 * v2 added the per-node `mode` (bypass / mute).
 */
export const GRAPH_FORMAT = 'lggan-studio.graph';
export const GRAPH_VERSION = 2;

/**
 * How a node takes part in the program (absent: active). A bypassed node passes an input through to
 * its output (the pairs its type declares); a muted node, and whatever needs it, leaves the program.
 * ComfyUI/litegraph call these mode 4 ("bypass") and 2 ("never").
 */
export type NodeMode = 'bypass' | 'mute';
export const NODE_MODES: readonly NodeMode[] = ['bypass', 'mute'];

/** A param value as stored: numbers may also be expressions over template params ("ngf*4"). */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };

export interface Position {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  type: string;
  typeVersion: number;
  params: Record<string, ParamValue>;
  position: Position;
  /** Which network the node's variables belong to ("G", "D", …); the node type's default when absent. */
  network?: string;
  /** A user label; the type's title is shown when absent. */
  title?: string;
  /** Bypass or mute; absent means the node is active. */
  mode?: NodeMode;
  /** Anything a host or tool wants to keep with the node (colours, collapsed state, foreign fields). */
  extra?: Record<string, unknown>;
}

export interface PortRef {
  node: string;
  port: string;
}

export interface GraphEdge {
  from: PortRef;
  to: PortRef;
}

export interface GraphGroup {
  id: string;
  title: string;
  nodes: string[];
  color?: string;
  extra?: Record<string, unknown>;
}

export interface GraphComment {
  id: string;
  text: string;
  position: Position;
  size?: { width: number; height: number };
  extra?: Record<string, unknown>;
}

export interface GraphMeta {
  name: string;
  description?: string;
  author?: string;
  license?: string;
  created?: string;
  tags?: string[];
}

/** Weight initialisation for the whole graph (the official LGGAN code: xavier-normal, gain 0.02). */
export interface InitSettings {
  scheme: 'xavier-normal' | 'normal' | 'kaiming-normal';
  /** xavier gain, or the normal's standard deviation, or kaiming's negative slope. */
  gain: number;
  seed: number;
}

export interface GraphDocument {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  meta: GraphMeta;
  /** Graph-level template parameters, referenced by name in params and shapes (num_classes, height, width, ngf, ndf …). */
  template: Record<string, number>;
  init?: InitSettings;
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: GraphGroup[];
  comments: GraphComment[];
  extra: Record<string, unknown>;
}

export const DEFAULT_INIT: InitSettings = { scheme: 'xavier-normal', gain: 0.02, seed: 0 };

/**
 * The JSON Schema of the current format, as a path under the site root and under `public/` in the
 * repository (the site serves public/ at its root), so the app and the repository name one file.
 */
export const GRAPH_SCHEMA_PATH = 'schema/graph-v2.schema.json';
/** The longest `$schema` value a loaded file may carry (it is ignored; the cap keeps it harmless). */
export const MAX_SCHEMA_REF = 2048;
