/**
 * JSON pointer → place in the source text: where `/nodes/3/params/kernel` is written, as 1-based
 * line and column, so every diagnostic can be printed as `file:line:column` (not only syntax
 * errors). One forward pass over the text for all pointers at once.
 *
 * The text is untrusted: it may be malformed (then the places found before the fault are kept),
 * huge (past `maxChars` nothing is located) or deeply nested (only the containers on the way to a
 * wanted pointer are tracked, at most `maxDepth` deep; everything else is skipped by a flat scan
 * without recursion). Object members are placed at their key's opening quote, array elements and
 * the root at their value's first character. A repeated key is placed at its last occurrence, the
 * one JSON.parse keeps.
 */
export interface SourcePlace {
  line: number;
  column: number;
}

export const LOCATE_LIMITS = { maxChars: 64 * 2 ** 20, maxDepth: 256 } as const;

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every ancestor of a pointer, itself included: "/a/b" → "", "/a", "/a/b". Null when it is not a pointer. */
function prefixesOf(pointer: string): string[] | null {
  if (pointer !== '' && !pointer.startsWith('/')) return null;
  const out = [''];
  let at = 0;
  while (at < pointer.length) {
    const next = pointer.indexOf('/', at + 1);
    at = next < 0 ? pointer.length : next;
    out.push(pointer.slice(0, at));
  }
  return out;
}

class Stop extends Error {}

/**
 * The places of `pointers` in `text`. A pointer that is not in the text (a default left out) gets
 * the place of its nearest ancestor that is; one whose ancestors are not found either is absent.
 */
export function locatePointers(text: string, pointers: Iterable<string>, limits: { maxChars: number; maxDepth: number } = LOCATE_LIMITS): Map<string, SourcePlace> {
  const wanted = [...new Set(pointers)];
  const tracked = new Set<string>();
  for (const p of wanted) for (const prefix of prefixesOf(p) ?? []) tracked.add(prefix);
  const offsets = new Map<string, number>();
  if (tracked.size > 0 && text.length <= limits.maxChars) {
    try {
      scan(text, tracked, offsets, limits.maxDepth);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
  }
  // Offsets → line/column in one sweep.
  const found = new Map<string, number>();
  for (const p of wanted) {
    const chain = prefixesOf(p) ?? [];
    for (let k = chain.length - 1; k >= 0; k--) {
      const offset = offsets.get(chain[k]);
      if (offset !== undefined) {
        found.set(p, offset);
        break;
      }
    }
  }
  const sorted = [...new Set(found.values())].sort((a, b) => a - b);
  const places = new Map<number, SourcePlace>();
  let line = 1;
  let lineStart = 0;
  let i = 0;
  for (const offset of sorted) {
    for (; i < offset; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
        line++;
        lineStart = i + 1;
      }
    }
    places.set(offset, { line, column: offset - lineStart + 1 });
  }
  return new Map([...found].map(([p, offset]) => [p, places.get(offset)!]));
}

/** One pointer's place (see locatePointers). */
export function locatePointer(text: string, pointer: string): SourcePlace | undefined {
  return locatePointers(text, [pointer]).get(pointer);
}

interface Container {
  object: boolean;
  pointer: string;
  index: number;
}

function scan(text: string, tracked: ReadonlySet<string>, offsets: Map<string, number>, maxDepth: number): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  /** Past the string starting at i (a quote); returns its end (exclusive). */
  const skipString = (): number => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) return ++i;
      else i++;
    }
    throw new Stop();
  };
  /** Past the value starting at i without tracking anything inside: a flat scan, any depth. */
  const skipValue = () => {
    let depth = 0;
    do {
      skipWs();
      if (i >= n) throw new Stop();
      const c = text.charCodeAt(i);
      if (c === 34) skipString();
      else if (c === 123 || c === 91) {
        depth++;
        i++;
      } else if (c === 125 || c === 93) {
        depth--;
        i++;
      } else if (c === 44 || c === 58) i++;
      else {
        const start = i;
        while (i < n && !' \t\r\n,:]}[{"'.includes(text[i])) i++;
        if (i === start) throw new Stop();
      }
    } while (depth > 0);
    if (depth < 0) throw new Stop();
  };
  const stack: Container[] = [];
  /** The value at i, whose pointer is `pointer` (tracked) or null. */
  const value = (pointer: string | null) => {
    skipWs();
    if (i >= n) throw new Stop();
    const c = text.charCodeAt(i);
    if (pointer === null || (c !== 123 && c !== 91)) {
      skipValue();
      return;
    }
    if (stack.length >= maxDepth) throw new Stop();
    stack.push({ object: c === 123, pointer, index: 0 });
    i++;
  };

  skipWs();
  offsets.set('', i);
  value('');
  while (stack.length > 0) {
    skipWs();
    if (i >= n) throw new Stop();
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c === (top.object ? 125 : 93)) {
      stack.pop();
      i++;
      continue;
    }
    let child: string;
    if (top.object) {
      if (c !== 34) throw new Stop();
      const keyStart = i;
      const keyEnd = skipString();
      let key: unknown;
      try {
        key = JSON.parse(text.slice(keyStart, keyEnd));
      } catch {
        throw new Stop();
      }
      skipWs();
      if (text.charCodeAt(i) !== 58) throw new Stop();
      i++;
      child = `${top.pointer}/${pointerSegment(String(key))}`;
      if (tracked.has(child)) offsets.set(child, keyStart);
    } else {
      child = `${top.pointer}/${top.index++}`;
      skipWs();
      if (tracked.has(child)) offsets.set(child, i);
    }
    value(tracked.has(child) ? child : null);
  }
}
