/**
 * How a resolved graph maps onto the exported package: every node's role and Python, the networks
 * (one nn.Module each) with their nodes in graph order and the order the networks run in, and
 * where each node's state is mounted: at the official module path when the node mirrors an
 * official module completely (so state_dict() gives the official keys), else under the node id
 * (the studio's variable names).
 */
import type { GraphIR, ResolvedNode } from '../../compiler/ir.ts';
import { groupBy } from '../../graph/util.ts';
import { emitNode, UnexportableNodeError, type NodeRole } from './emitters.ts';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface NodePlan {
  id: string;
  type: string;
  title: string;
  network: string;
  role: NodeRole;
  python: string;
  /** Input port → '<node>:<port>' it reads (tensor wires only). */
  wires: Array<[port: string, source: string]>;
  /** Module path of the node's state in its network; '' merges its children into the network. */
  mountAt: string;
  /** True when mountAt reproduces the official state_dict keys. */
  official: boolean;
}

export interface NetworkPlan {
  name: string;
  /** Layer, discriminator and output nodes, in graph order. */
  nodes: NodePlan[];
  params: number;
  /** Nodes that hold parameters or buffers. */
  stateful: Set<string>;
}

export interface ExportPlan {
  ir: GraphIR;
  inputs: NodePlan[];
  networks: NetworkPlan[];
  /** Networks in the order their plain nodes run (a network reads only earlier ones). */
  order: string[];
  losses: NodePlan[];
  trainers: ResolvedNode[];
  /** Every node by id (inputs, network nodes, losses). */
  byId: Map<string, NodePlan>;
}

/** Attributes a torch.nn.Module (or the package's GraphNetwork) already has: no node may take them. */
const RESERVED = new Set(
  (
    'T_destination add_module apply bfloat16 buffers call_super_init children cpu cuda double dump_patches eval extra_repr float ' +
    'forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children ' +
    'named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook ' +
    'register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ ' +
    'set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad ' +
    'network nodes prefixes mount studio_names run_nodes PLAIN_NODES'
  ).split(' '),
);

/** The prefix P with key = P + variable for every official entry, when they cover all the node's state. */
function officialPrefix(ir: GraphIR, n: ResolvedNode): string | undefined {
  if (!n.def?.officialKeys) return undefined;
  const keys = n.def.officialKeys({ inputs: n.inputs, outputs: n.outputs, params: n.params, template: ir.template }).filter((k) => k.variable !== null);
  if (keys.length === 0) return undefined;
  const covered = keys.reduce((sum, k) => sum + k.shape.reduce((a, b) => a * b, 1), 0);
  if (covered !== n.cost.params + (n.cost.buffers ?? 0)) return undefined; // e.g. SAU stages have no official keys
  const prefixes = new Set(keys.map((k) => (k.key.endsWith(k.variable!) ? k.key.slice(0, k.key.length - k.variable!.length) : '?')));
  const [prefix] = prefixes;
  if (prefixes.size !== 1 || prefix === '?' || (prefix !== '' && !prefix.endsWith('.'))) return undefined;
  return prefix;
}

/** First segments of a node's variables: what a merged mount adds to the network. */
function topLevelNames(ir: GraphIR, n: ResolvedNode): string[] {
  const keys = n.def!.officialKeys!({ inputs: n.inputs, outputs: n.outputs, params: n.params, template: ir.template });
  return [...new Set(keys.filter((k) => k.variable !== null).map((k) => k.variable!.split('.')[0]))];
}

/** Decides every stateful node's mount point in one network; official paths when they do not collide. */
function assignMounts(ir: GraphIR, nodes: NodePlan[]): void {
  const claimed: string[] = [];
  const clashes = (path: string) => RESERVED.has(path.split('.')[0]) || claimed.some((c) => c === path || c.startsWith(`${path}.`) || path.startsWith(`${c}.`));
  const fallback: NodePlan[] = [];
  for (const plan of nodes) {
    if (plan.role !== 'layer' && plan.role !== 'discriminator') continue;
    const n = ir.nodes.get(plan.id)!;
    const prefix = officialPrefix(ir, n);
    if (prefix === undefined) {
      fallback.push(plan);
      continue;
    }
    const paths = prefix === '' ? topLevelNames(ir, n) : [prefix.slice(0, -1)];
    if (paths.some(clashes)) {
      fallback.push(plan);
      continue;
    }
    claimed.push(...paths);
    plan.mountAt = prefix === '' ? '' : prefix.slice(0, -1);
    plan.official = true;
  }
  for (const plan of fallback) {
    let name = plan.id.replace(/[^A-Za-z0-9_]/g, '_');
    while (clashes(name)) name = `${name}_`;
    claimed.push(name);
    plan.mountAt = name;
  }
}

function networkOrder(networks: NetworkPlan[], byId: Map<string, NodePlan>): string[] {
  const deps = new Map(networks.map((n) => [n.name, new Set<string>()]));
  for (const network of networks) {
    for (const node of network.nodes) {
      for (const [, source] of node.wires) {
        const from = byId.get(source.split(':')[0])!;
        if (from.role === 'layer' || from.role === 'output') {
          if (from.network !== network.name) deps.get(network.name)!.add(from.network);
        }
      }
    }
  }
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) {
      throw new ExportError(`networks ${[...path, name].map((n) => `'${n}'`).join(' → ')} read each other's outputs: each network must run once, after the networks it reads`);
    }
    visiting.add(name);
    for (const dep of deps.get(name) ?? []) visit(dep, [...path, name]);
    visiting.delete(name);
    order.push(name);
  };
  for (const n of networks) visit(n.name, []);
  return order;
}

export function planExport(ir: GraphIR): ExportPlan {
  const problems = ir.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) {
    throw new ExportError(`the graph has errors; fix them before exporting:\n${problems.map((d) => `  ${d.where.node ? `node '${d.where.node}': ` : ''}${d.message}`).join('\n')}`);
  }
  // Grouped once, so planning stays linear in the graph's size.
  const unreachable = new Set(ir.diagnostics.filter((d) => d.code === 'unreachable').map((d) => d.where.node));
  const edgesInto = groupBy(ir.doc.edges, (e) => e.to.node);
  const byId = new Map<string, NodePlan>();
  const plans: NodePlan[] = [];
  for (const id of ir.order) {
    const n = ir.nodes.get(id)!;
    if (unreachable.has(id)) continue;
    if (!n.def) throw new UnexportableNodeError(id, n.node.type, 'the node type is unknown to this build');
    const into = edgesInto.get(id) ?? [];
    const handleInto = (port: string) => {
      const e = into.find((w) => w.to.port === port);
      const source = e && ir.nodes.get(e.from.node);
      if (!e || !source || source.outputs[e.from.port]?.kind !== 'network') throw new UnexportableNodeError(id, n.node.type, `port '${port}' has no discriminator handle wired`);
      return { node: source.id, network: source.network };
    };
    const emitted = emitNode({
      node: n,
      template: ir.template,
      source(port) {
        const e = into.find((w) => w.to.port === port);
        if (!e) throw new UnexportableNodeError(id, n.node.type, `input '${port}' is not connected`);
        return `${e.from.node}:${e.from.port}`;
      },
      handle: handleInto,
    });
    const wires = into
      .filter((e) => ir.nodes.get(e.from.node)?.outputs[e.from.port]?.kind !== 'network')
      .map((e): [string, string] => [e.to.port, `${e.from.node}:${e.from.port}`]);
    const plan: NodePlan = { id, type: n.node.type, title: n.node.title ?? '', network: n.network, role: emitted.role, python: emitted.python, wires, mountAt: '', official: false };
    if ((plan.role === 'layer' || plan.role === 'output') && into.some((e) => ir.nodes.get(e.from.node)?.outputs[e.from.port]?.kind === 'network')) {
      throw new UnexportableNodeError(id, n.node.type, 'it reads a network handle, which only loss nodes may apply');
    }
    plans.push(plan);
    byId.set(id, plan);
  }
  for (const plan of plans) {
    if (plan.role !== 'layer' && plan.role !== 'output') continue;
    for (const [port, source] of plan.wires) {
      const from = byId.get(source.split(':')[0]);
      if (from && (from.role === 'loss' || from.role === 'trainer')) {
        throw new UnexportableNodeError(plan.id, plan.type, `input '${port}' reads the ${from.role} '${from.id}', which only the trainer may read`);
      }
    }
  }

  const networkNames = [...new Set(plans.filter((p) => p.role === 'layer' || p.role === 'discriminator' || p.role === 'output').map((p) => p.network))];
  const networks: NetworkPlan[] = networkNames.map((name) => {
    const nodes = plans.filter((p) => p.network === name && (p.role === 'layer' || p.role === 'discriminator' || p.role === 'output'));
    assignMounts(ir, nodes);
    const holdsState = (p: NodePlan) => ir.nodes.get(p.id)!.cost.params + (ir.nodes.get(p.id)!.cost.buffers ?? 0) > 0;
    const stateful = new Set(nodes.filter(holdsState).map((p) => p.id));
    return { name, nodes, params: ir.networks.get(name)?.params ?? 0, stateful };
  });
  return {
    ir,
    inputs: plans.filter((p) => p.role === 'input'),
    networks,
    order: networkOrder(networks, byId),
    losses: plans.filter((p) => p.role === 'loss'),
    trainers: plans.filter((p) => p.role === 'trainer').map((p) => ir.nodes.get(p.id)!),
    byId,
  };
}
