/**
 * A small builder for writing graph documents in code: nodes placed on a grid by column and row,
 * wires written as "node.port" → "node.port". The shipped graphs in graphs/ are generated with it
 * (see write-graphs.ts), so they stay consistent with each other and with the node pack.
 */
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphNode, type InitSettings, type ParamValue } from '../graph/document.ts';

/** A grid cell holds a node card (320 px wide, up to ~220 px tall for six ports) with room for wires and frame titles. */
const COLUMN_WIDTH = 400;
const ROW_HEIGHT = 280;

export interface NodeOptions {
  title?: string;
  network?: string;
  /** Grid cell; the next free column of the current row when absent. */
  at?: [column: number, row: number];
}

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphDocument['edges'] = [];
  private readonly groups: GraphDocument['groups'] = [];
  private readonly comments: GraphDocument['comments'] = [];
  private column = 0;
  private row = 0;

  constructor(
    private readonly meta: GraphDocument['meta'],
    private readonly template: Record<string, number>,
    private readonly init: InitSettings = { scheme: 'xavier-normal', gain: 0.02, seed: 0 },
  ) {}

  /** Continue placing nodes at the start of `row`. */
  onRow(row: number, column = 0): this {
    this.row = row;
    this.column = column;
    return this;
  }

  add(id: string, type: string, params: Record<string, ParamValue> = {}, options: NodeOptions = {}): string {
    if (this.nodes.some((n) => n.id === id)) throw new Error(`node '${id}' added twice`);
    const [column, row] = options.at ?? [this.column, this.row];
    this.column = column + 1;
    this.row = row;
    this.nodes.push({
      id,
      type,
      typeVersion: 1,
      ...(options.title ? { title: options.title } : {}),
      ...(options.network ? { network: options.network } : {}),
      params,
      position: { x: column * COLUMN_WIDTH, y: row * ROW_HEIGHT },
    });
    return id;
  }

  /** wire('encoder.x_encode', 'trunk.x_encode') */
  wire(from: string, to: string): this {
    const [fromNode, fromPort] = splitRef(from);
    const [toNode, toPort] = splitRef(to);
    for (const id of [fromNode, toNode]) if (!this.nodes.some((n) => n.id === id)) throw new Error(`wire ${from} → ${to}: no node '${id}'`);
    this.edges.push({ from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } });
    return this;
  }

  group(id: string, title: string, nodes: string[]): this {
    this.groups.push({ id, title, nodes });
    return this;
  }

  comment(id: string, text: string, at: [number, number]): this {
    this.comments.push({ id, text, position: { x: at[0] * COLUMN_WIDTH, y: at[1] * ROW_HEIGHT } });
    return this;
  }

  has(id: string): boolean {
    return this.nodes.some((n) => n.id === id);
  }

  build(): GraphDocument {
    return {
      format: GRAPH_FORMAT,
      version: GRAPH_VERSION,
      meta: this.meta,
      template: this.template,
      init: this.init,
      nodes: this.nodes,
      edges: this.edges,
      groups: this.groups.map((g) => ({ ...g, nodes: g.nodes.filter((id) => this.has(id)) })).filter((g) => g.nodes.length > 0),
      comments: this.comments,
      extra: {},
    };
  }
}

function splitRef(ref: string): [string, string] {
  const dot = ref.lastIndexOf('.');
  if (dot <= 0) throw new Error(`'${ref}' is not "node.port"`);
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}
