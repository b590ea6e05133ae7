import type { NodeDef, TensorType } from '../../contract.ts';
import { NodeRuleError, channelsOf, describeType, enumParam, requireSpatial, stringParam } from '../rules.ts';

const ROLES = ['any', 'image', 'feature', 'attention', 'logits'] as const;
type Role = (typeof ROLES)[number];

const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** Throws unless `x` is what `role` needs, naming both. */
function checkRole(role: Role, x: TensorType): void {
  if (role === 'image' && (channelsOf(x) !== 3 || !(x.kind === 'image' || x.kind === 'feature'))) {
    throw new NodeRuleError(`role 'image' expects a B×H×W×3 image, got a ${describeType(x)}`, { port: 'value' });
  }
  if (role === 'attention' && x.kind !== 'attention') {
    throw new NodeRuleError(`role 'attention' expects an attention map, got a ${describeType(x)}`, { port: 'value' });
  }
}

export const outputNode: NodeDef = {
  type: 'core/output',
  version: 1,
  category: 'output',
  title: 'Output',
  doc:
    'Marks a tensor as a result of its network under `name`: the compiler returns every output ' +
    "node's value from the network's forward function, and the run panel shows it by role. The " +
    "value passes through unchanged. A role checks what arrives: 'image' needs 3 channels, " +
    "'attention' an attention map; 'feature', 'logits' and 'any' take any spatial map.",
  params: {
    name: {
      type: 'string',
      default: 'output',
      pattern: NAME_PATTERN,
      doc: 'Name of the result (letters, digits, underscore), unique within the network.',
      ui: { widget: 'text' },
    },
    role: { type: 'enum', options: ROLES, default: 'any', doc: 'What the result is.', ui: { widget: 'select' } },
  },
  inputs: [{ name: 'value', kind: 'feature', doc: 'B×H×W×C map of any spatial kind.' }],
  // No output ports: the compiler treats port-less nodes as the results a network returns.
  outputs: [],
  infer({ inputs, params }) {
    const name = stringParam(params, 'name');
    if (!new RegExp(NAME_PATTERN).test(name)) {
      throw new NodeRuleError(`name '${name}' must start with a letter or underscore and hold only letters, digits and underscores`, {
        param: 'name',
      });
    }
    checkRole(enumParam(params, 'role', ROLES), requireSpatial(inputs, 'value'));
    return {};
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: () => ({ role: 'output', python: '' }),
  build() {
    return (values) => ({ value: values.value });
  },
};
