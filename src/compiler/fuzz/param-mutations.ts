/**
 * Valid-looking variants of a shipped graph for the "validate accepts ⇒ compile works" property:
 * a few params set to values their schema allows (the bounds, values near the current one,
 * template expressions, other enum options, flipped booleans) and small changes of the template's
 * sizes. Sizes stay near the tiny graphs' so a forward pass stays cheap.
 */
import type { ParamDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument, ParamValue } from '../../graph/document.ts';
import { Random } from './random.ts';

/** A value `def` accepts (or nearly: one past a bound now and then), near `current` where it is a number. */
function plausibleValue(def: ParamDef, current: ParamValue | undefined, r: Random): ParamValue {
  switch (def.type) {
    case 'bool':
      return typeof current === 'boolean' ? !current : r.chance(0.5);
    case 'enum':
      return r.pick(def.options);
    case 'string':
      return typeof current === 'string' && r.chance(0.5) ? current : def.default;
    default: {
      const base = typeof current === 'number' ? current : typeof def.default === 'number' ? def.default : 4;
      const lo = def.min ?? Math.min(0, base);
      const hi = Math.min(def.max ?? Infinity, Math.max(2 * Math.abs(base) + 8, lo + 8));
      const whole = def.type === 'int';
      const options: (() => ParamValue)[] = [
        () => lo,
        () => lo + (whole ? 1 : 0.5),
        () => hi,
        () => (whole ? r.int(Math.ceil(lo), Math.floor(hi)) : lo + r.next() * (hi - lo)),
        () => (whole ? Math.max(lo, base - 1) : base / 2),
        () => (whole ? base + 1 : base * 1.5),
      ];
      if (def.template) options.push(() => r.pick(['num_classes', 'num_classes - 1', 'num_classes + 1', 'ngf', 'ngf*2', 'max(1, ngf/2)', 'height/64', 'width/64']));
      return options[r.int(0, options.length - 1)]();
    }
  }
}

/** A copy of `base` with 1–3 params (or template sizes) changed. */
export function paramVariant(base: GraphDocument, registry: NodeRegistry, r: Random): { doc: GraphDocument; changes: string[] } {
  const doc = JSON.parse(JSON.stringify(base)) as GraphDocument;
  const changes: string[] = [];
  const count = r.int(1, 3);
  for (let i = 0; i < count; i++) {
    if (r.chance(0.2)) {
      const name = r.pick(['num_classes', 'ngf', 'ndf', 'height', 'width'].filter((n) => Object.hasOwn(doc.template, n)));
      if (!name) continue;
      const sizes: Record<string, number[]> = { num_classes: [1, 2, 3, 5, doc.template.num_classes - 1], height: [16, 32, 48, 64, 96], width: [16, 32, 64, 96, 128] };
      const value = r.pick(sizes[name] ?? [1, 2, 3, 8]);
      doc.template[name] = value;
      changes.push(`template.${name} = ${value}`);
      continue;
    }
    const node = r.pick(doc.nodes);
    const def = registry.get(node.type);
    const names = Object.keys(def?.params ?? {});
    if (!def || names.length === 0) continue;
    const name = r.pick(names);
    const value = plausibleValue(def.params[name], node.params[name], r);
    node.params[name] = value;
    changes.push(`${node.id}.${name} = ${JSON.stringify(value)}`);
  }
  return { doc, changes };
}
