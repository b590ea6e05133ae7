import { describe, expect, it } from 'vitest';
import { clampSize, defaultLayout, LAYOUT_KEY, parseLayout, readLayout, writeLayout } from './panel-layout.ts';

describe('panel layout', () => {
  it('round-trips through storage', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const layout = defaultLayout();
    layout.size.palette = 260;
    layout.open.inspector = false;
    layout.dockFull = true;
    writeLayout(storage, layout);
    expect(store.has(LAYOUT_KEY)).toBe(true);
    expect(readLayout(storage)).toEqual(layout);
  });

  it('takes defaults for what is missing or malformed, and clamps sizes to their limits', () => {
    expect(parseLayout(null)).toEqual(defaultLayout());
    expect(parseLayout('not json')).toEqual(defaultLayout());
    expect(parseLayout('"a string"')).toEqual(defaultLayout());
    expect(parseLayout('x'.repeat(3000))).toEqual(defaultLayout());
    const parsed = parseLayout(JSON.stringify({ size: { palette: 5, inspector: 1e9, dock: 'tall', dockRun: 400.4 }, open: { palette: 'no', dock: false }, dockFull: 1 }));
    expect(parsed.size).toEqual({ palette: 160, inspector: 560, dock: 176, dockRun: 400 });
    expect(parsed.open).toEqual({ palette: true, inspector: true, dock: false });
    expect(parsed.dockFull).toBe(false);
  });

  it('keeps a side panel under half the window and a dock clear of the canvas', () => {
    const small = { width: 1280, height: 720 };
    expect(clampSize('palette', 900, small)).toBe(480);
    expect(clampSize('palette', 900, { width: 700, height: 720 })).toBe(270);
    expect(clampSize('dockRun', 2000, small)).toBe(560);
    expect(clampSize('dock', 10, small)).toBe(96);
  });

  it('scales the run dock default with the window, within 320–560 px', () => {
    expect(defaultLayout(400).size.dockRun).toBe(320);
    expect(defaultLayout(800).size.dockRun).toBe(440);
    expect(defaultLayout(2000).size.dockRun).toBe(560);
  });

  it('survives storage that throws', () => {
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(readLayout(throwing)).toEqual(defaultLayout());
    expect(() => writeLayout(throwing, defaultLayout())).not.toThrow();
  });
});
