import { describe, expect, it } from 'vitest';
import type { NodeDef } from '../../../nodes/contract.ts';
import type { NodeMode, Position } from '../../graph/document.ts';
import { backgroundMenu, menuMatches, nodeMenu, type MenuHooks } from './canvas-menu.ts';

/** Hooks that record what the menu asked for; `modes` and `reconnectable` answer its questions. */
function recordingHooks(modes: Record<string, NodeMode> = {}, reconnectable = false): MenuHooks & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    addNode: (type: string, at: Position) => calls.push(['add', type, at]),
    removeNodes: (ids: string[]) => calls.push(['remove', ids]),
    removeNodesReconnecting: (ids: string[]) => calls.push(['remove-reconnecting', ids]),
    canReconnect: () => reconnectable,
    duplicateNodes: (ids: string[]) => calls.push(['duplicate', ids]),
    toggleMode: (ids: string[], mode: NodeMode) => calls.push(['toggle', ids, mode]),
    modeOf: (id: string) => modes[id],
    sections: () => [{ category: 'input', label: 'Inputs', items: [{ title: 'Label map', type: 'lggan/label-map' } as NodeDef] }],
  };
}

describe('the canvas context menu', () => {
  it('on the background lists the palette, and a pick adds the node where the menu opened', () => {
    const hooks = recordingHooks();
    const menu = backgroundMenu(hooks, { x: 10, y: 20 });
    expect(menu.searchBar).toBe(true);
    expect(menu.list.map((s) => [s.label, s.subitems?.map((i) => i.label)])).toEqual([['Inputs', ['Label map']]]);
    menu.list[0].subitems![0].handler();
    expect(hooks.calls).toEqual([['add', 'lggan/label-map', { x: 10, y: 20 }]]);
  });

  it('on a selected node acts on the whole selection; on another node, on that node alone', () => {
    const hooks = recordingHooks({ a: 'bypass', b: 'bypass' }, true);
    const onSelection = nodeMenu(hooks, 'a', new Set(['a', 'b']));
    expect(onSelection.list.map((i) => i.label)).toEqual(['Duplicate 2 nodes', 'Un-bypass 2 nodes (Ctrl+B)', 'Mute 2 nodes (Ctrl+M)', 'Delete 2 nodes', 'Delete and reconnect 2 nodes']);
    onSelection.list.find((i) => i.key === 'bypass')!.handler();
    const alone = nodeMenu(hooks, 'c', new Set(['a', 'b']));
    expect(alone.list.map((i) => i.label)).toEqual(['Duplicate', 'Bypass (Ctrl+B)', 'Mute (Ctrl+M)', 'Delete', 'Delete and reconnect']);
    alone.list.find((i) => i.key === 'delete')!.handler();
    expect(hooks.calls).toEqual([
      ['toggle', ['a', 'b'], 'bypass'],
      ['remove', ['c']],
    ]);
  });

  it('offers "Delete and reconnect" only where a node passes its input through', () => {
    expect(nodeMenu(recordingHooks(), 'a', new Set()).list.map((i) => i.key)).toEqual(['duplicate', 'bypass', 'mute', 'delete']);
  });

  it('searches the leaves of every section as plain text, every word in any case', () => {
    const hooks = recordingHooks();
    hooks.sections = () => [
      { category: 'input', label: 'Inputs', items: [{ title: 'Label map', type: 'lggan/label-map' } as NodeDef] },
      { category: 'conv', label: 'Convolution', items: [{ title: 'Conv 2D', type: 'core/conv2d' } as NodeDef, { title: 'Transposed conv (2D)', type: 'core/conv-transpose2d' } as NodeDef] },
    ];
    const menu = backgroundMenu(hooks, { x: 0, y: 0 });
    expect(menuMatches(menu.list, '  ').map((i) => i.label)).toEqual(['Inputs', 'Convolution']);
    expect(menuMatches(menu.list, 'CONV').map((i) => i.label)).toEqual(['Conv 2D', 'Transposed conv (2D)']);
    expect(menuMatches(menu.list, 'conv transposed').map((i) => i.label)).toEqual(['Transposed conv (2D)']);
    // What is typed is no pattern: a bracket neither throws nor matches everything.
    expect(menuMatches(menu.list, '(2D)').map((i) => i.label)).toEqual(['Transposed conv (2D)']);
    expect(menuMatches(menu.list, '.*')).toEqual([]);
    expect(menuMatches(menu.list, 'label-map').map((i) => i.key)).toEqual(['lggan/label-map']);
  });
});
