import { initNodeBackend } from './runtime/tf-node.ts';

// Unit tests run on tfjs-cpu; the wasm tests switch to wasm themselves and back.
await initNodeBackend('cpu');
