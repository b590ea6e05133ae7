import { describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../shortcuts.ts';
import { keyAction, type KeyActions, type KeyPress } from './keys.ts';

const NAMES = ['undo', 'redo', 'duplicate', 'selectAll', 'group', 'bypass', 'mute', 'save', 'saveAs', 'open', 'remove', 'help', 'searchPalette', 'fit', 'arrange', 'comment', 'toggleMinimap', 'switchView', 'zoomIn', 'zoomOut'] as const;
const actions = Object.fromEntries(NAMES.map((n) => [n, Object.assign(() => {}, { actionName: n })])) as unknown as KeyActions;
const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
const named = (e: KeyPress) => (keyAction(e, actions) as { actionName?: string } | undefined)?.actionName;

describe('editor keys', () => {
  it('maps each documented shortcut to its action', () => {
    expect(named(press('z', { ctrlKey: true }))).toBe('undo');
    expect(named(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(named(press('y', { metaKey: true }))).toBe('redo');
    expect(named(press('d', { ctrlKey: true }))).toBe('duplicate');
    expect(named(press('a', { ctrlKey: true }))).toBe('selectAll');
    expect(named(press('g', { ctrlKey: true }))).toBe('group');
    expect(named(press('b', { ctrlKey: true }))).toBe('bypass');
    expect(named(press('m', { ctrlKey: true }))).toBe('mute');
    expect(named(press('s', { ctrlKey: true }))).toBe('save');
    expect(named(press('S', { ctrlKey: true, shiftKey: true }))).toBe('saveAs');
    expect(named(press('o', { ctrlKey: true }))).toBe('open');
    expect(named(press('Delete'))).toBe('remove');
    expect(named(press('Backspace'))).toBe('remove');
    expect(named(press('?', { shiftKey: true }))).toBe('help');
    expect(named(press('/'))).toBe('searchPalette');
    expect(named(press('f'))).toBe('fit');
    expect(named(press('A', { shiftKey: true }))).toBe('arrange');
    expect(named(press('m'))).toBe('comment');
    expect(named(press('n'))).toBe('toggleMinimap');
    expect(named(press('v'))).toBe('switchView');
    expect(named(press('+'))).toBe('zoomIn');
    expect(named(press('-'))).toBe('zoomOut');
  });

  it('leaves the clipboard keys, Alt chords and other keys alone', () => {
    for (const k of ['c', 'x', 'v']) expect(keyAction(press(k, { ctrlKey: true }), actions)).toBeUndefined();
    expect(keyAction(press('f', { altKey: true }), actions)).toBeUndefined();
    expect(keyAction(press('q'), actions)).toBeUndefined();
    expect(keyAction(press('a'), actions)).toBeUndefined(); // plain a: not Shift+A
  });

  it('has a help entry for every single-key and Ctrl shortcut it handles', () => {
    const documented = SHORTCUTS.map(([keys]) => keys).join(' | ');
    for (const keys of ['Ctrl+Z', 'Ctrl+Y', 'Ctrl+D', 'Ctrl+A', 'Ctrl+G', 'Ctrl+B', 'Ctrl+M', 'Ctrl+S', 'Ctrl+Shift+S', 'Ctrl+O', 'Delete', 'Shift+A', 'F', 'M', 'N', 'V', '?', '/']) expect(documented).toContain(keys);
  });
});
