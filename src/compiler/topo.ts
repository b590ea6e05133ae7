/**
 * Ordering: a topological order of the graph (Kahn, stable in document order) and, for nodes that
 * cannot be ordered, the cycles they sit on (strongly connected components, Tarjan).
 *
 * Both run on integer node indices with adjacency lists built once, and neither recurses, so a
 * 100k-node chain, fan-out or cycle costs O((N + E) log N) time and no stack depth.
 */
export interface Ordering {
  order: string[];
  /** Each cycle's node ids (a strongly connected component), in document order. */
  cycles: string[][];
  /**
   * For each entry of `cycles`, one actual loop through its first node, as the path walked:
   * [a, b, c] means a → b → c → a. The shortest such loop, so a message can show it whole.
   */
  loops: string[][];
}

/** Compressed adjacency: the successors of node i are targets[start[i] .. start[i + 1]). */
interface Adjacency {
  start: Int32Array;
  targets: Int32Array;
}

function buildAdjacency(count: number, from: Int32Array, to: Int32Array): Adjacency {
  const start = new Int32Array(count + 1);
  for (let e = 0; e < from.length; e++) start[from[e] + 1]++;
  for (let i = 0; i < count; i++) start[i + 1] += start[i];
  const fill = start.slice(0, count);
  const targets = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) targets[fill[from[e]]++] = to[e];
  return { start, targets };
}

/** A binary min-heap of node indices: the ready node earliest in the document comes out first. */
class IndexHeap {
  private readonly items: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
  }

  push(value: number): void {
    const a = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= value) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = value;
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a[--this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && a[child + 1] < a[child]) child++;
      if (a[child] >= last) break;
      a[i] = a[child];
      i = child;
    }
    a[i] = last;
    return top;
  }
}

export function orderNodes(ids: readonly string[], edges: readonly { from: string; to: string }[]): Ordering {
  const count = ids.length;
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  const from: number[] = [];
  const to: number[] = [];
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined) continue;
    from.push(a);
    to.push(b);
  }
  const adjacency = buildAdjacency(count, Int32Array.from(from), Int32Array.from(to));
  const { start, targets } = adjacency;
  const indegree = new Int32Array(count);
  for (let e = 0; e < targets.length; e++) indegree[targets[e]]++;

  // Kahn's algorithm; the heap hands out ready nodes in document order, so the order is stable.
  const ready = new IndexHeap(count);
  for (let i = 0; i < count; i++) if (indegree[i] === 0) ready.push(i);
  const order: string[] = [];
  while (ready.size > 0) {
    const v = ready.pop();
    order.push(ids[v]);
    for (let k = start[v]; k < start[v + 1]; k++) {
      const w = targets[k];
      if (--indegree[w] === 0) ready.push(w);
    }
  }
  if (order.length === count) return { order, cycles: [], loops: [] };

  const leftover = new Uint8Array(count);
  for (let i = 0; i < count; i++) if (indegree[i] > 0) leftover[i] = 1;
  const components = stronglyConnected(leftover, adjacency);
  const cycles = components.map((component) => component.map((i) => ids[i]));
  const loops = components.map((component) => shortestLoop(component, adjacency).map((i) => ids[i]));
  return { order, cycles, loops };
}

/** Breadth-first search inside one component from its first node back to itself. */
function shortestLoop(component: number[], { start, targets }: Adjacency): number[] {
  const origin = component[0];
  const inside = new Set(component);
  const parent = new Map<number, number>();
  const queue = [origin];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (let k = start[v]; k < start[v + 1]; k++) {
      const w = targets[k];
      if (w === origin) {
        const path = [v];
        for (let p = v; p !== origin; ) path.push((p = parent.get(p)!));
        return path.reverse();
      }
      if (!inside.has(w) || parent.has(w)) continue;
      parent.set(w, v);
      queue.push(w);
    }
  }
  return component; // unreachable for a real strongly connected component
}

/**
 * Tarjan's SCCs over the nodes flagged in `member`, iterative (an explicit stack of node and next
 * edge replaces recursion); keeps only real cycles (size > 1 or a self-loop), in document order.
 */
function stronglyConnected(member: Uint8Array, { start, targets }: Adjacency): number[][] {
  const count = member.length;
  const num = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  const result: number[][] = [];
  let counter = 0;

  const enter = (v: number) => {
    num[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    callNode.push(v);
    callEdge.push(start[v]);
  };

  for (let root = 0; root < count; root++) {
    if (!member[root] || num[root] >= 0) continue;
    enter(root);
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top];
      const k = callEdge[top];
      if (k < start[v + 1]) {
        callEdge[top] = k + 1;
        const w = targets[k];
        if (!member[w]) continue;
        if (num[w] < 0) enter(w);
        else if (onStack[w]) low[v] = Math.min(low[v], num[w]);
        continue;
      }
      // v is finished: close its component if it is a root, then hand its low to its caller.
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] !== num[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || hasSelfLoop(v, start, targets)) result.push(component.sort((a, b) => a - b));
    }
  }
  return result;
}

function hasSelfLoop(v: number, start: Int32Array, targets: Int32Array): boolean {
  for (let k = start[v]; k < start[v + 1]; k++) if (targets[k] === v) return true;
  return false;
}
