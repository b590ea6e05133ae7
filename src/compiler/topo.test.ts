import { describe, expect, it } from 'vitest';
import { orderNodes } from './topo.ts';

const e = (from: string, to: string) => ({ from, to });

describe('orderNodes', () => {
  it('orders a DAG, keeping document order among independent nodes', () => {
    const { order, cycles } = orderNodes(['c', 'a', 'b', 'd'], [e('a', 'd'), e('b', 'd'), e('c', 'a')]);
    expect(cycles).toEqual([]);
    expect(order).toEqual(['c', 'a', 'b', 'd']); // 'a' becomes ready before 'b' is taken, and precedes it in the document
  });

  it('names every node of each cycle and still orders the rest', () => {
    const { order, cycles } = orderNodes(['in', 'x', 'y', 'z', 'self', 'out'], [e('in', 'x'), e('x', 'y'), e('y', 'z'), e('z', 'x'), e('self', 'self'), e('z', 'out')]);
    expect(cycles).toEqual([['x', 'y', 'z'], ['self']]);
    expect(order).toEqual(['in']);
  });

  it('handles a long chain without deep recursion trouble', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i) => e(ids[i], id));
    expect(orderNodes(ids, edges).order).toEqual(ids);
  });
});
