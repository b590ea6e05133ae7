/**
 * The sizes of the editor's panels — palette (left), inspector (right), the dock below (Problems,
 * Compare; Run and Runs have a height of their own) — whether each is open, and whether the dock
 * fills the window ("full tab"). Remembered per browser in localStorage; what is read back is
 * checked and clamped (a stored value may be from another build, or edited by hand).
 */
export const LAYOUT_KEY = 'lggan-studio.layout';

export type Panel = 'palette' | 'inspector' | 'dock' | 'dockRun';

export interface PanelLayout {
  /** Width (palette, inspector) or height (the docks) in CSS pixels. */
  size: Record<Panel, number>;
  open: { palette: boolean; inspector: boolean; dock: boolean };
  /** The dock fills the space of the canvas (the canvas is hidden until restored). */
  dockFull: boolean;
}

/** Smallest and largest size of each panel; the largest is also bounded by the window (clampToWindow). */
export const PANEL_LIMITS: Record<Panel, { min: number; max: number }> = {
  palette: { min: 160, max: 480 },
  inspector: { min: 220, max: 560 },
  dock: { min: 96, max: 900 },
  dockRun: { min: 200, max: 1200 },
};

export function defaultLayout(windowHeight = 800): PanelLayout {
  return {
    size: { palette: 220, inspector: 300, dock: 176, dockRun: Math.round(Math.min(560, Math.max(320, windowHeight * 0.55))) },
    open: { palette: true, inspector: true, dock: true },
    dockFull: false,
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A size kept within its panel's limits and, for the docks, leaving the canvas at least `keep` pixels of the window. */
export function clampSize(panel: Panel, size: number, window: { width: number; height: number }, keep = 160): number {
  const { min, max } = PANEL_LIMITS[panel];
  const room = panel === 'palette' || panel === 'inspector' ? window.width / 2 - 80 : window.height - keep;
  return Math.round(clamp(size, min, Math.max(min, Math.min(max, room))));
}

/** The layout stored under LAYOUT_KEY, each field checked; anything missing or malformed takes its default. */
export function parseLayout(text: string | null, windowHeight?: number): PanelLayout {
  const layout = defaultLayout(windowHeight);
  if (!text || text.length > 2000) return layout;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return layout;
  }
  if (typeof value !== 'object' || value === null) return layout;
  const v = value as { size?: Record<string, unknown>; open?: Record<string, unknown>; dockFull?: unknown };
  for (const panel of Object.keys(PANEL_LIMITS) as Panel[]) {
    const size = v.size?.[panel];
    if (typeof size === 'number' && Number.isFinite(size)) layout.size[panel] = Math.round(clamp(size, PANEL_LIMITS[panel].min, PANEL_LIMITS[panel].max));
  }
  for (const panel of ['palette', 'inspector', 'dock'] as const) {
    if (typeof v.open?.[panel] === 'boolean') layout.open[panel] = v.open[panel] as boolean;
  }
  if (typeof v.dockFull === 'boolean') layout.dockFull = v.dockFull;
  return layout;
}

export function readLayout(storage: Pick<Storage, 'getItem'> | undefined, windowHeight?: number): PanelLayout {
  try {
    return parseLayout(storage?.getItem(LAYOUT_KEY) ?? null, windowHeight);
  } catch {
    return defaultLayout(windowHeight); // storage blocked
  }
}

export function writeLayout(storage: Pick<Storage, 'setItem'> | undefined, layout: PanelLayout): void {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // Private windows may refuse storage: the layout holds for this page.
  }
}
