/**
 * Ordering: a topological order of the graph (Kahn, stable in document order) and, for nodes that
 * cannot be ordered, the cycles they sit on (strongly connected components, Tarjan).
 */
export interface Ordering {
  order: string[];
  /** Each cycle's node ids, in document order. */
  cycles: string[][];
}

export function orderNodes(ids: readonly string[], edges: readonly { from: string; to: string }[]): Ordering {
  const index = new Map(ids.map((id, i) => [id, i]));
  const successors = new Map<string, string[]>(ids.map((id) => [id, []]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of edges) {
    if (!index.has(e.from) || !index.has(e.to)) continue;
    successors.get(e.from)!.push(e.to);
    indegree.set(e.to, indegree.get(e.to)! + 1);
  }

  // Kahn's algorithm; the ready list is kept sorted by document position so the order is stable.
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of successors.get(id)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) {
        const at = ready.findIndex((r) => index.get(r)! > index.get(next)!);
        ready.splice(at < 0 ? ready.length : at, 0, next);
      }
    }
  }
  if (order.length === ids.length) return { order, cycles: [] };

  const leftover = new Set(ids.filter((id) => indegree.get(id)! > 0));
  return { order, cycles: stronglyConnected(ids.filter((id) => leftover.has(id)), successors, index) };
}

/** Tarjan's SCCs restricted to `nodes`; keeps only real cycles (size > 1 or a self-loop). */
function stronglyConnected(nodes: string[], successors: Map<string, string[]>, position: Map<string, number>): string[][] {
  const inSet = new Set(nodes);
  const low = new Map<string, number>();
  const num = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  let counter = 0;

  function visit(v: string): void {
    num.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of successors.get(v)!) {
      if (!inSet.has(w)) continue;
      if (!num.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, num.get(w)!));
      }
    }
    if (low.get(v) === num.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && successors.get(v)!.includes(v);
      if (component.length > 1 || selfLoop) result.push(component.sort((a, b) => position.get(a)! - position.get(b)!));
    }
  }

  for (const v of nodes) if (!num.has(v)) visit(v);
  return result;
}
