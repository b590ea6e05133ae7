/**
 * What a litegraph object carries for us, beyond what litegraph itself can say: a node's string id,
 * typeVersion, network, our extra…, under `properties.lggan`; the graph's meta, template, init,
 * extra and the groups' ids and explicit members under `extra.lggan`.
 */
import type { GraphDocument, ParamValue } from '../../graph/document.ts';
import type { JsonObject } from '../../graph/util.ts';

export interface NodeMeta {
  id: string;
  typeVersion: number;
  network?: string;
  /** Our node had no title (litegraph always shows one). */
  untitled?: true;
  /** The exact position, when litegraph's Float32Array would round it. */
  pos?: [number, number];
  /** All params, when node properties cannot hold them (a "__proto__" or "lggan" key, params the type does not have). */
  params?: Record<string, ParamValue>;
  extra?: JsonObject;
  /** Index of `litegraph` in our extra when it is not the last key. */
  foreignAt?: number;
}

export interface CommentMeta {
  comment: string;
  pos?: [number, number];
  /** Our comment had no size (litegraph gives every node one). */
  noSize?: true;
  extra?: JsonObject;
  foreignAt?: number;
}

export interface GroupRecord {
  id: string;
  /** Our explicit members; litegraph's membership is geometric (nodes inside the box). */
  nodes: string[];
  /** The box as exported: while litegraph's box still matches it, `nodes` is the membership. */
  bounding: [number, number, number, number];
  extra?: JsonObject;
  foreignAt?: number;
}

export interface GraphMetaRecord {
  format: GraphDocument['format'];
  version: GraphDocument['version'];
  meta: GraphDocument['meta'];
  template: GraphDocument['template'];
  init?: GraphDocument['init'];
  extra?: JsonObject;
  foreignAt?: number;
  groups: GroupRecord[];
}

/** Only when Float32 storage would change it. */
export function exactPair(x: number, y: number): [number, number] | undefined {
  return Math.fround(x) === x && Math.fround(y) === y ? undefined : [x, y];
}
