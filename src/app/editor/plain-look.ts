/**
 * What a plain card (a node drawn as a box: zoomed out, or far from the view on a large graph) and
 * a wire look like, as classes and data attributes: pure, so Node tests check it, and the canvas
 * renderer (canvas-render.svelte.ts) only copies it onto elements. A plain card carries the same
 * marks as NodeCard.svelte's compact form (selection, problems, mode, comparison) and the same
 * test hooks (data-testid="node", data-node-id, data-detail="compact").
 */
import type { NodeMark } from '../compare/compare-view.ts';
import type { NodeView } from './node-view.ts';

export interface PlainNodeState {
  vm: Pick<NodeView, 'id' | 'title' | 'category' | 'known' | 'severity' | 'mode'>;
  isSelected: boolean;
  width: number;
  height: number;
}

export interface Look {
  className: string;
  /** data-* attributes by their dataset name; undefined removes one. */
  data: Record<string, string | undefined>;
}

export function plainCardLook(node: PlainNodeState, mark: NodeMark | undefined): Look {
  const { vm } = node;
  const classes = ['lg-node', 'lg-plain', `cat-${vm.category}`];
  if (node.isSelected) classes.push('selected');
  if (vm.severity === 'error') classes.push('error');
  if (vm.severity === 'warning') classes.push('warning');
  if (!vm.known) classes.push('unknown');
  if (mark) classes.push(`diff-${mark}`);
  if (vm.mode) classes.push(vm.mode);
  return {
    className: classes.join(' '),
    data: { testid: 'node', nodeId: vm.id, severity: vm.severity ?? 'ok', detail: 'compact', mode: vm.mode ?? 'active', diff: mark },
  };
}

export function wireLook(wire: { id: string; kind: string; isPseudo?: boolean }, added: boolean): Look {
  if (wire.isPseudo) return { className: 'lg-wire dragged', data: { testid: 'wire-dragged' } };
  return {
    className: `lg-wire kind-${wire.kind}${added ? ' diff-added' : ''}`,
    data: { testid: 'wire', edge: wire.id, diff: added ? 'added' : undefined },
  };
}

/** Copies a look onto an element (HTML or SVG): class, and data attributes set as text. */
export function applyLook(element: HTMLElement | SVGElement, look: Look): void {
  element.setAttribute('class', look.className);
  for (const [key, value] of Object.entries(look.data)) {
    if (value === undefined) delete element.dataset[key];
    else element.dataset[key] = value;
  }
}

/** Takes a plain card's look off the area's element (the node is drawn in full inside it now). */
export function clearLook(element: HTMLElement): void {
  element.removeAttribute('class');
  element.removeAttribute('title');
  for (const key of Object.keys(element.dataset)) delete element.dataset[key];
  element.style.width = '';
  element.style.height = '';
}
