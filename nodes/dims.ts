/**
 * Symbolic tensor dimensions. A dimension always has a concrete value (resolved from the graph's
 * template parameters) and, where it can be followed, a symbolic form such as `H/4` or
 * `num_classes+1`, so error messages and port labels read like the paper ("H/4×W/4×256").
 */
export interface SymbolicForm {
  /** Template symbol: "H", "W", "B", "num_classes", … */
  name: string;
  /** value = name·num/den + add */
  num: number;
  den: number;
  add: number;
}

export interface Dim {
  value: number;
  sym?: SymbolicForm;
}

export function dim(value: number, name?: string): Dim {
  return name ? { value, sym: { name, num: 1, den: 1, add: 0 } } : { value };
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/** d·num/den; the result must be a whole number. Keeps the symbolic form when there is no offset. */
export function scaleDim(d: Dim, num: number, den = 1): Dim {
  const value = (d.value * num) / den;
  if (!d.sym || d.sym.add !== 0) return { value };
  const n = d.sym.num * num;
  const m = d.sym.den * den;
  const g = gcd(n, m);
  return { value, sym: { name: d.sym.name, num: n / g, den: m / g, add: 0 } };
}

export function addToDim(d: Dim, add: number): Dim {
  const value = d.value + add;
  if (!d.sym) return { value };
  return { value, sym: { ...d.sym, add: d.sym.add + add } };
}

/**
 * Spatial size after a convolution-like window: floor((n + padTotal − dilation·(k−1) − 1)/stride) + 1.
 * The symbolic form survives when the result is exactly n/stride (the usual "same" downsampling).
 */
export function windowOutDim(d: Dim, kernel: number, stride: number, padTotal: number, dilation = 1): Dim {
  const value = Math.floor((d.value + padTotal - dilation * (kernel - 1) - 1) / stride) + 1;
  if (value * stride === d.value) return scaleDim(d, 1, stride);
  if (value === d.value) return d;
  return { value };
}

/** Transposed-convolution size: (n−1)·stride − padTotal + dilation·(k−1) + outputPadding + 1. */
export function transposedOutDim(d: Dim, kernel: number, stride: number, padTotal: number, outputPadding: number): Dim {
  const value = (d.value - 1) * stride - padTotal + (kernel - 1) + outputPadding + 1;
  if (value === d.value * stride) return scaleDim(d, stride, 1);
  return { value };
}

export function formatDim(d: Dim): string {
  if (!d.sym) return String(d.value);
  const { name, num, den, add } = d.sym;
  let s = num === 1 ? name : `${num}${name}`;
  if (den !== 1) s += `/${den}`;
  if (add > 0) s += `+${add}`;
  if (add < 0) s += `${add}`;
  return s;
}

/** "H/4×W/4×256" — the batch dimension is left out, as people read feature maps. */
export function formatShape(shape: readonly Dim[], withBatch = false): string {
  const dims = withBatch ? shape : shape.slice(1);
  if (dims.length === 0) return 'scalar';
  return dims.map(formatDim).join('×');
}

export function sameValues(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d.value === b[i].value);
}

export function numel(shape: readonly Dim[]): number {
  return shape.reduce((n, d) => n * d.value, 1);
}
