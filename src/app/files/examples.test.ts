import { describe, expect, it } from 'vitest';
import shippedIndex from '../../../graphs/index/examples.json';
import { checkedThumbnail, EXAMPLE_GROUPS, exampleSections } from './examples.ts';

const files = shippedIndex.examples.map((e) => e.file);

describe('the Examples menu sections', () => {
  it('groups the shipped graphs as task graphs and ablations, tiny and full size, in that order', () => {
    const sections = exampleSections(shippedIndex, files);
    expect(sections.map((s) => s.label)).toEqual(EXAMPLE_GROUPS.map((g) => g.label));
    expect(sections.map((s) => s.items.length)).toEqual([4, 3, 6, 6]);
    const taskTiny = sections[0].items.map((i) => i.file);
    expect(taskTiny).toContain('lggan-cityscapes-tiny.json');
    expect(taskTiny).toContain('tiny-pix2pix.json');
    expect(sections[3].items.every((i) => i.file.startsWith('ablation-') && !i.file.endsWith('-tiny.json'))).toBe(true);
  });

  it('gives each item its title, one-line summary and a thumbnail of its nodes', () => {
    const item = exampleSections(shippedIndex, files)
      .flatMap((s) => s.items)
      .find((i) => i.file === 'lggan-cityscapes-tiny.json')!;
    expect(item.title).toBe('LGGAN Cityscapes (tiny)');
    expect(item.summary).toMatch(/street scene/);
    expect(item.resolution).toBe('128×64');
    expect(item.thumbnail.boxes).toHaveLength(21);
  });

  it('lists only the files the app ships, and a shipped file the index lacks under Other by its name', () => {
    const sections = exampleSections(shippedIndex, ['lggan-cityscapes-tiny.json', 'new-graph.json']);
    expect(sections.map((s) => [s.id, s.items.map((i) => i.title)])).toEqual([
      ['task-tiny', ['LGGAN Cityscapes (tiny)']],
      ['other', ['new-graph.json']],
    ]);
  });

  it('keeps only sane thumbnail numbers and known categories', () => {
    const t = checkedThumbnail({
      boxes: [
        [1, 2, 3, 4, 'lggan'],
        [1, 2, 3, 4, '"><script>'],
        [Number.NaN, 2, 3, 4, 'conv'],
        [1e9, 2, 3, 4, 'conv'],
        ['1', 2, 3, 4, 'conv'],
      ],
      wires: [[1, 2, 3, 4], [-5, 2, 3, 4], 'x'],
    });
    expect(t).toEqual({ boxes: [[1, 2, 3, 4, 'lggan'], [1, 2, 3, 4, 'unknown']], wires: [[1, 2, 3, 4]] });
    expect(checkedThumbnail(undefined)).toEqual({ boxes: [], wires: [] });
  });
});
