/**
 * Script and style injection: a corpus of HTML/JS/CSS payloads in every string field of a graph
 * (name and meta, node titles, networks, param names and values, a foreign node's litegraph type,
 * slot names and types, property infos, group titles and colours, comments, note titles and
 * colours), opened through a share link, as a `.lggan.json` file and as a ComfyUI workflow file,
 * then shown in every view: the Rete canvas, the inspector, the problems and run panels, the library,
 * and the litegraph view with its right-click menus on a node, a slot, a group and the canvas, its
 * Properties menu and property dialog, and its node panel.
 *
 * After each step: no payload ran (the flag a payload sets stays unset, no dialog opened), no payload
 * markup became DOM (no element with an event-handler attribute, no iframe, no inline script…),
 * nothing was requested outside the app's origin, and the Content-Security-Policy saw no violation.
 * The same journeys run once more with the CSP bypassed, so that the escaping alone is shown to hold.
 * A last test checks that the CSP is served on every page and blocks what it should.
 */
import { expect, test, type Page } from '@playwright/test';
import { deflateRawSync } from 'node:zlib';
import type { GraphDocument } from '../src/graph/document.ts';
import { litegraphCanvas, nodeEl, openApp, shot, showLitegraph, showRete, type HostCanvas } from './editor.test-util.ts';

// ── the corpus ──

/** Every payload, run or loaded, leaves a trace: the flag, a dialog or a request to 127.0.0.2. */
const FLAG = 'window.top.__lgganPwned=(window.top.__lgganPwned||0)+1';
const PAYLOADS = [
  `<img src=x onerror="${FLAG}">`,
  `"><img src=x onerror=alert(1)>`,
  `'><svg onload="${FLAG}"></svg>`,
  `<script>${FLAG}</script>`,
  `<iframe srcdoc="<script>${FLAG}</script>"></iframe>`,
  `<a href="javascript:${FLAG}">link</a>`,
  `javascript:${FLAG}`,
  `</style><style>*{background:url(http://127.0.0.2/style)}</style>`,
  `<div style="background-image:url(http://127.0.0.2/attr)">x</div>`,
  `<img src="http://127.0.0.2/img">`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert(2)>`,
  `<details open ontoggle="${FLAG}">`,
  `<object data="http://127.0.0.2/object"></object>`,
  `{{constructor.constructor('${FLAG}')()}} \${alert(3)}`,
];
/** Colours that are CSS, not colours. */
const CSS_PAYLOADS = [
  'red;background-image:url(http://127.0.0.2/color)',
  '#fff}body{background:url(http://127.0.0.2/rule)',
  'url(http://127.0.0.2/url)',
  '</style><style>*{background:url(http://127.0.0.2/color-style)}</style>',
  `expression(${FLAG})`,
];
const ALL_PAYLOADS = PAYLOADS.join(' ');
let next = 0;
/** The next payload of the corpus, tagged so that a failure says which field it came from. */
const p = (field: string) => `${field}: ${PAYLOADS[next++ % PAYLOADS.length]}`;
const css = (i: number) => CSS_PAYLOADS[i % CSS_PAYLOADS.length];

/** The foreign node's litegraph type and its slot: where litegraph's menus put them as titles. */
const EVIL_TYPE = `type ${ALL_PAYLOADS}`;
const EVIL_PORT = `port ${PAYLOADS[0]}`;
const EVIL_SLOT_TYPE = `slot ${PAYLOADS[3]}`;
const EVIL_PROPERTY = `prop ${PAYLOADS[1]}`;

function hostileDoc(): GraphDocument {
  next = 0;
  const doc = {
    format: 'lggan-studio.graph',
    version: 2,
    meta: { name: p('name'), description: p('description'), author: p('author'), license: p('license'), created: p('created'), tags: [p('tag')], [p('meta key')]: p('meta value') },
    template: { num_classes: 4, height: 16, width: 16 },
    nodes: [
      { id: 'labels', type: 'core/semantic-input', typeVersion: 1, params: {}, position: { x: 0, y: 0 }, title: p('title'), extra: { litegraph: { color: css(0), bgcolor: css(1) } } },
      { id: 'conv', type: 'core/conv2d', typeVersion: 1, params: { out_channels: 8, [p('param name')]: p('param value') }, position: { x: 300, y: 0 }, network: p('network') },
      { id: 'act', type: 'core/activation', typeVersion: 1, params: { function: p('enum value') }, position: { x: 600, y: 0 }, title: ALL_PAYLOADS },
      { id: 'out', type: 'core/output', typeVersion: 1, params: { name: p('output name') }, position: { x: 900, y: 0 } },
      {
        id: 'evil',
        type: 'foreign/evil',
        typeVersion: 1,
        params: { [EVIL_PROPERTY]: p('foreign value'), plain: 'b' },
        position: { x: 300, y: 300 },
        title: p('foreign title'),
        extra: {
          // As the importer keeps a ComfyUI node's own fields (in the order it collects them).
          litegraph: {
            type: EVIL_TYPE,
            inputs: { [EVIL_PORT]: { type: EVIL_SLOT_TYPE, label: p('slot label') } },
            properties_info: [{ name: 'plain', type: 'enum', values: [p('enum choice'), 'b'] }],
            color: css(2),
          },
        },
      },
    ],
    edges: [
      { from: { node: 'labels', port: 'semantic' }, to: { node: 'conv', port: 'x' } },
      { from: { node: 'conv', port: 'y' }, to: { node: 'act', port: 'x' } },
      { from: { node: 'act', port: 'y' }, to: { node: 'out', port: 'value' } },
      { from: { node: 'act', port: 'y' }, to: { node: 'evil', port: EVIL_PORT } },
    ],
    groups: [
      { id: 'g1', title: p('group title'), nodes: ['labels', 'conv'], color: css(3) },
      { id: 'g2', title: ALL_PAYLOADS, nodes: ['evil'], color: css(4) },
    ],
    comments: [{ id: 'c1', text: p('comment'), position: { x: 0, y: 300 }, extra: { litegraph: { title: p('note title'), color: css(0), bgcolor: css(1) } } }],
    extra: { [p('extra key')]: p('extra value') },
  };
  return doc as unknown as GraphDocument;
}

/** The same attack as a ComfyUI workflow: raw types, titles, properties, widgets, slots, groups, a note. */
function hostileWorkflow(): unknown {
  next = 0;
  return {
    last_node_id: 3,
    last_link_id: 1,
    nodes: [
      {
        id: 1,
        type: 'core/activation',
        pos: [0, 0],
        size: [240, 82],
        flags: {},
        order: 0,
        mode: 0,
        inputs: [{ name: 'x', type: 'feature', link: null }],
        outputs: [{ name: 'y', type: 'feature', links: [1] }],
        title: p('title'),
        properties: { [p('property')]: p('property value') },
        widgets_values: [p('widget'), 0.2],
        color: css(0),
        bgcolor: css(1),
      },
      {
        id: 2,
        type: EVIL_TYPE,
        pos: [400, 0],
        size: [240, 120],
        flags: {},
        order: 1,
        mode: 0,
        inputs: [{ name: EVIL_PORT, type: EVIL_SLOT_TYPE, link: 1, label: p('label') }],
        outputs: [{ name: p('output'), type: EVIL_SLOT_TYPE, links: null }],
        title: p('foreign title'),
        properties: { [EVIL_PROPERTY]: p('foreign property'), plain: 'b', 'Node name for S&R': p('s&r') },
        properties_info: [{ name: 'plain', type: 'enum', values: [p('enum choice'), 'b'] }],
        widgets_values: [p('widget'), { [p('key')]: p('value') }],
        color: css(2),
      },
      { id: 3, type: 'Note', pos: [0, 300], size: [300, 100], flags: {}, order: 2, mode: 0, title: p('note'), properties: {}, widgets_values: [p('note text')], color: css(3), bgcolor: css(4) },
    ],
    links: [[1, 1, 0, 2, 0, EVIL_SLOT_TYPE]],
    groups: [{ title: ALL_PAYLOADS, bounding: [-20, -60, 700, 260], color: css(0) }],
    config: {},
    extra: { [p('extra')]: p('extra value') },
    version: 0.4,
  };
}

const shareHash = (doc: GraphDocument) => '#graph=' + deflateRawSync(Buffer.from(JSON.stringify(doc)), { level: 9 }).toString('base64url');

// ── what each step checks ──

interface Watch {
  origin: string;
  dialogs: string[];
  foreignRequests: string[];
  cspConsole: string[];
  errors: string[];
}

/** Records dialogs (and dismisses them), requests off the app's origin, CSP reports and page errors. */
async function watch(page: Page, origin: string): Promise<Watch> {
  const w: Watch = { origin, dialogs: [], foreignRequests: [], cspConsole: [], errors: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) w.foreignRequests.push(url);
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) w.cspConsole.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, '__cspViolations', { value: seen });
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  return w;
}

/** Elements that only injected markup would make. */
const INJECTED = '[onerror],[onload],[ontoggle],[onclick],[srcdoc],iframe,object,embed,script:not([src]),a[href^="javascript:"],img[src="x"],img[src*="127.0.0.2"],details[open][ontoggle]';

async function expectNothingRan(page: Page, w: Watch, step: string): Promise<void> {
  const state = await page.evaluate((selector) => {
    const styled = [...document.querySelectorAll('style')].filter((s) => s.textContent?.includes('127.0.0.2')).length;
    const attrs = [...document.querySelectorAll('[style]')].filter((e) => e.getAttribute('style')!.includes('127.0.0.2')).length;
    return {
      flag: (window as unknown as { __lgganPwned?: number }).__lgganPwned ?? 0,
      injected: [...document.querySelectorAll(selector)].map((e) => e.outerHTML.slice(0, 120)),
      styled: styled + attrs,
      violations: [...((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])],
    };
  }, INJECTED);
  expect.soft(state, `after ${step}`).toEqual({ flag: 0, injected: [], styled: 0, violations: [] });
  expect.soft(w.dialogs, `dialogs after ${step}`).toEqual([]);
  expect.soft(w.foreignRequests, `requests off the origin after ${step}`).toEqual([]);
  expect.soft(w.cspConsole, `CSP reports after ${step}`).toEqual([]);
  expect.soft(w.errors, `page errors after ${step}`).toEqual([]);
  expect(test.info().errors, `after ${step}`).toEqual([]);
}

// ── the views ──

/** The litegraph canvas element (LitegraphView hangs its host on it). */
const host = (page: Page) => litegraphCanvas(page);

/** A graph point of the litegraph canvas on the page. */
async function litegraphPoint(page: Page, what: { group: number } | { node: string }): Promise<{ x: number; y: number }> {
  return host(page).evaluate((el, target) => {
    const h = (el as HostCanvas).litegraphHost;
    const ds = h.canvas.ds as unknown as { scale: number; offset: [number, number] };
    const rect = el.getBoundingClientRect();
    const ratio = rect.width / (el as HTMLCanvasElement).width;
    let x: number;
    let y: number;
    if ('group' in target) {
      const group = (h.graph as unknown as { _groups: { pos: [number, number] }[] })._groups[target.group];
      h.canvas.ds.offset = [-group.pos[0] + 40, -group.pos[1] + 40] as never;
      [x, y] = [group.pos[0] + 8, group.pos[1] + 8];
    } else {
      const node = h.nodeOf(target.node)!;
      h.canvas.centerOnNode(node);
      [x, y] = [node.pos[0] + node.size[0] / 2, node.pos[1] + node.size[1] / 2];
    }
    h.canvas.setDirty(true, true);
    return { x: rect.left + (x + ds.offset[0]) * ds.scale * ratio, y: rect.top + (y + ds.offset[1]) * ds.scale * ratio };
  }, what);
}

const menus = (page: Page) => page.locator('.litecontextmenu');
const menuEntry = (page: Page, text: string) => menus(page).locator('.litemenu-entry', { hasText: text }).last();

/** Closes litegraph's menus and dialogs with a left click on an empty part of its canvas. */
async function closeLitegraphPopups(page: Page): Promise<void> {
  const box = (await host(page).boundingBox())!;
  await page.mouse.click(box.x + box.width - 8, box.y + box.height - 8);
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.querySelectorAll('.graphdialog, #node-panel').forEach((d) => (d as HTMLElement & { close?: () => void }).close?.()));
  await expect(menus(page)).toHaveCount(0);
}

async function visitLitegraph(page: Page, w: Watch, evilNode: string, evilPort: string, label: string): Promise<void> {
  await showLitegraph(page);
  await expectNothingRan(page, w, `${label}: litegraph view`);

  // Right-click on the foreign node: its type is the menu's title, shown as text.
  const at = await litegraphPoint(page, { node: evilNode });
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await expect(menus(page).locator('.litemenu-title')).toBeVisible();
  await expectNothingRan(page, w, `${label}: node menu`);
  await expect(menus(page).locator('.litemenu-title')).toHaveText(EVIL_TYPE);
  await menuEntry(page, 'Properties').click();
  await expect(menuEntry(page, 'prop ')).toContainText(EVIL_PROPERTY);
  await expectNothingRan(page, w, `${label}: Properties menu`);
  await menuEntry(page, 'prop ').click();
  await expect(page.locator('.graphdialog .name')).toHaveText(EVIL_PROPERTY);
  await expectNothingRan(page, w, `${label}: property dialog`);
  await closeLitegraphPopups(page);

  // An enum property whose choices (litegraph's properties_info, from the file) are payloads.
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await menuEntry(page, 'Properties').click();
  await menuEntry(page, 'plain').click();
  await expect(page.locator('.graphdialog select option').first()).toHaveText(/^enum choice: /);
  await expectNothingRan(page, w, `${label}: enum property dialog`);
  await closeLitegraphPopups(page);

  await page.mouse.click(at.x, at.y, { button: 'right' });
  await menuEntry(page, 'Colors').click();
  await expect(menuEntry(page, 'No color')).toBeVisible();
  await expectNothingRan(page, w, `${label}: Colors menu`);
  await menuEntry(page, 'Title').click();
  await expectNothingRan(page, w, `${label}: title dialog`);
  await closeLitegraphPopups(page);

  // The node panel (a double click): the type as text.
  await page.mouse.dblclick(at.x, at.y);
  await expect(page.locator('#node-panel .node_type')).toHaveText(EVIL_TYPE);
  await expectNothingRan(page, w, `${label}: node panel`);
  await closeLitegraphPopups(page);

  // Right-click on its input slot: the slot's type is the title.
  const slot = await host(page).evaluate((el, [id, port]) => (el as HostCanvas).litegraphHost.slotOnPage(id, 'input', port), [evilNode, evilPort] as const);
  expect(slot).not.toBeNull();
  await page.mouse.click(slot!.x, slot!.y, { button: 'right' });
  await expect(menus(page).locator('.litemenu-title')).toHaveText(EVIL_SLOT_TYPE);
  await expectNothingRan(page, w, `${label}: slot menu`);
  await closeLitegraphPopups(page);

  // Right-click on a group's title bar: the canvas menu with "Edit Group", its Title and Color.
  const group = await litegraphPoint(page, { group: 0 });
  await page.mouse.click(group.x, group.y, { button: 'right' });
  await menuEntry(page, 'Edit Group').click();
  await menuEntry(page, 'Color').click();
  await expectNothingRan(page, w, `${label}: group menus`);
  await closeLitegraphPopups(page);
  await page.mouse.click(group.x, group.y, { button: 'right' });
  await menuEntry(page, 'Edit Group').click();
  await menuEntry(page, 'Title').click();
  await expect(page.locator('.graphdialog input')).toHaveValue(/^group title: |^<img/);
  await expectNothingRan(page, w, `${label}: group title dialog`);
  await closeLitegraphPopups(page);

  // And on the empty canvas, with its Add Node menu; a double click there opens the search box.
  const box = (await host(page).boundingBox())!;
  await page.mouse.dblclick(box.x + box.width - 30, box.y + box.height - 30);
  await page.keyboard.type('<img src=x onerror=alert(4)>');
  await expect(page.locator('.litesearchbox')).toBeVisible();
  await expectNothingRan(page, w, `${label}: search box`);
  await page.keyboard.press('Escape');
  await page.mouse.click(box.x + box.width - 30, box.y + box.height - 30, { button: 'right' });
  await menuEntry(page, 'Add Node').click();
  await expectNothingRan(page, w, `${label}: canvas menu`);
  await page.screenshot({ path: shot(`injection-litegraph-${label}`) });
  await closeLitegraphPopups(page);
  await showRete(page);
}

/** `problem`: a payload's field tag that a problem's message quotes (with the payload after it, as text). */
async function visitReteAndPanels(page: Page, w: Watch, label: string, titled: { node: string; title: string }, problem: string): Promise<void> {
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await expect(nodeEl(page, titled.node)).toContainText(titled.title);
  await expect(page.getByTestId('frame').first()).toBeVisible();
  await expectNothingRan(page, w, `${label}: Rete canvas`);
  await page.screenshot({ path: shot(`injection-rete-${label}`) });

  await nodeEl(page, titled.node).click();
  await expect(page.getByTestId('inspector')).toContainText(titled.title);
  await expectNothingRan(page, w, `${label}: inspector`);

  await page.getByTestId('tab-problems').click();
  await expect(page.getByTestId('problems')).toContainText(problem);
  await expectNothingRan(page, w, `${label}: problems panel`);
  await page.getByTestId('problems').locator('tr', { hasText: '<' }).first().click();
  await expectNothingRan(page, w, `${label}: a problem clicked`);

  await page.getByTestId('tab-run').click();
  await expect(page.getByTestId('run-panel')).toBeVisible();
  await expectNothingRan(page, w, `${label}: run panel`);

  await page.getByTestId('library').click();
  await page.getByTestId('library-save').click();
  // The graph's name, markup included, as text (a workflow's name is its file name after the last '/').
  await expect(page.getByTestId('library-entry').first()).toContainText(/<|svg>/);
  await expectNothingRan(page, w, `${label}: library`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('library-entry')).toHaveCount(0);
}

// ── the journeys ──

for (const csp of [true, false]) {
  test.describe(csp ? 'under the CSP' : 'with the CSP bypassed (the escaping alone)', () => {
    test.use({ bypassCSP: !csp });
    test.describe.configure({ timeout: 120_000 });

    test('a hostile share link runs nothing and fetches nothing, in every view', async ({ page, baseURL }) => {
      const w = await watch(page, baseURL!);
      const doc = hostileDoc();
      await openApp(page, '/' + shareHash(doc));
      await expect(page.getByTestId('graph-name')).toContainText('name: ');
      // The bad colours were dropped at load, each with a warning at its place.
      await page.getByTestId('tab-problems').click();
      await expect(page.getByTestId('problems')).toContainText('/groups/0/color');
      await visitReteAndPanels(page, w, 'link', { node: 'act', title: ALL_PAYLOADS }, 'enum value: ');
      await visitLitegraph(page, w, 'evil', EVIL_PORT, 'link');
      await expectNothingRan(page, w, 'the share-link journey');
    });

    test('hostile .lggan.json and ComfyUI files run nothing and fetch nothing, in every view', async ({ page, baseURL }) => {
      const w = await watch(page, baseURL!);
      await openApp(page);
      await page.getByTestId('open-file').setInputFiles({ name: `${PAYLOADS[0]}.lggan.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(hostileDoc())) });
      await expect(page.getByTestId('graph-name')).toContainText('name: ');
      await expectNothingRan(page, w, 'file: opened');
      await visitReteAndPanels(page, w, 'file', { node: 'act', title: ALL_PAYLOADS }, 'enum value: ');
      await visitLitegraph(page, w, 'evil', EVIL_PORT, 'file');

      const workflow = JSON.stringify(hostileWorkflow());
      await page.getByTestId('open-file').setInputFiles({ name: `${PAYLOADS[2]}.json`, mimeType: 'application/json', buffer: Buffer.from(workflow) });
      // The journey above edited the graph (property dialogs), so the door asks first; its text is a sink too.
      await expect(page.getByTestId('unsaved-dialog')).toContainText('has changes that are not saved');
      await expectNothingRan(page, w, 'workflow: unsaved question');
      await page.getByTestId('unsaved-leave').click();
      await expect(page.getByTestId('notice')).toContainText('as litegraph/ComfyUI JSON');
      await expectNothingRan(page, w, 'workflow: opened');
      // The foreign node keeps its litegraph id as our id.
      await visitReteAndPanels(page, w, 'workflow', { node: '2', title: 'foreign title: ' }, 'widget: ');
      await visitLitegraph(page, w, '2', EVIL_PORT, 'workflow');
      await expectNothingRan(page, w, 'the file journey');
    });
  });
}

// ── the policy itself ──

const PAGES = ['/', '/harness/test-harness.html', '/harness/gradient-harness.html', '/harness/run-panel-harness.html', '/harness/litegraph-harness.html', '/harness/runs-compare-harness.html'];

test('every page is served with the CSP, in a header and a <meta>, and it blocks inline script and foreign loads', async ({ page, baseURL }) => {
  const w = await watch(page, baseURL!);
  for (const path of PAGES) {
    const response = await page.goto(path);
    const header = response!.headers()['content-security-policy'];
    expect(header, path).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(header, path).toContain("frame-ancestors 'none'");
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta, path).toContain("style-src-elem 'self'");
    expect(meta, path).not.toContain('frame-ancestors');
    // The page's own scripts and styles (run by the load event) break none of it.
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => [...(window as unknown as { __cspViolations: string[] }).__cspViolations]), path).toEqual([]);
  }
  expect(w.cspConsole).toEqual([]);
  await openApp(page);
  expect(await page.evaluate(() => [...(window as unknown as { __cspViolations: string[] }).__cspViolations])).toEqual([]);
  // What an injection would try, done by hand: each is refused and reported.
  const refused = await page.evaluate(async () => {
    const div = document.createElement('div');
    div.innerHTML = `<img src="x" onerror="window.__lgganPwned=1"><img src="http://127.0.0.2/img">`;
    const failed = [...div.querySelectorAll('img')].map((img) => new Promise((resolve) => img.addEventListener('error', resolve)));
    document.body.append(div);
    const style = document.createElement('style');
    style.textContent = 'body{background:url(http://127.0.0.2/style)}';
    document.head.append(style);
    const script = document.createElement('script');
    script.textContent = 'window.__lgganPwned=2';
    document.body.append(script);
    const fetched = await fetch('http://127.0.0.2/fetch').then(
      () => 'fetched',
      () => 'refused',
    );
    await Promise.all(failed); // both images fail: one is not there, the other is refused
    div.remove();
    style.remove();
    script.remove();
    return { fetched, flag: (window as unknown as { __lgganPwned?: number }).__lgganPwned ?? 0 };
  });
  expect(refused).toEqual({ fetched: 'refused', flag: 0 });
  // Violation reports arrive as events of their own.
  const directives = () => page.evaluate(() => [...new Set((window as unknown as { __cspViolations: string[] }).__cspViolations.map((v) => v.split(' ')[0]))].sort());
  await expect.poll(directives).toEqual(['connect-src', 'img-src', 'script-src-attr', 'script-src-elem', 'style-src-elem']);
  expect(w.dialogs).toEqual([]);
});
