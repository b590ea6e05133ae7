/**
 * A group frame's rectangle around its member nodes, as the canvas draws it (Canvas.svelte) and as
 * Arrange leaves room for it (arrange.ts): one rule, so the two never disagree.
 */
import type { Rect } from './minimap.ts';

/** Space between a frame's border and its members. */
export const FRAME_PAD = 18;
/** The frame's title bar above its members. */
export const FRAME_TITLE = 24;

/** The frame around these member boxes (graph coordinates); undefined when none is on the canvas. */
export function frameRect(members: readonly Rect[]): Rect | undefined {
  if (members.length === 0) return undefined;
  const x = Math.min(...members.map((b) => b.x)) - FRAME_PAD;
  const y = Math.min(...members.map((b) => b.y)) - FRAME_PAD - FRAME_TITLE;
  const right = Math.max(...members.map((b) => b.x + b.width)) + FRAME_PAD;
  const bottom = Math.max(...members.map((b) => b.y + b.height)) + FRAME_PAD;
  return { x, y, width: right - x, height: bottom - y };
}
