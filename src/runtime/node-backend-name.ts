/** The Node backends' names, apart from tf-node.ts so a command line can check one without loading tfjs. */
export type NodeBackend = 'wasm' | 'cpu' | 'webgpu';
export const NODE_BACKENDS: readonly NodeBackend[] = ['wasm', 'cpu', 'webgpu'];
/** What `initNodeBackend()` picks when nothing was initialised before. */
export const DEFAULT_NODE_BACKEND: NodeBackend = 'wasm';

/** Checks a backend name from outside (a flag, an environment variable). */
export function parseNodeBackend(value: unknown, what = 'backend'): NodeBackend {
  if (typeof value === 'string' && (NODE_BACKENDS as readonly string[]).includes(value)) return value as NodeBackend;
  throw new RangeError(`unknown ${what} ${JSON.stringify(value)}: use ${NODE_BACKENDS.slice(0, -1).join(', ')} or ${NODE_BACKENDS.at(-1)}`);
}
