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

  it('names one actual loop through each cycle, shortest first', () => {
    // x → y → z → x plus a shortcut y → x: the knot is {x, y, z}, the shortest loop through x is x → y → x.
    const { cycles, loops } = orderNodes(['x', 'y', 'z', 'self'], [e('x', 'y'), e('y', 'z'), e('z', 'x'), e('y', 'x'), e('self', 'self')]);
    expect(cycles).toEqual([['x', 'y', 'z'], ['self']]);
    expect(loops).toEqual([['x', 'y'], ['self']]);
  });

  it('finds a 10,000-node cycle and a 100,000-node fan-out without recursion', () => {
    const ring = Array.from({ length: 10_000 }, (_, i) => `r${i}`);
    const ringEdges = ring.map((id, i) => e(id, ring[(i + 1) % ring.length]));
    const { order, cycles, loops } = orderNodes(['in', ...ring], [e('in', 'r0'), ...ringEdges]);
    expect(order).toEqual(['in']);
    expect(cycles).toEqual([ring]);
    expect(loops[0]).toEqual(ring);

    const leaves = Array.from({ length: 100_000 }, (_, i) => `leaf${i}`);
    const fan = orderNodes(['root', ...leaves], leaves.map((id) => e('root', id)));
    expect(fan.order).toEqual(['root', ...leaves]);
  });

  it('keeps document order among ready nodes however they become ready', () => {
    // A fan-in whose sources appear in reverse: each becomes ready at once, and they come out in document order.
    const ids = ['d', 'c', 'b', 'a', 'sink'];
    const { order } = orderNodes(ids, [e('a', 'sink'), e('b', 'sink'), e('c', 'sink'), e('d', 'sink'), e('a', 'b')]);
    expect(order).toEqual(['d', 'c', 'a', 'b', 'sink']);
  });
});
