/**
 * Export a graph as a PyTorch training package (issue 8): a pure function of the graph document,
 * path → file text, which the CLI writes to a folder and the app can zip for download.
 *
 *   exportPytorchPackage(doc, registry) → Map<path, string | Uint8Array>
 *
 * Throws ExportError (graph errors, an untrainable trainer wiring, networks that read each other)
 * or UnexportableNodeError (names the node and why) when the graph cannot be exported.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { DEFAULT_INIT, type GraphDocument } from '../../graph/document.ts';
import { graphHash } from '../../graph/hash.ts';
import { saveGraph } from '../../graph/save.ts';
import { NODE_PACK_VERSION } from '../../../nodes/version.ts';
import { modelPy, objectivePy } from './codegen.ts';
import { feedPlans, type FeedPlans } from './feeds.ts';
import { ExportError, planExport, type ExportPlan } from './plan.ts';
import { PYTHON_SOURCES } from './python-sources.ts';
import { readmeMd } from './readme.ts';
import { REQUIREMENTS_TXT } from './requirements.ts';
import { trainingOf } from './sides.ts';

export { ExportError } from './plan.ts';
export { UnexportableNodeError } from './emitters.ts';

/** `doc` is the graph as the user has it (bypass/mute included), which graph.lggan.json holds too. */
function configJson(doc: GraphDocument, plan: ExportPlan, feeds: FeedPlans): string {
  const { ir } = plan;
  const firstInput = plan.inputs.map((i) => ir.nodes.get(i.id)!).find((n) => Object.values(n.outputs)[0]?.shape.length === 4);
  const shape = firstInput ? Object.values(firstInput.outputs)[0].shape.map((d) => d.value) : [1, ir.template.height ?? 0, ir.template.width ?? 0];
  const labelInput = plan.inputs.map((i) => ir.nodes.get(i.id)!).find((n) => typeof n.params.num_classes === 'number');
  const numClasses = labelInput ? (labelInput.params.num_classes as number) : (ir.template.num_classes ?? null);
  const synthetic = feeds.plans.synthetic ?? [];
  const config = {
    format: 'lggan-studio.pytorch-export',
    version: 1,
    graph_name: doc.meta.name,
    graph_hash: graphHash(doc),
    node_pack_version: NODE_PACK_VERSION,
    init: doc.init ?? DEFAULT_INIT,
    template: ir.template,
    size: { height: shape[1], width: shape[2] },
    num_classes: numClasses,
    feeds: feeds.plans,
    unfit_layouts: feeds.unfit,
    synthetic: {
      fields: [...new Set(synthetic.flatMap((e) => e.fields))].sort(),
      num_classes: numClasses ?? 1,
    },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/**
 * The package's files by path (sorted), for a folder or a zip. Bypassed and muted nodes are already
 * rewritten away by resolveGraph, so the code is that of the program the studio compiles.
 */
export function exportPytorchPackage(doc: GraphDocument, registry: NodeRegistry): Map<string, string | Uint8Array> {
  const ir = resolveGraph(doc, registry);
  const plan = planExport(ir);
  if (plan.networks.length === 0) throw new ExportError('the graph has no network nodes to export');
  const training = trainingOf(plan);
  const feeds = feedPlans(plan);
  if (training && !feeds.plans.synthetic) throw new ExportError(`no dataset field can feed the graph's inputs: ${feeds.unfit.synthetic}`);
  const files: Record<string, string> = {
    'README.md': readmeMd(plan, training, feeds),
    'config.json': configJson(doc, plan, feeds),
    'graph.lggan.json': saveGraph(doc),
    'model.py': modelPy(plan),
    'objective.py': objectivePy(plan, training),
    'requirements.txt': REQUIREMENTS_TXT,
    ...PYTHON_SOURCES,
  };
  return new Map(Object.keys(files).sort().map((path) => [path, files[path]]));
}
