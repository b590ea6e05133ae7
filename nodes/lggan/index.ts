/** The LGGAN node pack: every lggan/ node type, gathered from the engineers' list files. */
import type { NodeDef } from '../contract.ts';
import { generatorNodesA } from './generator-nodes-a.ts';
import { generatorNodesB } from './generator-nodes-b.ts';
import { trainingNodes } from './training-nodes.ts';

export const lgganNodes: NodeDef[] = [...generatorNodesA, ...generatorNodesB, ...trainingNodes];
