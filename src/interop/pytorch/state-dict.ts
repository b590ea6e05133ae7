/**
 * The state_dict inside a checkpoint: a bare (Ordered)dict of tensors, or one wrapped in a
 * checkpoint dict ({'state_dict': …, 'epoch': …}, {'netG': …, 'netD': …}); DataParallel's
 * `module.` prefix is removed when every key carries it.
 */
import { TorchCheckpointError } from './errors.ts';
import { PickleDict, describe } from './pickle-read.ts';
import { isTensor, type TorchTensor } from './tensor.ts';

export interface StateDict {
  /** Tensors by key (prefix removed), in the file's order. */
  tensors: Map<string, TorchTensor>;
  /** The wrapper key the state_dict was taken from, or null for a bare state_dict. */
  sourceKey: string | null;
  /** The prefix removed from every key ("module."), or null. */
  strippedPrefix: string | null;
  /** state_dict._metadata (per-module versions, e.g. spectral_norm), when the file has it. */
  metadata: PickleDict | null;
}

export interface StateDictOptions {
  /** The wrapper key holding the state_dict ("state_dict", "netG"); nested keys joined by '/'. Default: found automatically. */
  key?: string;
  /** Remove a `module.` prefix shared by every key (DataParallel). Default true. */
  stripModulePrefix?: boolean;
}

/** Wrapper keys tried, in order, when the file holds several candidate state_dicts. */
const PREFERRED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'netG', 'generator', 'G'];

function isTensorDict(value: unknown): value is PickleDict {
  return value instanceof PickleDict && value.size > 0 && [...value.entries()].every(([k, v]) => typeof k === 'string' && isTensor(v));
}

/**
 * Wrapper keys (at any depth, joined by '/') whose value is a dict of tensors, in the file's
 * order. An explicit stack, and each dict visited once however often it is shared, so neither deep
 * nesting nor shared (or, should the reader ever let one through, cyclic) dicts can blow up.
 */
function candidates(root: unknown): string[] {
  const found: string[] = [];
  if (!(root instanceof PickleDict)) return found;
  const seen = new Set<PickleDict>([root]);
  const path: { entries: Iterator<[unknown, unknown]>; at: string }[] = [{ entries: root.entries(), at: '' }];
  while (path.length > 0) {
    const frame = path[path.length - 1];
    const next = frame.entries.next();
    if (next.done) {
      path.pop();
      continue;
    }
    const [k, v] = next.value;
    if (typeof k !== 'string') continue;
    const at = frame.at ? `${frame.at}/${k}` : k;
    if (isTensorDict(v)) found.push(at);
    else if (v instanceof PickleDict && !seen.has(v)) {
      seen.add(v);
      path.push({ entries: v.entries(), at });
    }
  }
  return found;
}

function lookup(root: unknown, key: string): unknown {
  let value = root;
  for (const part of key.split('/')) {
    if (!(value instanceof PickleDict) || !value.has(part)) return undefined;
    value = value.get(part);
  }
  return value;
}

export function extractStateDict(root: unknown, options: StateDictOptions = {}): StateDict {
  let dict: PickleDict;
  let sourceKey: string | null = null;
  if (options.key !== undefined) {
    const value = lookup(root, options.key);
    if (value === undefined) {
      const found = candidates(root);
      throw new TorchCheckpointError(`the checkpoint has no key '${options.key}'${found.length ? ` (state_dicts found under: ${found.map((k) => `'${k}'`).join(', ')})` : ''}`);
    }
    if (!isTensorDict(value)) throw new TorchCheckpointError(`key '${options.key}' of the checkpoint holds a ${describe(value)}, not a dict of tensors`);
    dict = value;
    sourceKey = options.key;
  } else if (isTensorDict(root)) {
    dict = root;
  } else {
    const found = candidates(root);
    const chosen = found.length === 1 ? found[0] : PREFERRED_KEYS.find((k) => found.includes(k));
    if (chosen === undefined) {
      if (found.length === 0) throw new TorchCheckpointError(`the checkpoint holds a ${describe(root)} with no dict of tensors in it: not a state_dict`);
      throw new TorchCheckpointError(`the checkpoint holds several state_dicts (${found.map((k) => `'${k}'`).join(', ')}): choose one with the key option`);
    }
    dict = lookup(root, chosen) as PickleDict;
    sourceKey = chosen;
  }

  const keys = [...dict.keys()] as string[];
  const prefix = 'module.';
  const strip = (options.stripModulePrefix ?? true) && keys.every((k) => k.startsWith(prefix));
  const tensors = new Map<string, TorchTensor>();
  for (const [k, v] of dict) tensors.set(strip ? (k as string).slice(prefix.length) : (k as string), v as TorchTensor);
  const metadata = dict.attributes.get('_metadata');
  return { tensors, sourceKey, strippedPrefix: strip ? prefix : null, metadata: metadata instanceof PickleDict ? metadata : null };
}
