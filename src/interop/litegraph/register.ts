/**
 * Registers the node pack with litegraph.js: one LiteGraph node type per node definition in the
 * registry (no second list), plus the note type that carries comments. Each type gets
 * - slots from the definition's ports, typed with kind strings (slot-types.ts) so litegraph's own
 *   type check refuses wrong kinds;
 * - one widget per param (widgets.ts), each editing the property of the same name;
 * - the category's colours and the definition's title;
 * - ports that follow their params: when a param a port list depends on changes (a loss node's
 *   `images`, concat's `inputs`), slots are added, removed and reordered and links kept where the
 *   port still exists.
 * A host talks to the nodes of one graph through optional hooks on that LGraph (LgganGraphHooks).
 */
import type { IWidget, LGraph, LGraphCanvas, LGraphNode } from 'litegraph.js';
import type { NodeDef, ParamDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { isPlainObject } from '../../graph/util.ts';
import { categoryColors } from './colors.ts';
import { META_KEY, NOTE_COLORS, NOTE_TYPE } from './format.ts';
import { DEFAULT_COMMENT_SIZE, defaultNodeSize } from './layout.ts';
import { definedPorts } from './ports.ts';
import { inputSlotType, outputSlotType } from './slot-types.ts';
import { sameJson } from './values.ts';
import { EXPRESSION_WIDGET, parseNumberInput, widgetSpecs, widgetValue, type WidgetSpec } from './widgets.ts';

/** What this module needs of the litegraph.js module (its named exports). */
export interface LitegraphLib {
  LiteGraph: {
    registerNodeType(type: string, base: unknown): void;
    registered_node_types: Record<string, unknown>;
    WIDGET_BGCOLOR: string;
    WIDGET_OUTLINE_COLOR: string;
    WIDGET_TEXT_COLOR: string;
    WIDGET_SECONDARY_TEXT_COLOR: string;
  };
  LGraphNode: typeof LGraphNode;
}

/** Optional callbacks a host sets on an LGraph to hear from (and decide for) the pack's nodes. */
export interface LgganGraphHooks {
  /** A param changed through a widget or setProperty (after the node's ports were updated). */
  onLgganParamChanged?(node: LGraphNode, name: string, value: unknown): void;
  /** A wiring the types allow: return a reason to refuse it, or null. */
  lgganCheckConnection?(source: LGraphNode, sourceSlot: number, target: LGraphNode, targetSlot: number): string | null;
  /** An edit was refused (a connection, a typed value): the reason, to show to the user. */
  onLgganRejected?(node: LGraphNode, message: string): void;
}

type HookedGraph = LGraph & LgganGraphHooks & { extra?: Record<string, unknown>; list_of_graphcanvas?: LGraphCanvas[]; links: Record<number, { target_slot: number; origin_slot: number }> };

const hooks = (node: LGraphNode): HookedGraph | null => node.graph as HookedGraph | null;

/** The graph's template params (kept by the converter in extra.lggan), for expressions and ports. */
export function graphTemplate(graph: LGraph | null): Record<string, number> {
  const meta = (graph as HookedGraph | null)?.extra?.[META_KEY];
  return isPlainObject(meta) && isPlainObject(meta.template) ? (meta.template as Record<string, number>) : {};
}

/** The node's params: its properties that are params of the type. */
function nodeParams(node: LGraphNode, def: NodeDef): Record<string, never> {
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(node.properties ?? {})) if (key in def.params) params[key] = node.properties[key];
  return params as Record<string, never>;
}

type Slot = { name: string; type: string };

/** Makes `node`'s slots on one side exactly `desired` (by name), keeping links of slots that stay. */
function reconcileSlots(node: LGraphNode, side: 'inputs' | 'outputs', desired: Slot[]): boolean {
  const current = (node[side] ?? []) as unknown as (Slot & { link?: number | null; links?: number[] | null })[];
  const same = current.length === desired.length && current.every((s, i) => s.name === desired[i].name && s.type === desired[i].type);
  if (same) return false;
  const wanted = new Set(desired.map((d) => d.name));
  for (let i = current.length - 1; i >= 0; i--) {
    if (wanted.has(current[i].name)) continue;
    if (side === 'inputs') node.removeInput(i);
    else node.removeOutput(i);
  }
  for (const d of desired) {
    if (current.some((s) => s.name === d.name)) continue;
    if (side === 'inputs') node.addInput(d.name, d.type);
    else node.addOutput(d.name, d.type);
  }
  const slots = (node[side] ?? []) as unknown as typeof current;
  const ordered = desired.map((d) => {
    const slot = slots.find((s) => s.name === d.name)!;
    slot.type = d.type;
    return slot;
  });
  slots.splice(0, slots.length, ...ordered);
  const links = hooks(node)?.links;
  ordered.forEach((slot, i) => {
    if (!links) return;
    if (side === 'inputs' && slot.link != null && links[slot.link]) links[slot.link].target_slot = i;
    if (side === 'outputs') for (const id of slot.links ?? []) if (links[id]) links[id].origin_slot = i;
  });
  return true;
}

/** Brings the node's slots in line with its params (ports that depend on params). */
export function syncPorts(node: LGraphNode, def: NodeDef): boolean {
  const template = graphTemplate(node.graph);
  const params = nodeParams(node, def);
  const inputs = definedPorts(def, 'inputs', params, template).map((p) => ({ name: p.name, type: inputSlotType(p.kind) }));
  const outputs = definedPorts(def, 'outputs', params, template).map((p) => ({ name: p.name, type: outputSlotType(p.kind) }));
  const before = Array.from(node.size);
  const oldDefault = node.computeSize();
  const changedIn = reconcileSlots(node, 'inputs', inputs);
  const changedOut = reconcileSlots(node, 'outputs', outputs);
  if (!changedIn && !changedOut) return false;
  // A node at its automatic size follows its slots; a node the user sized keeps its size.
  const fresh = node.computeSize();
  node.size = sameJson(before, Array.from(oldDefault)) ? fresh : [Math.max(before[0], fresh[0]), Math.max(before[1], fresh[1])];
  return true;
}

function setParam(node: LGraphNode, name: string, value: unknown): void {
  node.setProperty(name, value);
}

/** A number widget that also takes template expressions ("ngf*4"): shows numbers like litegraph's, prompts for text. */
function expressionWidget(lib: LitegraphLib, def: NodeDef, spec: WidgetSpec, value: unknown): IWidget {
  const param = def.params[spec.param] as Extract<ParamDef, { type: 'int' | 'float' }>;
  const step = (spec.options.step ?? 10) / 10;
  const widget: IWidget = {
    name: spec.param,
    type: EXPRESSION_WIDGET as IWidget['type'],
    value,
    options: spec.options,
    draw(ctx, _node, width, y, height) {
      const { LiteGraph } = lib;
      ctx.fillStyle = LiteGraph.WIDGET_BGCOLOR;
      ctx.strokeStyle = LiteGraph.WIDGET_OUTLINE_COLOR;
      ctx.beginPath();
      ctx.roundRect(15, y, width - 30, height, height * 0.5);
      ctx.fill();
      ctx.stroke();
      const numeric = typeof this.value === 'number';
      if (numeric) {
        ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
        ctx.beginPath();
        ctx.moveTo(31, y + 5);
        ctx.lineTo(21, y + height * 0.5);
        ctx.lineTo(31, y + height - 5);
        ctx.moveTo(width - 31, y + 5);
        ctx.lineTo(width - 21, y + height * 0.5);
        ctx.lineTo(width - 31, y + height - 5);
        ctx.fill();
      }
      ctx.textAlign = 'left';
      ctx.fillStyle = LiteGraph.WIDGET_SECONDARY_TEXT_COLOR;
      ctx.fillText(spec.param, 35, y + height * 0.7);
      ctx.textAlign = 'right';
      ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
      const shown = numeric ? Number(this.value).toFixed(spec.options.precision ?? 0) : `= ${String(this.value)}`;
      ctx.fillText(shown, width - 35, y + height * 0.7);
    },
    mouse(event, pos, node) {
      if (!/down$/.test(event.type)) return false;
      const width = node.size[0];
      const current = this.value;
      if (typeof current === 'number' && (pos[0] < 40 || pos[0] > width - 40)) {
        let next = current + (pos[0] < 40 ? -step : step);
        if (param.min !== undefined) next = Math.max(param.min, next);
        if (param.max !== undefined) next = Math.min(param.max, next);
        if (param.type === 'int') next = Math.round(next);
        else next = Number(next.toFixed(spec.options.precision ?? 6));
        setParam(node, spec.param, next);
        return true;
      }
      const canvas = hooks(node)?.list_of_graphcanvas?.[0];
      canvas?.prompt(
        spec.param,
        String(current),
        (text: string) => {
          const parsed = parseNumberInput(param, String(text), graphTemplate(node.graph));
          if ('error' in parsed) hooks(node)?.onLgganRejected?.(node, `${spec.param}: ${parsed.error}`);
          else setParam(node, spec.param, parsed.value);
        },
        event,
      );
      return true;
    },
  };
  return widget;
}

function addWidgets(lib: LitegraphLib, node: LGraphNode, def: NodeDef): void {
  for (const spec of widgetSpecs(def)) {
    const value = widgetValue(def, {}, spec.param);
    if (spec.type === EXPRESSION_WIDGET) {
      node.addCustomWidget(expressionWidget(lib, def, spec, value));
      continue;
    }
    const isInt = def.params[spec.param].type === 'int';
    const callback = (v: unknown) => setParam(node, spec.param, isInt && typeof v === 'number' ? Math.round(v) : v);
    node.addWidget(spec.type as never, spec.param, value as never, callback as never, spec.options as never);
  }
}

/** The LGraphNode subclass for one node definition. */
function packNodeClass(lib: LitegraphLib, def: NodeDef) {
  const colors = categoryColors(def.category);
  class PackNode extends lib.LGraphNode {
    static override title = def.title;
    static desc = def.doc;
    static lgganDef = def;
    private lgganConfiguring = false;

    constructor(title?: string) {
      super(title ?? def.title);
      this.serialize_widgets = true;
      this.color = colors.color;
      this.bgcolor = colors.bgcolor;
      for (const p of definedPorts(def, 'inputs', {}, {})) this.addInput(p.name, inputSlotType(p.kind));
      for (const p of definedPorts(def, 'outputs', {}, {})) this.addOutput(p.name, outputSlotType(p.kind));
      addWidgets(lib, this, def);
      this.size = this.computeSize();
    }

    override computeSize(): [number, number] {
      const names = (slots: { name: string }[] | undefined) => (slots ?? []).map((s) => s.name);
      return defaultNodeSize(names(this.inputs), names(this.outputs), (this as { widgets?: unknown[] }).widgets?.length ?? 0);
    }

    // litegraph merges serialized slot arrays into the constructor's by index; start from none so
    // that a node saved with fewer slots than the defaults does not keep stale ones.
    override configure(info: Parameters<LGraphNode['configure']>[0]): void {
      if (Array.isArray(info.inputs)) this.inputs = [];
      if (Array.isArray(info.outputs)) this.outputs = [];
      this.lgganConfiguring = true;
      try {
        super.configure(info);
      } finally {
        this.lgganConfiguring = false;
      }
    }

    override onAdded(): void {
      syncPorts(this, def);
    }

    override onPropertyChanged(name: string, value: unknown): void {
      if (this.lgganConfiguring || !(name in def.params)) return;
      syncPorts(this, def);
      hooks(this)?.onLgganParamChanged?.(this, name, value);
    }

    override onConnectInput(targetSlot: number, _type: unknown, _output: unknown, source: LGraphNode, sourceSlot: number): boolean {
      const graph = hooks(this);
      const reason = graph?.lgganCheckConnection?.(source, sourceSlot, this, targetSlot) ?? null;
      if (reason === null) return true;
      graph?.onLgganRejected?.(this, reason);
      return false;
    }
  }
  Object.defineProperty(PackNode, 'name', { value: `LGGAN_${def.type.replace(/[^A-Za-z0-9]/g, '_')}` });
  return PackNode;
}

/** Comments: ComfyUI's note node (`widgets_values: [text]`), one text widget. */
function noteClass(lib: LitegraphLib) {
  class NoteNode extends lib.LGraphNode {
    static override title = NOTE_TYPE;
    static lgganNote = true;
    constructor(title?: string) {
      super(title ?? NOTE_TYPE);
      this.serialize_widgets = true;
      this.color = NOTE_COLORS.color;
      this.bgcolor = NOTE_COLORS.bgcolor;
      this.addWidget('text', 'text', '', ((v: unknown) => hooks(this)?.onLgganParamChanged?.(this, 'text', v)) as never, { multiline: true } as never);
      this.size = [...DEFAULT_COMMENT_SIZE];
    }
    override computeSize(): [number, number] {
      return [...DEFAULT_COMMENT_SIZE];
    }
  }
  return NoteNode;
}

export interface RegisterOptions {
  /**
   * Register the note type for comments: 'if-absent' (default) leaves a host's own "Note" (ComfyUI
   * has one) in place, 'always' replaces it, 'never' skips it.
   */
  notes?: 'if-absent' | 'always' | 'never';
}

/** Registers every node type of `registry` (and the note type); returns the type names registered. */
export function registerLgganNodes(lib: LitegraphLib, registry: Pick<NodeRegistry, 'list'>, options: RegisterOptions = {}): string[] {
  const registered: string[] = [];
  const types = lib.LiteGraph.registered_node_types as Record<string, { lgganDef?: NodeDef; lgganNote?: boolean }>;
  for (const def of registry.list()) {
    if (types[def.type]?.lgganDef === def) continue; // already registered: no "replacing" noise
    lib.LiteGraph.registerNodeType(def.type, packNodeClass(lib, def));
    registered.push(def.type);
  }
  const notes = options.notes ?? 'if-absent';
  const existing = types[NOTE_TYPE];
  if (notes === 'always' ? !existing?.lgganNote : notes === 'if-absent' && !existing) {
    lib.LiteGraph.registerNodeType(NOTE_TYPE, noteClass(lib));
    registered.push(NOTE_TYPE);
  }
  return registered;
}

/** The node definition behind a registered litegraph node, if it is one of the pack's. */
export function packDefOf(node: LGraphNode): NodeDef | undefined {
  return (node.constructor as { lgganDef?: NodeDef }).lgganDef;
}
