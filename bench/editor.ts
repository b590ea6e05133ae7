/**
 * Benchmark: the editor in Chromium.
 *   1. Time from navigation to an interactive, painted canvas showing the full-size
 *      graphs/lggan-cityscapes.json (opened through a share link, so no file picker is involved),
 *      median of 3 fresh pages; then the same for generated graphs (bench/large-graph.ts) of each
 *      size in --sizes.
 *   2. Frame times while panning (mouse drag on the empty background) and zooming (wheel) each
 *      generated graph: requestAnimationFrame timestamp deltas over 3 × 4 s of continuous
 *      motion, median and p95, and the main thread's busy time per frame; then panning again at
 *      100% zoom, where the cards near the view are drawn in full.
 *   3. The targets of issue 18, each as measured / target: a 2,000-node graph opens in under 2 s
 *      and pans (and zooms) at 60 fps (p95 frame ≤ 16.7 ms); zooming 500 nodes has p95 ≤ 16.7 ms.
 * Not a test: nothing fails on time. Every step has a time limit and says which step ran out,
 * so the bench never hangs.
 *
 *   npm run bench:editor                      # builds into e2e/.output/bench-dist, serves it with vite preview
 *   npm run bench:editor -- --dist DIR        # uses an existing build (node e2e/harness/build.mjs DIR) instead
 *   npm run bench:editor -- --sizes 500       # generated graph sizes to open, pan and zoom (default 500,2000)
 *   npm run bench:editor -- --profile         # also prints where the main thread spends opening the largest size, and each gesture
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRegistry } from '../nodes/index.ts';
import { loadGraph } from '../src/graph/load.ts';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { GUIDE_SEEN_KEY } from '../src/app/guide/first-run.ts';
import { CHROMIUM_ARGS, findChromium, HOW_TO_GET_CHROMIUM } from '../e2e/browser-path.mjs';
import { largeGraph } from './large-graph.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const distArg = argValue('--dist');
const dist = distArg ?? `${repoRoot}e2e/.output/bench-dist`;
const sizes = (argValue('--sizes') ?? '500,2000').split(',').map(Number);
const profile = process.argv.includes('--profile');
const VIEWPORT = { width: 1280, height: 800 };
/** Seconds of continuous pan (and of zoom) whose frames are recorded. */
const MOTION_SECONDS = 4;
/** Runs of each gesture, pooled: one run on a busy 2-core machine can catch another process's burst. */
const ROUNDS = 3;
/** rAF intervals cannot go below the display's refresh interval (60 Hz in headless Chromium). */
const DISPLAY_INTERVAL_MS = 1000 / 60;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const median = (v: number[]) => sorted(v)[Math.floor(v.length / 2)];
const percentile = (v: number[], p: number) => sorted(v)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];

/** Runs one step under a time limit; a step that runs out fails the bench with its name. */
async function step<T>(what: string, seconds: number, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench step "${what}" did not finish within ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([run(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fresh browser context as a returning user has it: the getting-started guide already seen (on a
 * first visit it opens over the canvas, and a pan drag would start on the dialog).
 */
function newContext(browser: Browser, base: string) {
  const origin = new URL(base).origin;
  return browser.newContext({ viewport: VIEWPORT, storageState: { cookies: [], origins: [{ origin, localStorage: [{ name: GUIDE_SEEN_KEY, value: '1' }] }] } });
}

/** The canvas says it is ready (synced and fitted), and the browser has painted a frame since. */
async function waitInteractive(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="canvas"][data-ready="true"]', { timeout: 0 });
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
}

interface OpenTiming {
  /** Navigation to interactive, wall clock. */
  ms: number;
  /** Main-thread busy time of the page over the same span (CDP TaskDuration): less hit by other load on the machine. */
  taskMs: number;
  drawn: number;
}

async function timeOpen(browser: Browser, url: string, label: string, onPage?: (page: Page) => Promise<() => Promise<void>>): Promise<OpenTiming> {
  const context = await newContext(browser, url);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const finish = onPage ? await onPage(page) : undefined;
    const t0 = performance.now();
    await step(`open ${label}`, 180, async () => {
      await page.goto(url, { waitUntil: 'commit' });
      await waitInteractive(page);
    });
    const ms = performance.now() - t0;
    const { metrics } = await cdp.send('Performance.getMetrics');
    const taskMs = (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN) * 1000;
    await finish?.();
    const drawn = await page.locator('[data-testid="node"]').count();
    return { ms, taskMs, drawn };
  } finally {
    await context.close();
  }
}

/** Starts a CPU profile of the page; the returned function stops it and prints the functions with the most self time. */
async function cpuProfile(page: Page, what: string): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile: p } = await cdp.send('Profiler.stop');
    const dt = new Map<number, number>();
    p.samples?.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas?.[i] ?? 0) / 1000));
    const byFn = new Map<string, number>();
    for (const n of p.nodes) {
      const f = n.callFrame;
      const file = f.url.split('/').pop() || '(native)';
      const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
      byFn.set(key, (byFn.get(key) ?? 0) + (dt.get(n.id) ?? 0));
    }
    const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(`  main-thread self time, ${what} (top 25):`);
    for (const [k, ms] of top) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  };
}

/** A point on the canvas with no node, frame, minimap or menu under it: where a drag pans. */
async function emptyBackgroundPoint(page: Page): Promise<{ x: number; y: number }> {
  const found = (await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
    for (let fy = 0.5; fy < 0.95; fy += 0.05)
      for (const sign of [1, -1])
        for (let fx = 0.5; fx > 0.05 && fx < 0.95; fx += sign * 0.025) {
          const x = canvas.left + canvas.width * fx, y = canvas.top + canvas.height * (sign > 0 ? fy : 1 - fy);
          const el = document.elementFromPoint(x, y);
          if (el && el.closest('[data-testid="canvas"]') && !el.closest('.lg-node, .lg-underlay-item, .minimap, [data-testid="context-menu"], button'))
            return { x, y };
        }
    return null;
  })()`)) as { x: number; y: number } | null;
  if (!found) throw new Error('no empty background on the canvas to start a pan drag from');
  return found;
}

/**
 * Waits until the page draws a second of frames with none over 50 ms: whatever the app still does
 * after the canvas is ready (the run panel's start-up work) must not be counted as pan/zoom cost.
 * Returns the milliseconds waited.
 */
async function waitQuiet(page: Page): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const start = performance.now();
    let last = start, calm = 0;
    const tick = (t) => {
      calm = t - last > 50 ? 0 : calm + (t - last);
      last = t;
      if (calm >= 1000) resolve(t - start);
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`)) as number;
}

/** Records every animation frame's timestamp and whether the view's transform changed since the last one. */
const startFrames = (page: Page) =>
  // Page scripts are strings: tsx would wrap functions in helpers that do not exist in the page.
  page.evaluate(`(() => {
    const holder = document.querySelector('[data-testid="canvas"] .rete > div');
    window.__frames = [];
    window.__moved = 0;
    window.__stop = false;
    window.__long = [];
    window.__observer?.disconnect();
    window.__observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.__long.push({
          duration: e.duration,
          work: e.renderStart ? e.renderStart - e.startTime : e.duration,
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          scripts: e.scripts.map((s) => ({ duration: s.duration, what: (s.invoker || '') + ' ' + (s.sourceFunctionName || '') + ' ' + (s.sourceURL || '').split('/').pop() + ':' + s.sourceCharPosition })),
        });
    });
    window.__observer.observe({ type: 'long-animation-frame' });
    let last = holder.style.transform;
    const tick = (t) => {
      window.__frames.push(t);
      if (holder.style.transform !== last) window.__moved++;
      last = holder.style.transform;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
interface LongFrame {
  duration: number;
  /** Time in tasks (scripts, events) before rendering started, and in rendering (style, layout, paint). */
  work: number;
  render: number;
  scripts: { duration: number; what: string }[];
}
/** Frame intervals, and how many frames showed a moved view (0 means the gesture did nothing). */
const stopFrames = async (page: Page) => {
  const { stamps, moved, long } = (await page.evaluate('(() => { window.__stop = true; window.__observer.disconnect(); return { stamps: window.__frames, moved: window.__moved, long: window.__long }; })()')) as {
    stamps: number[];
    moved: number;
    long: LongFrame[];
  };
  if (profile && long.length) {
    console.log(`  ${long.length} long animation frames (> 50 ms); the longest:`);
    for (const f of [...long].sort((a, b) => b.duration - a.duration).slice(0, 3))
      console.log(`    ${f.duration.toFixed(0)} ms (tasks ${f.work.toFixed(0)}, rendering ${f.render.toFixed(0)}) ${f.scripts.map((x) => `${x.what.trim()} ${x.duration.toFixed(0)} ms`).join('; ')}`);
  }
  return { intervals: stamps.slice(1).map((t, i) => t - stamps[i]), moved };
};

/** Drags the background around an ellipse for MOTION_SECONDS; returns the frame intervals. */
async function pan(page: Page): Promise<number[]> {
  const start = await emptyBackgroundPoint(page);
  await page.mouse.move(start.x, start.y);
  await startFrames(page);
  await page.mouse.down();
  const t0 = performance.now();
  for (let i = 1; performance.now() - t0 < MOTION_SECONDS * 1000; i++) {
    const a = i / 20;
    await page.mouse.move(start.x + 300 * Math.sin(a), start.y + 150 * (1 - Math.cos(a)));
  }
  await page.mouse.move(start.x, start.y); // back where it started: rounds do not drift off the graph
  await page.mouse.up();
  const { intervals, moved } = await stopFrames(page);
  if (!moved) throw new Error('the pan drag did not move the view (did it start on a node?)');
  return intervals;
}

/** Wheel-zooms in and out around a point for MOTION_SECONDS; returns the frame intervals. */
async function zoom(page: Page): Promise<number[]> {
  const at = await emptyBackgroundPoint(page);
  await page.mouse.move(at.x, at.y);
  await startFrames(page);
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < MOTION_SECONDS * 1000; i++) {
    // 12 notches in, 12 out: the zoom stays inside the restrictor's 0.1–2 range.
    await page.mouse.wheel(0, Math.floor(i / 12) % 2 === 0 ? -100 : 100);
    await page.evaluate('new Promise((r) => requestAnimationFrame(r))');
  }
  const { intervals, moved } = await stopFrames(page);
  if (!moved) throw new Error('the wheel did not zoom the view');
  return intervals;
}

const scaleOf = async (page: Page) => Number(/scale\(([\d.]+)\)/.exec((await page.evaluate(`document.querySelector('[data-testid="canvas"] .rete > div').style.transform`)) as string)?.[1]);

/** Fits the graph in view (F), then wheel-zooms in at the view's centre until the cards are at their natural size (zoom ≥ 1). */
async function zoomToNaturalSize(page: Page): Promise<void> {
  await page.keyboard.press('f');
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  for (let i = 0; i < 60 && (await scaleOf(page)) < 1; i++) await page.mouse.wheel(0, -100);
  if ((await scaleOf(page)) < 1) throw new Error(`the wheel did not zoom the view to 100% (zoom ${await scaleOf(page)})`);
}

async function describeMachine(browser: Browser, base: string): Promise<string> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(base + 'harness/test-harness.html', { waitUntil: 'commit' });
    const renderer = (await page.evaluate(`(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
      return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl ? gl.getParameter(gl.RENDERER) : 'no WebGL';
    })()`)) as string;
    const cores = (await page.evaluate('navigator.hardwareConcurrency')) as number;
    const software = /swiftshader|llvmpipe|software/i.test(renderer);
    return `Chromium ${browser.version()}, headless, ${VIEWPORT.width}×${VIEWPORT.height}; renderer: ${renderer}${software ? ' (software rendering, no GPU)' : ''}; ${cores} logical cores (${cpus()[0]?.model ?? 'unknown CPU'})`;
  } finally {
    await context.close();
  }
}

interface Gesture {
  frames: number[];
  busyMs: number;
}
interface Motion {
  pan: Gesture;
  zoom: Gesture;
  panNear: Gesture;
}

/** Opens a generated graph of n nodes, then pans it, zooms it, and pans it again at 100% zoom; prints a line per gesture. */
async function panAndZoom(browser: Browser, base: string, n: number): Promise<Motion> {
  const context = await newContext(browser, base);
  try {
    const page = await context.newPage();
    await step(`open the ${n}-node graph for pan/zoom`, 180, async () => {
      await page.goto(base + encodeShareHash(largeGraph(n)), { waitUntil: 'commit' });
      await waitInteractive(page);
    });
    const waited = await step('wait for the page to go quiet after opening', 90, () => waitQuiet(page));
    console.log(`${n} nodes: page quiet ${(waited / 1000).toFixed(1)} s after the canvas was ready (start-up work not counted in the frame times)`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busySeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
    /** Frame intervals of ROUNDS runs of one gesture, pooled, and the page's main-thread busy time over them. */
    const measured = async (what: string, run: () => Promise<number[]>): Promise<Gesture> => {
      const finish = profile ? await cpuProfile(page, `${what}, ${n} nodes`) : undefined;
      const frames: number[] = [];
      let busyMs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        await step('wait for the page to go quiet', 90, () => waitQuiet(page));
        const busy0 = await busySeconds();
        frames.push(...(await step(what, MOTION_SECONDS + 60, run)));
        busyMs += ((await busySeconds()) - busy0) * 1000;
      }
      await finish?.();
      return { frames, busyMs };
    };
    const result: Motion = {
      pan: await measured('pan (background drag)', () => pan(page)),
      zoom: await measured('zoom (wheel)', () => zoom(page)),
      panNear: { frames: [], busyMs: 0 },
    };
    await step('zoom to 100%', 60, () => zoomToNaturalSize(page));
    result.panNear = await measured('pan at 100% zoom (background drag)', () => pan(page));
    const fullCards = await page.locator('[data-testid="node"]:has(header)').count();
    const line = (name: string, { frames: d, busyMs }: Gesture) => {
      const span = d.reduce((a, x) => a + x, 0);
      const onTime = d.filter((x) => x < 1.5 * DISPLAY_INTERVAL_MS).length;
      console.log(
        `${name}: ${d.length} frames in ${(span / 1000).toFixed(1)} s, median ${median(d).toFixed(1)} ms, p95 ${percentile(d, 95).toFixed(1)} ms, max ${Math.max(...d).toFixed(1)} ms; ` +
          `${((100 * onTime) / d.length).toFixed(0)}% on time; main thread busy ${busyMs.toFixed(0)} ms = ${(busyMs / d.length).toFixed(1)} ms per frame`,
      );
    };
    line(`pan  ${n} nodes`, result.pan);
    line(`zoom ${n} nodes`, result.zoom);
    line(`pan  ${n} nodes at 100% zoom (${fullCards} full cards, the rest plain)`, result.panNear);
    return result;
  } finally {
    await context.close();
  }
}

async function main() {
  if (!distArg) {
    console.log(`building the app into ${dist} …`);
    const b = spawnSync(process.execPath, ['e2e/harness/build.mjs', dist], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    if (b.status !== 0) throw new Error(`vite build failed${b.error ? `: ${b.error.message}` : ''}`);
  }
  const port = await freePort();
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist], { cwd: repoRoot, stdio: 'ignore', detached: true });
  const base = `http://127.0.0.1:${port}/`;
  let browser: Browser | undefined;
  try {
    await step('start vite preview', 60, async () => {
      for (;;) {
        try {
          if ((await fetch(base)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    });

    const { found } = findChromium();
    if (!found) throw new Error(HOW_TO_GET_CHROMIUM);
    browser = await step('launch Chromium', 60, () => chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS }));
    const b = browser;
    console.log(`machine: ${await step('describe the machine', 60, () => describeMachine(b, base))}`);
    const registry = createRegistry();

    // 1. Navigation → interactive.
    const city = loadGraph(readFileSync(`${repoRoot}graphs/lggan-cityscapes.json`, 'utf8'), { registry });
    if (!city.ok) throw new Error('lggan-cityscapes.json does not load');
    const report = (label: string, runs: OpenTiming[]) => {
      const ms = runs.map((r) => r.ms);
      const task = runs.map((r) => r.taskMs);
      console.log(`open ${label}: median ${median(ms).toFixed(0)} ms  [${ms.map((t) => t.toFixed(0)).join(', ')}], main-thread busy median ${median(task).toFixed(0)} ms, ${runs[0].drawn} node cards in the DOM after fit`);
      return median(ms);
    };
    const cityRuns: OpenTiming[] = [];
    for (let i = 0; i < 3; i++) cityRuns.push(await timeOpen(b, base + encodeShareHash(city.doc), 'lggan-cityscapes.json'));
    report(`full-size lggan-cityscapes.json (${city.doc.nodes.length} nodes)`, cityRuns);
    const openMs = new Map<number, number>();
    for (const n of sizes) {
      const url = base + encodeShareHash(largeGraph(n));
      const runs: OpenTiming[] = [];
      for (let i = 0; i < 3; i++) runs.push(await timeOpen(b, url, `generated ${n}-node graph`));
      openMs.set(n, report(`generated ${n}-node graph`, runs));
    }
    const profiled = Math.max(...sizes);
    if (profile) await timeOpen(b, base + encodeShareHash(largeGraph(profiled)), `generated ${profiled}-node graph (profiled)`, (p) => cpuProfile(p, `opening ${profiled} nodes`));

    // 2. Pan and zoom each generated graph.
    const motion = new Map<number, Motion>();
    for (const n of sizes) motion.set(n, await step(`pan/zoom ${n} nodes`, 600, () => panAndZoom(b, base, n)));
    console.log(
      '(rAF intervals cannot go below the display interval, 16.7 ms at 60 Hz: a median there means no dropped frames. "On time": under 1.5 intervals. ' +
        'Busy per frame: main-thread task time over the gesture, input handling included, divided by the frames drawn: the work a frame costs.)',
    );

    // 3. The targets (issue 18), each with the measured value and its ratio to the target.
    console.log('targets (measured / target; ≤ 1.00 is met):');
    const target = (what: string, value: number | undefined, limit: number, unit: string) => {
      if (value === undefined) return console.log(`  ${what}: not measured (add its size to --sizes)`);
      // Compared as printed, to 0.1 ms: a frame of 16.7 ms is a frame at 60 Hz (16.67 ms).
      const ratio = Number(value.toFixed(1)) / limit;
      console.log(`  ${what}: ${value.toFixed(1)} ${unit} / ${limit.toFixed(1)} ${unit} = ${ratio.toFixed(2)} ${ratio <= 1 ? 'met' : 'MISSED'}`);
    };
    target('open 2000 nodes, median', openMs.get(2000), 2000, 'ms');
    const p95 = (n: number, gesture: keyof Motion) => motion.get(n) && percentile(motion.get(n)![gesture].frames, 95);
    target('pan 2000 nodes at 60 fps, p95 frame', p95(2000, 'pan'), 16.7, 'ms');
    target('zoom 2000 nodes at 60 fps, p95 frame', p95(2000, 'zoom'), 16.7, 'ms');
    target('pan 2000 nodes at 100% zoom, p95 frame', p95(2000, 'panNear'), 16.7, 'ms');
    target('zoom 500 nodes, p95 frame', p95(500, 'zoom'), 16.7, 'ms');
  } finally {
    await browser?.close().catch(() => undefined);
    try {
      process.kill(-server.pid!);
    } catch {
      server.kill();
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
