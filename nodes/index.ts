/** The node pack's entry: the registry of every node type a host knows, plus the contract. */
import { coreNodes } from './core/index.ts';
import { lgganNodes } from './lggan/index.ts';
import { NodeRegistry } from './registry.ts';

export * from './contract.ts';
export * from './dims.ts';
export * from './registry.ts';
export { coreNodes, lgganNodes };

/** A registry holding the core pack and the LGGAN pack. */
export function createRegistry(): NodeRegistry {
  return new NodeRegistry([...coreNodes, ...lgganNodes]);
}
