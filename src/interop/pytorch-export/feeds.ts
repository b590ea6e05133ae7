/**
 * Which dataset fields feed which input node, per dataset layout, decided at export time by the
 * studio's own feed planner (src/runtime/data/feeds.ts planFeeds), so the package reads a dataset
 * exactly as `lggan train` would.
 */
import { FIELD, CROSS_VIEW_PANELS } from '../../runtime/data/dataset.ts';
import { graphInputs, planFeeds, type FeedPlanEntry } from '../../runtime/data/feeds.ts';
import type { ExportPlan } from './plan.ts';

export interface FeedEntry {
  node: string;
  fields: string[];
  encode: 'raw' | 'one-hot';
  /** One-hot inputs: class channels (num_classes, + 1 with the don't-care channel). */
  one_hot_channels: number | null;
  instance_edge: boolean;
}

/** The fields each layout's samples have (as the studio's loaders give them). */
export const LAYOUT_FIELDS: Record<string, readonly string[]> = {
  cityscapes: [FIELD.real, FIELD.labels, FIELD.instances],
  ade20k: [FIELD.real, FIELD.labels],
  'cross-view': CROSS_VIEW_PANELS,
  generic: [FIELD.real, FIELD.labels, FIELD.instances],
  // The package's random samples offer every field; the planner picks what the graph reads.
  synthetic: [FIELD.real, FIELD.labels, FIELD.instances, ...CROSS_VIEW_PANELS.filter((p) => p !== FIELD.real)],
};

export interface FeedPlans {
  /** Layout → plan, for the layouts the graph can read. */
  plans: Record<string, FeedEntry[]>;
  /** Layout → why the graph cannot read it. */
  unfit: Record<string, string>;
}

function entryOf(e: FeedPlanEntry): FeedEntry {
  const p = e.input.params;
  const oneHot = e.encode === 'one-hot' ? Number(p.num_classes) + (p.dontcare === true ? 1 : 0) : null;
  return { node: e.node, fields: [...e.fields], encode: e.encode, one_hot_channels: oneHot, instance_edge: p.instance_edge === true };
}

export function feedPlans(plan: ExportPlan): FeedPlans {
  const wanted = new Set(plan.inputs.map((i) => i.id));
  const inputs = graphInputs(plan.ir).filter((i) => wanted.has(i.id));
  const plans: Record<string, FeedEntry[]> = {};
  const unfit: Record<string, string> = {};
  for (const [layout, fields] of Object.entries(LAYOUT_FIELDS)) {
    try {
      plans[layout] = planFeeds(inputs, fields).map(entryOf);
    } catch (e) {
      unfit[layout] = (e as Error).message;
    }
  }
  return { plans, unfit };
}
