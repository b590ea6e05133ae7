/** The node pack's entry: the registry of every node type a host knows, plus the contract. */
import { coreNodes } from './core/index.ts';
import { NodeRegistry } from './registry.ts';

export * from './contract.ts';
export * from './dims.ts';
export * from './registry.ts';
export { coreNodes };

/** A registry holding the core node pack (the LGGAN pack is registered here once it exists). */
export function createRegistry(): NodeRegistry {
  return new NodeRegistry(coreNodes);
}
