import type { NodeDef } from './contract.ts';

/** The node types a host knows, by type name ("core/conv2d", "lggan/attention-fusion"). */
export class NodeRegistry {
  private readonly defs = new Map<string, NodeDef>();

  constructor(defs: Iterable<NodeDef> = []) {
    for (const def of defs) this.register(def);
  }

  register(def: NodeDef): void {
    if (this.defs.has(def.type)) throw new Error(`node type '${def.type}' is registered twice`);
    this.defs.set(def.type, def);
  }

  get(type: string): NodeDef | undefined {
    return this.defs.get(type);
  }

  has(type: string): boolean {
    return this.defs.has(type);
  }

  list(): NodeDef[] {
    return [...this.defs.values()];
  }
}
