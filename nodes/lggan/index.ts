/** The LGGAN node pack: every lggan/ node type, one family after another. */
import type { NodeDef } from '../contract.ts';
import { discriminatorNodes } from './discriminators/index.ts';
import { generatorNodes } from './generator/index.ts';
import { lossNodes } from './losses/index.ts';
import { trainingNodes } from './training/index.ts';

export const lgganNodes: NodeDef[] = [...generatorNodes, ...discriminatorNodes, ...lossNodes, ...trainingNodes];
