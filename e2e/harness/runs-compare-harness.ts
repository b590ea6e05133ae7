/**
 * The Compare view's loss charts and sample strip on synthetic runs (runs-compare-harness.html), for
 * e2e/runs-chart.spec.ts and bench/compare-view.ts. Sizes come from the query:
 *   ?runs=N&steps=S&terms=T   N runs of S logged steps for T loss terms (default 4 × 200 × 3)
 *   &theme=dark               the dark theme
 *   &hostile=1                run 2's label and image names are an HTML injection attempt
 *   &samples=0                no sample strip (PNG making is not part of the chart bench)
 *   &start=manual             the charts wait for window.startCompare() (the bench times the render alone)
 * window.unmountCompare() unmounts both (for the spec's leak check).
 * When every chart has drawn and a frame has passed, window.renderMs is the time from mounting the
 * charts with their props to then, and body[data-rendered] is "true".
 */
import { mount, unmount } from 'svelte';
import type { RunCurve, RunSampleSnapshot } from '../../src/runs/run-record.ts';
import LossCharts from '../../src/app/runs/LossCharts.svelte';
import SampleStrip from '../../src/app/runs/SampleStrip.svelte';
import '../../src/app/styles.css';
import './runs-compare-harness.css';

declare global {
  interface Window {
    renderMs?: number;
    /** Unmounts the charts and the strip (the e2e spec checks they leave nothing behind). */
    unmountCompare?: () => Promise<void>;
    /** With ?start=manual: mounts the charts (the page has loaded without them). */
    startCompare?: () => void;
    /** The synthetic curves, for the spec to check the legend's hover values against. */
    compareCurves?: Record<string, Record<string, RunCurve>>;
  }
}

const HOSTILE_LABEL = '<img src=x onerror=alert(1)>';
const TERM_NAMES = ['g_adv', 'g_feat', 'g_vgg', 'd_hinge', 'g_l1'];

const query = new URLSearchParams(location.search);
function count(name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw new Error(`?${name}=${text}: must be a whole number from 1 to ${max}`);
  return n;
}

/** A small seeded generator (xorshift32), so every load draws the same curves. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** A noisy decaying loss; "d_hinge" hovers around and below zero (for the log scale's gaps). */
function syntheticCurve(run: number, term: number, steps: number): RunCurve {
  const next = random(1 + run * 7919 + term * 104729);
  const scale = 0.4 + 0.3 * term;
  const tau = steps / (4 + run * 0.6);
  const floor = (term === 3 ? -0.15 : 0.05) + 0.03 * run;
  const stepList = Array.from({ length: steps }, (_, i) => i + 1);
  // Multiplicative noise keeps the other terms positive; d_hinge's is added, so it crosses zero.
  const values = stepList.map((s) => {
    const base = floor + scale * Math.exp(-s / tau);
    return term === 3 ? base + (next() - 0.5) * 0.3 * scale : base * (0.75 + 0.5 * next());
  });
  return { steps: stepList, values };
}

/** A 16×16 PNG: a pattern that sharpens as the step grows, tinted per run. */
async function samplePng(run: number, step: number, steps: number, kind: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(16, 16);
  const ctx = canvas.getContext('2d')!;
  const hue = (run * 47 + kind * 120) % 360;
  const sharp = step / steps;
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const on = ((x >> 2) + (y >> 2)) % 2 === 0;
      const light = 50 + (on ? 1 : -1) * 30 * sharp;
      ctx.fillStyle = `hsl(${hue} 60% ${light}%)`;
      ctx.fillRect(x, y, 1, 1);
    }
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/** Even runs keep samples every quarter of the run, odd runs only at the half and the end. */
async function syntheticSamples(run: number, steps: number, label: string): Promise<RunSampleSnapshot[]> {
  const at = run % 2 === 0 ? [1, 2, 3, 4].map((q) => Math.round((q * steps) / 4)) : [Math.round(steps / 2), steps];
  return Promise.all(
    at.map(async (step) => ({
      step,
      input: 'training sample 0',
      images: await Promise.all(
        ['label map', 'generated'].map(async (name, kind) => ({ name: label === HOSTILE_LABEL ? `${name} ${HOSTILE_LABEL}` : name, width: 16, height: 16, png: await samplePng(run, step, steps, kind) })),
      ),
    })),
  );
}

async function main(): Promise<void> {
  const runCount = count('runs', 4, 50);
  const steps = count('steps', 200, 1_000_000);
  const termCount = count('terms', 3, 20);
  if (query.get('theme') === 'dark') document.documentElement.dataset.theme = 'dark';
  const terms = Array.from({ length: termCount }, (_, t) => TERM_NAMES[t] ?? `term_${t + 1}`);
  const label = (r: number) => (r === 1 && query.get('hostile') === '1' ? HOSTILE_LABEL : `run ${r + 1} · lr ${(2 / (r + 1)).toFixed(2)}e-4 · seed ${r}`);
  const runs = Array.from({ length: runCount }, (_, r) => ({
    key: `run-${r + 1}`,
    label: label(r),
    curves: new Map(terms.map((term, t) => [term, syntheticCurve(r, t, steps)])),
  }));

  window.compareCurves = Object.fromEntries(runs.map((run) => [run.key, Object.fromEntries(run.curves)]));
  const mounted: Record<string, unknown>[] = [];
  window.unmountCompare = async () => {
    await Promise.all(mounted.splice(0).map((component) => unmount(component)));
  };
  const mountCharts = () => {
    const started = performance.now();
    const charts = mount(LossCharts, {
      target: document.getElementById('loss-charts')!,
      props: {
        runs,
        terms,
        ondrawn: () =>
          requestAnimationFrame(() => {
            window.renderMs = performance.now() - started;
            document.body.dataset.rendered = 'true';
          }),
      },
    });
    mounted.push(charts);
  };
  // ?start=manual: the bench reads the main thread's busy time around the render alone.
  if (query.get('start') === 'manual') window.startCompare = mountCharts;
  else mountCharts();

  if (query.get('samples') !== '0') {
    const withSamples = await Promise.all(runs.map(async (run, r) => ({ key: run.key, label: run.label, samples: await syntheticSamples(r, steps, run.label) })));
    mounted.push(mount(SampleStrip, { target: document.getElementById('sample-strip')!, props: { runs: withSamples } }));
  }
  document.body.dataset.ready = 'true';
}

const root = document.getElementById('runs-compare-harness')!;
main().catch((e) => {
  root.textContent = `cannot open the runs chart harness: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
});
