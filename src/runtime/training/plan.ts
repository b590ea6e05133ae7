/**
 * What a training graph asks for, read from the graph alone (no tensors): the trainer node and
 * its settings, the losses of each side, which of them are skipped, and which variables each
 * side updates.
 *
 * Sides follow the trainer's ports: whatever is wired into g_loss_* is a generator loss, whatever
 * is wired into d_loss_* a discriminator loss. The variables are derived, never listed by hand:
 * - D side: the networks of the nodes whose network handles (discriminators) are wired into the
 *   D losses' subgraph;
 * - G side: every other network that the G losses reach through ordinary (non-handle) wires.
 * Handles wired only into G losses (a discriminator judging G's output) belong to no G network:
 * the G step never updates a discriminator.
 */
import type { TensorType } from '../../../nodes/contract.ts';
import { dLossPort, gLossPort, trainerNode, trainerSettings, type TrainerSettings } from '../../../nodes/lggan/training/trainer.ts';
import { lossSide, lossSkipReason } from '../../../nodes/lggan/losses/sides.ts';
import type { GraphEdge } from '../../graph/document.ts';
import type { Program } from '../../compiler/program.ts';
import type { ResolvedNode } from '../../compiler/ir.ts';

export type Side = 'G' | 'D';

export interface LossRef {
  /** The loss node wired into the trainer. */
  node: string;
  /** Its output port (normally `loss`). */
  port: string;
  /** What Program.run is asked for: "node:port". */
  output: string;
  /** The trainer port it is wired into (g_loss_0 …). */
  trainerPort: string;
}

export interface SidePlan {
  side: Side;
  /** Losses that run, in trainer-port order. */
  losses: LossRef[];
  networks: string[];
  /**
   * Stable names of the trainable variables of the side's networks. Those that turn out to get no
   * gradient (official-compatibility layers forward never uses) are tolerated and reported.
   */
  variables: string[];
  /**
   * Outputs ("node:port") the side's losses read that do not depend on the side's variables, such
   * as the generated images in the D step. The step computes them before the gradient tape starts
   * (SPADE's `with torch.no_grad(): fake = generate_fake()`), so the tape holds no generator
   * activations. Input nodes are not listed: the batch feeds them.
   */
  detached: string[];
}

export interface SkippedLoss {
  node: string;
  side: Side;
  reason: string;
}

export interface TrainingPlan {
  trainer: string;
  settings: TrainerSettings;
  g: SidePlan;
  /** Empty losses and variables when the trainer has no D losses (G trains alone). */
  d: SidePlan;
  skipped: SkippedLoss[];
  /** Trainable variables of networks no loss depends on (no side updates them). */
  unassigned: string[];
  /** Non-fatal findings worth a log line. */
  notes: string[];
}

/** A wrong training graph, with a message naming the node or port at fault. */
export class TrainingGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingGraphError';
  }
}

export function findTrainer(program: Program, trainerNodeId?: string): ResolvedNode {
  const trainers = [...program.ir.nodes.values()].filter((n) => n.def?.type === trainerNode.type);
  if (trainerNodeId !== undefined) {
    const chosen = program.ir.nodes.get(trainerNodeId);
    if (!chosen) throw new TrainingGraphError(`there is no node '${trainerNodeId}' in the graph`);
    if (chosen.def?.type !== trainerNode.type) {
      throw new TrainingGraphError(`node '${trainerNodeId}' is a '${chosen.node.type}', not a ${trainerNode.type} node`);
    }
    return chosen;
  }
  if (trainers.length === 0) {
    throw new TrainingGraphError(`the graph has no ${trainerNode.type} node: add one and wire the generator and discriminator losses into it`);
  }
  if (trainers.length > 1) {
    throw new TrainingGraphError(
      `the graph has ${trainers.length} ${trainerNode.type} nodes (${trainers.map((t) => `'${t.id}'`).join(', ')}): say which one to train with (trainerNode)`,
    );
  }
  return trainers[0];
}

/** Is this edge a network handle (a discriminator wired into a loss), rather than a tensor? */
function isHandleEdge(program: Program, e: GraphEdge): boolean {
  const source = program.ir.nodes.get(e.from.node);
  const type: TensorType | undefined = source?.outputs[e.from.port];
  return type?.kind === 'network' || source?.outputPorts.find((p) => p.name === e.from.port)?.kind === 'network';
}

/** The nodes `roots` depend on (roots included), following only the edges `follow` accepts. */
export function upstreamOf(edges: GraphEdge[], roots: string[], follow: (e: GraphEdge) => boolean = () => true): Set<string> {
  const into = new Map<string, GraphEdge[]>();
  for (const e of edges) into.set(e.to.node, [...(into.get(e.to.node) ?? []), e]);
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of into.get(id) ?? []) if (follow(e)) stack.push(e.from.node);
  }
  return seen;
}

function lossesOf(program: Program, trainer: ResolvedNode, side: Side, count: number, skipped: SkippedLoss[]): LossRef[] {
  const losses: LossRef[] = [];
  for (let i = 0; i < count; i++) {
    const trainerPort = side === 'G' ? gLossPort(i) : dLossPort(i);
    const edge = program.ir.doc.edges.find((e) => e.to.node === trainer.id && e.to.port === trainerPort);
    if (!edge) continue; // an open port: the step sums the losses it gets
    const source = program.ir.nodes.get(edge.from.node)!;
    if (source.def) {
      const declared = lossSide(source.def, source.params);
      const expected = side === 'G' ? 'generator' : 'discriminator';
      if (declared !== undefined && declared !== expected) {
        throw new TrainingGraphError(
          `loss '${source.id}' is a ${declared}-side loss but is wired into '${trainer.id}'.${trainerPort}; set its side to ${expected} or wire it into a ${side === 'G' ? 'd_loss' : 'g_loss'} port`,
        );
      }
      const reason = lossSkipReason(source.def, source.params);
      if (reason !== undefined) {
        skipped.push({ node: source.id, side, reason });
        continue;
      }
    }
    losses.push({ node: source.id, port: edge.from.port, output: `${source.id}:${edge.from.port}`, trainerPort });
  }
  return losses;
}

export function planTraining(program: Program, options: { trainerNode?: string } = {}): TrainingPlan {
  const trainer = findTrainer(program, options.trainerNode);
  const settings = trainerSettings(trainer.params);
  const skipped: SkippedLoss[] = [];
  const gLosses = lossesOf(program, trainer, 'G', settings.gLosses, skipped);
  const dLosses = lossesOf(program, trainer, 'D', settings.dLosses, skipped);
  if (gLosses.length === 0) {
    throw new TrainingGraphError(`every generator loss of '${trainer.id}' is skipped (${skipped.map((s) => `${s.node}: ${s.reason}`).join('; ')}): nothing would train G`);
  }

  const edges = program.ir.doc.edges;
  const handle = (e: GraphEdge) => isHandleEdge(program, e);
  const networkOf = (id: string) => program.ir.nodes.get(id)!.network;
  const handleNetworks = (roots: string[]) => {
    const reach = upstreamOf(edges, roots);
    return new Set(edges.filter((e) => reach.has(e.to.node) && handle(e)).map((e) => networkOf(e.from.node)));
  };
  const gRoots = gLosses.map((l) => l.node);
  const dRoots = dLosses.map((l) => l.node);
  const dNetworks = handleNetworks(dRoots);
  const discriminators = handleNetworks([...gRoots, ...dRoots]);
  const gReach = upstreamOf(edges, gRoots, (e) => !handle(e));
  const notes: string[] = [];
  const gNetworks = new Set<string>();
  for (const id of gReach) {
    const network = networkOf(id);
    if (discriminators.has(network)) {
      // Loss nodes often carry the discriminator's network label; only nodes with variables matter.
      const hasVariables = [...program.variableInfo.values()].some((v) => v.node === id && v.trainable);
      if (hasVariables) notes.push(`'${id}' feeds the generator losses but belongs to discriminator network '${network}': only the D step updates it`);
      continue;
    }
    gNetworks.add(network);
  }

  const trainable = [...program.variableInfo.values()].filter((v) => v.trainable);
  const sideVariables = (networks: Set<string>) => trainable.filter((v) => networks.has(v.network)).map((v) => v.name);
  const g: SidePlan = {
    side: 'G',
    losses: gLosses,
    networks: [...gNetworks].filter((n) => sideVariables(new Set([n])).length > 0),
    variables: sideVariables(gNetworks),
    detached: detachedInputs(program, gRoots, gNetworks),
  };
  const d: SidePlan = { side: 'D', losses: dLosses, networks: [...dNetworks], variables: sideVariables(dNetworks), detached: detachedInputs(program, dRoots, dNetworks) };
  if (g.variables.length === 0) {
    throw new TrainingGraphError(`the generator losses of '${trainer.id}' (${gRoots.join(', ')}) depend on no trainable variable outside the discriminators`);
  }
  if (dLosses.length > 0 && d.variables.length === 0) {
    throw new TrainingGraphError(
      `the discriminator losses of '${trainer.id}' (${dRoots.join(', ')}) are wired to no discriminator with trainable variables (wire a discriminator's network handle into them)`,
    );
  }
  const assigned = new Set([...g.variables, ...d.variables]);
  const unassigned = trainable.map((v) => v.name).filter((name) => !assigned.has(name));
  return { trainer: trainer.id, settings, g, d, skipped, unassigned, notes };
}

/**
 * The outputs that cross from the part of the losses' subgraph that is independent of `networks`'
 * variables into the part that depends on them. A node depends on them when it owns one of their
 * trainable variables, applies a handle of such a node, or reads a dependent node's output.
 */
function detachedInputs(program: Program, lossNodes: string[], networks: Set<string>): string[] {
  const edges = program.ir.doc.edges;
  const reach = upstreamOf(edges, lossNodes);
  const owners = new Set([...program.variableInfo.values()].filter((v) => v.trainable && networks.has(v.network)).map((v) => v.node));
  const dependent = new Set<string>();
  const stack = [...owners].filter((id) => reach.has(id));
  while (stack.length) {
    const id = stack.pop()!;
    if (dependent.has(id)) continue;
    dependent.add(id);
    for (const e of edges) if (e.from.node === id && reach.has(e.to.node)) stack.push(e.to.node);
  }
  const isInput = (id: string) => program.ir.nodes.get(id)!.inputPorts.length === 0;
  const crossing = edges.filter(
    (e) => reach.has(e.from.node) && !dependent.has(e.from.node) && dependent.has(e.to.node) && !isInput(e.from.node) && !isHandleEdge(program, e),
  );
  return [...new Set(crossing.map((e) => `${e.from.node}:${e.from.port}`))];
}
