/**
 * Sizes and boxes for the litegraph side, which has them where our format does not: a node's size
 * (a deterministic default from its slots and widgets, so that an unchanged size need not be kept),
 * a comment's default size, and a group's bounding box around its member nodes.
 */
const SLOT_HEIGHT = 20; // LiteGraph.NODE_SLOT_HEIGHT
const WIDGET_HEIGHT = 24; // LiteGraph.NODE_WIDGET_HEIGHT + 4
const CHAR_WIDTH = 8.4; // LiteGraph.NODE_TEXT_SIZE × 0.6, litegraph's own estimate
const TITLE_HEIGHT = 30; // LiteGraph.NODE_TITLE_HEIGHT: the title bar sits above pos

export const DEFAULT_COMMENT_SIZE: [number, number] = [320, 100];
/** Space between a group's border and its members (the group title bar needs the top one). */
const GROUP_PAD = 20;
const GROUP_TITLE = 40;

export function defaultNodeSize(inputs: readonly string[], outputs: readonly string[], widgets: number): [number, number] {
  const longest = (names: readonly string[]) => names.reduce((m, n) => Math.max(m, n.length), 0);
  const slotsWidth = Math.ceil((longest(inputs) + longest(outputs)) * CHAR_WIDTH) + 40;
  const width = Math.max(widgets > 0 ? 240 : 160, slotsWidth);
  const rows = Math.max(1, inputs.length, outputs.length);
  const height = rows * SLOT_HEIGHT + (widgets > 0 ? widgets * WIDGET_HEIGHT + 8 : 0) + 6;
  return [width, height];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A group's [x, y, w, h] around its members' boxes (nodeBox: title bars included), in whole units
 * so that litegraph's rounding in LGraphGroup.serialize() changes nothing. Null when there is no
 * member or the box does not fit litegraph's Float32Array (members beyond ±3.4e38).
 */
export function groupBounding(members: readonly Box[]): [number, number, number, number] | null {
  if (members.length === 0) return null;
  const x = Math.floor(Math.min(...members.map((b) => b.x)) - GROUP_PAD);
  const y = Math.floor(Math.min(...members.map((b) => b.y)) - GROUP_TITLE);
  const width = Math.ceil(Math.max(...members.map((b) => b.x + b.width)) + GROUP_PAD) - x;
  const height = Math.ceil(Math.max(...members.map((b) => b.y + b.height)) + GROUP_PAD) - y;
  const box: [number, number, number, number] = [x, y, width, height];
  return box.every((v) => Number.isFinite(Math.fround(v))) ? box : null;
}

/** Where a group without placed members goes: a row of boxes above the origin. */
export function emptyGroupBounding(index: number): [number, number, number, number] {
  return [index * 240, -200, 220, 100];
}

/** Is the node box inside the group box? (litegraph's recomputeInsideNodes: they overlap.) */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function nodeBox(pos: readonly [number, number], size: readonly [number, number]): Box {
  return { x: pos[0], y: pos[1] - TITLE_HEIGHT, width: size[0], height: size[1] + TITLE_HEIGHT };
}
