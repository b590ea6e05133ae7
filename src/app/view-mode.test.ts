import { describe, expect, it } from 'vitest';
import { VIEW_KEY, otherView, parseEditorView, readEditorView, writeEditorView } from './view-mode.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
}
const brokenStorage = {
  getItem: (): string | null => {
    throw new DOMException('denied', 'SecurityError');
  },
  setItem: (): void => {
    throw new DOMException('quota', 'QuotaExceededError');
  },
};

describe('editor view choice', () => {
  it('reads only the two known views; anything else is Rete', () => {
    expect(parseEditorView('litegraph')).toBe('litegraph');
    expect(parseEditorView('rete')).toBe('rete');
    for (const stored of [null, undefined, '', 'Litegraph', 'comfy', '"litegraph"']) expect(parseEditorView(stored)).toBe('rete');
  });

  it('toggles between the two', () => {
    expect(otherView('rete')).toBe('litegraph');
    expect(otherView('litegraph')).toBe('rete');
  });

  it('is remembered in storage under its key and read back', () => {
    const storage = memoryStorage();
    expect(readEditorView(storage)).toBe('rete');
    expect(writeEditorView(storage, 'litegraph')).toBe(true);
    expect(storage.items.get(VIEW_KEY)).toBe('litegraph');
    expect(readEditorView(storage)).toBe('litegraph');
    writeEditorView(storage, 'rete');
    expect(readEditorView(storage)).toBe('rete');
  });

  it('falls back to Rete when storage is missing or refuses', () => {
    expect(readEditorView(undefined)).toBe('rete');
    expect(writeEditorView(undefined, 'litegraph')).toBe(false);
    expect(readEditorView(brokenStorage)).toBe('rete');
    expect(writeEditorView(brokenStorage, 'litegraph')).toBe(false);
  });
});
