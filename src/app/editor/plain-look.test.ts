import { describe, expect, it } from 'vitest';
import { plainCardLook, wireLook } from './plain-look.ts';

const node = (over: Partial<Parameters<typeof plainCardLook>[0]['vm']> = {}, isSelected = false) => ({
  vm: { id: 'n1', title: 'Conv 2D', category: 'conv' as const, known: true, ...over },
  isSelected,
  width: 320,
  height: 120,
});

describe('plain card look', () => {
  it('is a compact node card in its category colour, with the test hooks of a card', () => {
    const look = plainCardLook(node(), undefined);
    expect(look.className).toBe('lg-node lg-plain cat-conv');
    expect(look.data).toEqual({ testid: 'node', nodeId: 'n1', severity: 'ok', detail: 'compact', mode: 'active', diff: undefined });
  });

  it('carries selection, problems, unknown type, mode and comparison marks', () => {
    const look = plainCardLook(node({ severity: 'error', known: false, mode: 'bypass' }, true), 'added');
    expect(look.className.split(' ')).toEqual(['lg-node', 'lg-plain', 'cat-conv', 'selected', 'error', 'unknown', 'diff-added', 'bypass']);
    expect(look.data).toMatchObject({ severity: 'error', mode: 'bypass', diff: 'added' });
    expect(plainCardLook(node({ severity: 'warning', mode: 'left-out' }), 'changed').className).toBe('lg-node lg-plain cat-conv warning diff-changed left-out');
  });
});

describe('wire look', () => {
  it('colours a wire by kind, marks a new one, and names it by its edge', () => {
    expect(wireLook({ id: 'a.y->b.x', kind: 'image' }, false)).toEqual({ className: 'lg-wire kind-image', data: { testid: 'wire', edge: 'a.y->b.x', diff: undefined } });
    expect(wireLook({ id: 'a.y->b.x', kind: 'image' }, true)).toEqual({ className: 'lg-wire kind-image diff-added', data: { testid: 'wire', edge: 'a.y->b.x', diff: 'added' } });
  });

  it('draws the wire being dragged apart', () => {
    expect(wireLook({ id: 'pseudo_1', kind: 'feature', isPseudo: true }, true)).toEqual({ className: 'lg-wire dragged', data: { testid: 'wire-dragged' } });
  });
});
