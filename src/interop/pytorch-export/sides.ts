/**
 * The trainer's two sides from the graph alone, as the studio's training plan derives them
 * (src/runtime/training/plan.ts): the losses wired into g_loss_* / d_loss_*, which are skipped,
 * the D networks (discriminator handles the D losses apply) and the G networks (every other
 * network with parameters that the G losses reach through tensor wires).
 */
import type { GraphEdge } from '../../graph/document.ts';
import type { ResolvedNode } from '../../compiler/ir.ts';
import { lossSide, lossSkipReason } from '../../../nodes/lggan/losses/sides.ts';
import { dLossPort, gLossPort, trainerSettings, type TrainerSettings } from '../../../nodes/lggan/training/trainer.ts';
import { upstreamOf } from '../../runtime/training/plan.ts';
import { ExportError, type ExportPlan } from './plan.ts';

export interface SideExport {
  networks: string[];
  /** Loss node ids that run, in trainer-port order. */
  losses: string[];
}

export interface TrainingExport {
  trainer: string;
  settings: TrainerSettings;
  G: SideExport;
  D: SideExport;
  /** Loss node id → why it contributes nothing. */
  skipped: Record<string, string>;
}

export function trainingOf(plan: ExportPlan): TrainingExport | null {
  const { ir } = plan;
  if (plan.trainers.length === 0) return null;
  if (plan.trainers.length > 1) {
    throw new ExportError(`the graph has ${plan.trainers.length} lggan/trainer nodes (${plan.trainers.map((t) => `'${t.id}'`).join(', ')}); the PyTorch package trains with one: remove the others`);
  }
  const trainer = plan.trainers[0];
  const settings = trainerSettings(trainer.params);
  const edges: GraphEdge[] = ir.doc.edges;
  const skipped: Record<string, string> = {};
  const lossesOf = (side: 'G' | 'D', count: number): string[] => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const port = side === 'G' ? gLossPort(i) : dLossPort(i);
      const edge = edges.find((e) => e.to.node === trainer.id && e.to.port === port);
      if (!edge) continue; // an open port: the step sums the losses it gets
      const source: ResolvedNode = ir.nodes.get(edge.from.node)!;
      const declared = source.def ? lossSide(source.def, source.params) : undefined;
      const expected = side === 'G' ? 'generator' : 'discriminator';
      if (declared !== undefined && declared !== expected) {
        throw new ExportError(`loss '${source.id}' is a ${declared}-side loss but is wired into '${trainer.id}'.${port}`);
      }
      if (plan.byId.get(source.id)?.role !== 'loss') throw new ExportError(`trainer '${trainer.id}': port '${port}' reads '${source.id}', which is not a loss node`);
      const reason = source.def ? lossSkipReason(source.def, source.params) : undefined;
      if (reason !== undefined) skipped[source.id] = reason;
      else ids.push(source.id);
    }
    return ids;
  };
  const gLosses = lossesOf('G', settings.gLosses);
  const dLosses = lossesOf('D', settings.dLosses);
  if (gLosses.length === 0) throw new ExportError(`every generator loss of '${trainer.id}' is skipped: nothing would train G`);

  const isHandle = (e: GraphEdge) => ir.nodes.get(e.from.node)?.outputs[e.from.port]?.kind === 'network';
  const networkOf = (id: string) => ir.nodes.get(id)!.network;
  const handleNetworks = (roots: string[]) => {
    const reach = upstreamOf(edges, roots);
    return new Set(edges.filter((e) => reach.has(e.to.node) && isHandle(e)).map((e) => networkOf(e.from.node)));
  };
  const withParams = (names: Iterable<string>) => plan.networks.filter((n) => n.params > 0 && [...names].includes(n.name)).map((n) => n.name);
  const discriminators = handleNetworks([...gLosses, ...dLosses]);
  const gReach = upstreamOf(edges, gLosses, (e) => !isHandle(e));
  const G = withParams([...gReach].map(networkOf).filter((n) => !discriminators.has(n)));
  const D = withParams(handleNetworks(dLosses));
  if (G.length === 0) throw new ExportError(`the generator losses of '${trainer.id}' depend on no network with parameters outside the discriminators`);
  if (dLosses.length > 0 && D.length === 0) throw new ExportError(`the discriminator losses of '${trainer.id}' are wired to no discriminator with parameters`);
  return { trainer: trainer.id, settings, G: { networks: G, losses: gLosses }, D: { networks: D, losses: dLosses }, skipped };
}
