/**
 * The run panel on a page of its own (run-panel-harness.html): e2e/run-panel.spec.ts drives it,
 * and it is a quick way to try the panel on a graph. The graph comes from the URL:
 *   ?graph=tiny (default)   the tiny training GAN of the worker tests (16×16, 5 classes)
 *   ?graph=lggan-tiny32     the tiny ADE20K LGGAN graph at 32×32 (all LGGAN outputs)
 *   #graph=<JSON>           any graph document, URL-encoded
 */
import { mount } from 'svelte';
import ade20kTiny from '../../graphs/lggan-ade20k-tiny.json';
import { createRegistry } from '../../nodes/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraphValue } from '../../src/graph/load.ts';
import { formatDiagnostic } from '../../src/graph/diagnostics.ts';
import { tinyTrainingGraph } from '../../src/browser/tiny-training-graph.test-util.ts';
import RunPanel from '../../src/app/run/RunPanel.svelte';
import '../../src/app/styles.css';

const registry = createRegistry();
const root = document.getElementById('run-panel-harness')!;

function graphFromUrl(): GraphDocument {
  const hash = new URLSearchParams(location.hash.slice(1)).get('graph');
  if (hash) {
    const loaded = loadGraphValue(JSON.parse(hash), { registry });
    if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
    return loaded.doc;
  }
  const name = new URLSearchParams(location.search).get('graph') ?? 'tiny';
  if (name === 'tiny') return tinyTrainingGraph();
  if (name === 'lggan-tiny32') {
    const doc = structuredClone(ade20kTiny) as unknown as GraphDocument;
    doc.template = { ...doc.template, height: 32, width: 32 };
    doc.meta = { ...doc.meta, name: 'LGGAN ADE20K tiny 32×32' };
    return doc;
  }
  throw new Error(`unknown ?graph=${name}: use tiny or lggan-tiny32, or #graph=<JSON>`);
}

try {
  // The page has no tfjs of its own (the panel's workers pick their backends): the StatusBar's 'starting' state.
  const backend = { status: 'starting' as const };
  mount(RunPanel, { target: root, props: { document: graphFromUrl(), registry, backend } });
  document.body.dataset.ready = 'true';
} catch (e) {
  root.textContent = `cannot open the run panel: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
}
