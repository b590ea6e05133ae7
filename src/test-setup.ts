import { initNodeBackend } from './runtime/tf-node.ts';

await initNodeBackend();
