/**
 * Test-only page (litegraph-harness.html): LitegraphView on the shipped tiny pix2pix graph, with
 * the documents it reports listed beside it, and `window.litegraphHarness` for
 * e2e/litegraph.spec.ts to read them and to reach the litegraph graph.
 */
import * as litegraph from 'litegraph.js';
import { mount } from 'svelte';
import { createRegistry } from '../../nodes/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/graph/load.ts';
import { saveGraph } from '../../src/graph/save.ts';
import pix2pixText from '../../graphs/tiny-pix2pix.json?raw';
import type { LitegraphHost } from '../../src/app/litegraph/litegraph-host.ts';
import LitegraphView from '../../src/app/litegraph/LitegraphView.svelte';
import '../../src/app/styles.css';
import './litegraph-harness.css';

const registry = createRegistry();
const loaded = loadGraph(pix2pixText, { registry, file: 'tiny-pix2pix.json' });
if (!loaded.ok) throw new Error('the shipped graph does not load');

const root = document.getElementById('litegraph-harness')!;
root.innerHTML = `
  <section id="view"></section>
  <aside><h1>Reported documents: <span data-testid="emitted-count">0</span></h1><div data-testid="last-summary">–</div></aside>
`;

const emitted: string[] = [];
let host: LitegraphHost | null = null;

function summary(doc: GraphDocument): string {
  return `${doc.nodes.length} nodes · ${doc.edges.length} edges · ${doc.groups.length} groups · ${doc.comments.length} comments`;
}

mount(LitegraphView, {
  target: root.querySelector('#view')!,
  props: {
    document: loaded.doc,
    registry,
    onchange(doc: GraphDocument) {
      emitted.push(saveGraph(doc));
      root.querySelector('[data-testid="emitted-count"]')!.textContent = String(emitted.length);
      root.querySelector('[data-testid="last-summary"]')!.textContent = summary(doc);
    },
    onready(h: LitegraphHost) {
      host = h;
      h.fitView();
      document.body.dataset.ready = 'true';
    },
  },
});

const litegraphHarness = {
  /** Every reported document as canonical text, oldest first. */
  emitted,
  last: (): GraphDocument | null => (emitted.length ? JSON.parse(emitted[emitted.length - 1]) : null),
  host: () => host!,
  litegraph,
  slot: (node: string, side: 'input' | 'output', port: string) => host!.slotOnPage(node, side, port),
  title: (node: string) => host!.titleOnPage(node),
};

declare global {
  interface Window {
    litegraphHarness: typeof litegraphHarness;
  }
}
window.litegraphHarness = litegraphHarness;
