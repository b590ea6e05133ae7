/**
 * Test-only page (test-harness.html): the training worker's client on the tiny training GAN, with
 * a plain view of what it streams (backend, progress, sample images, autosaves) for screenshots,
 * and `window.harness` for e2e/training.spec.ts to drive it. A requestAnimationFrame counter
 * measures whether the page stays responsive while the worker trains.
 */
import { graphHash } from '../../src/graph/hash.ts';
import { describeChoice } from '../../src/browser/backend.ts';
import { TrainingClient, type ClientEvent } from '../../src/browser/client.ts';
import { tinyTrainingGraph } from '../../src/browser/tiny-training-graph.test-util.ts';
import type { RunSpec, SampleImage } from '../../src/browser/protocol.ts';
import '../../src/app/styles.css';
import './test-harness.css';

/** What the tests read back: every event, sample images reduced to their size and distinct values. */
type HarnessEvent = Exclude<ClientEvent, { type: 'samples' }> | { type: 'samples'; step: number; images: { name: string; width: number; height: number; bytes: number; distinct: number }[] };

const graph = tinyTrainingGraph();
const hash = graphHash(graph);
const client = new TrainingClient();
const events: HarnessEvent[] = [];
const frames = { count: 0, longestGapMs: 0, last: 0 };

const root = document.getElementById('harness')!;
root.innerHTML = `
  <h1>Training harness · <span data-testid="graph-name"></span></h1>
  <div class="row"><span class="label">Backend</span><strong data-testid="run-backend">–</strong></div>
  <div class="row"><span class="label">State</span><strong data-testid="run-state">idle</strong></div>
  <div class="row"><span class="label">Step</span><span data-testid="run-step">0</span></div>
  <div class="row"><span class="label">Autosave</span><span data-testid="run-autosave">none</span><button data-testid="resume-autosave" hidden>Resume</button></div>
  <div class="row"><span class="label">Frames</span><span data-testid="frames">0</span></div>
  <div class="row error" data-testid="run-error"></div>
  <div class="row" data-testid="samples"></div>
  <table data-testid="progress"><thead><tr><th>backend</th><th>step</th><th>g_adv</th><th>g_l1</th><th>d_adv</th><th>img/s</th><th>ms</th><th>tensors</th></tr></thead><tbody></tbody></table>
`;
const $ = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
$('graph-name').textContent = graph.meta.name;

function drawSamples(images: SampleImage[]): void {
  const box = $('samples');
  box.replaceChildren(
    ...images.map((image) => {
      const figure = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      canvas.getContext('2d')!.putImageData(new ImageData(image.rgba, image.width, image.height), 0, 0);
      const caption = document.createElement('figcaption');
      caption.textContent = image.name;
      figure.append(canvas, caption);
      return figure;
    }),
  );
}

function show(event: ClientEvent): void {
  $('run-state').textContent = client.state;
  switch (event.type) {
    case 'started':
      $('run-backend').textContent = describeChoice(event);
      $('run-step').textContent = String(event.fromStep);
      break;
    case 'progress': {
      $('run-step').textContent = `${event.step} (${event.imagesPerSecond.toFixed(1)} img/s)`;
      const row = document.createElement('tr');
      const cells = [event.step, event.losses.g_adv, event.losses.g_l1, event.losses.d_adv, event.imagesPerSecond, event.ms, event.numTensors];
      const texts = [event.backend, ...cells.map((v, i) => (i === 0 || i === 6 ? String(v) : Number(v).toFixed(i >= 4 ? 1 : 5)))];
      row.append(...texts.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
      root.querySelector('tbody')!.append(row);
      break;
    }
    case 'samples':
      drawSamples(event.images);
      break;
    case 'autosaved':
      $('run-autosave').textContent = `step ${event.step} (${(event.bytes / 1024).toFixed(1)} KiB)`;
      break;
    case 'error':
      $('run-error').textContent = `${event.error.kind}: ${event.error.message}`;
      break;
    case 'crashed':
      $('run-error').textContent = `worker crashed (${event.action}): ${event.message}`;
      break;
  }
}

client.subscribe((event) => {
  events.push(
    event.type === 'samples'
      ? { type: 'samples', step: event.step, images: event.images.map((i) => ({ name: i.name, width: i.width, height: i.height, bytes: i.rgba.length, distinct: new Set(i.rgba).size })) }
      : event,
  );
  show(event);
});

function tick(now: number): void {
  if (frames.last > 0) frames.longestGapMs = Math.max(frames.longestGapMs, now - frames.last);
  frames.last = now;
  frames.count += 1;
  if (frames.count % 10 === 0) $('frames').textContent = String(frames.count);
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

/** After a reload (or in a fresh tab): offer to continue this graph's autosaved run. */
async function offerResume(): Promise<void> {
  const found = await client.findAutosave(hash);
  if (!found || client.state !== 'idle') return;
  $('run-autosave').textContent = `step ${found.step} of ${found.spec.steps}, written ${found.created} on ${found.backend}`;
  const button = root.querySelector<HTMLButtonElement>('[data-testid="resume-autosave"]')!;
  button.textContent = `Resume from step ${found.step}`;
  button.hidden = false;
  button.onclick = () => {
    button.hidden = true;
    client.resumeFrom(found);
  };
}
void offerResume();

const harness = {
  graphHash: hash,
  events,
  frames,
  get state() {
    return client.state;
  },
  /** Starts a run; the progress table keeps earlier runs' rows (the backend column tells them apart). */
  start(spec: RunSpec): string {
    root.querySelector<HTMLButtonElement>('[data-testid="resume-autosave"]')!.hidden = true;
    return client.start(graph, spec);
  },
  pause: () => client.pause(),
  resume: () => client.resume(),
  stop: () => client.stop(),
  /** This graph's autosave: its step and run id, or null. */
  async autosave(): Promise<{ step: number; runId: string } | null> {
    const found = await client.findAutosave(hash);
    return found && { step: found.step, runId: found.runId };
  },
  /** Resumes this graph's autosave (optionally to more steps); resolves with the step it continues from. */
  async resumeAutosave(steps?: number): Promise<number | null> {
    const found = await client.findAutosave(hash);
    if (!found) return null;
    client.resumeFrom(found, steps === undefined ? {} : { steps });
    return found.step;
  },
  resetFrames(): void {
    frames.count = 0;
    frames.longestGapMs = 0;
    frames.last = 0;
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.body.dataset.ready = 'true';
