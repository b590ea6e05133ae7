/**
 * litegraph.js 0.7.18 builds its menus, dialogs and node panel with `innerHTML`, and puts strings
 * from the graph into that HTML unescaped: a node's type as the title of its context menu, a slot's
 * type and name as the title of the slot and connection menus, property names (and a property's
 * label and enum values) in the Properties menu and the property dialog, the node type in the node
 * panel. A graph from a link or a file decides all of them. installLitegraphSinks makes each of
 * those places show the string as text:
 *
 * - every context-menu title and entry label is escaped before litegraph sets it as HTML; entries
 *   we build carry their styled spans as LabelParts, made with DOM calls;
 * - the Properties menu, the property dialog, the node panel and the colour menu, whose HTML
 *   litegraph writes with data in it, are replaced by versions that set data as text;
 * - the Mode menu and the panel's Mode field offer the modes a document has (node-modes.ts), with
 *   labels of our own;
 * - litegraph's own demo node types (209 of them: scripts, image loaders, downloads…) are
 *   unregistered, so a graph can only make the pack's nodes and inert placeholders.
 *
 * Everything else litegraph shows (prompts, search results, panel widgets) already uses innerText.
 */
import * as litegraph from 'litegraph.js';
import { isColor } from '../../graph/color.ts';
import type { LiteGraphJson } from '../../interop/litegraph/format.ts';
import { appendParts, escapeHtml, propertyText, type LabelPart } from './html-text.ts';
import { MODE_CHOICES, modeChoiceLabel, modeMenu, setNodeModes } from './node-modes.ts';

const { LGraphCanvas, LiteGraph } = litegraph;

/** The key under which an entry we build carries its label as parts. */
const PARTS = Symbol('lggan label parts');

type Entry = { content?: unknown; title?: unknown; value?: unknown; callback?: unknown; [PARTS]?: readonly LabelPart[] } & Record<string, unknown>;
type MenuOptions = { title?: unknown; event?: unknown; callback?: unknown; parentMenu?: unknown; node?: unknown } & Record<string, unknown>;
type ContextMenuCtor = {
  (this: unknown, values: unknown, options?: MenuOptions, ...rest: unknown[]): void;
  prototype: { addItem(name: unknown, value: unknown, options: unknown): HTMLElement; constructor: unknown };
  lgganTextOnly?: boolean;
};

interface PropertyInfo {
  type?: string;
  label?: unknown;
  values?: unknown;
  widget?: string;
}
interface PanelNode {
  type: unknown;
  title: unknown;
  mode: number;
  color?: string;
  bgcolor?: string;
  graph: { beforeChange(node?: unknown): void; afterChange(): void; remove(node: unknown): void; _version: number } | null;
  properties: Record<string, unknown>;
  constructor: { desc?: unknown };
  block_delete?: boolean;
  getPropertyInfo(name: string): PropertyInfo;
  setProperty(name: string, value: unknown): void;
  setDirtyCanvas(a: boolean, b: boolean): void;
  onPropertyChanged?(name: string, value: unknown): unknown;
  onAddPropertyToPanel?(name: string, panel: unknown): boolean;
  onShowCustomPanelInfo?(panel: unknown): void;
}
interface Dialog extends HTMLDivElement {
  close(): void;
  modified(): void;
}
interface Panel extends HTMLDivElement {
  content: HTMLElement;
  footer: HTMLElement;
  node?: PanelNode;
  close(): void;
  addWidget(type: string, name: string, value: unknown, options: unknown, callback: (name: string, value: unknown) => void): HTMLElement;
  addButton(name: string, callback: () => void): HTMLElement;
  addSeparator(): void;
}
type CanvasThis = {
  canvas: HTMLCanvasElement;
  graph: { beforeChange(node?: unknown): void; afterChange(): void };
  dirty_canvas: boolean;
  NODEPANEL_IS_OPEN?: boolean;
  node_panel?: Panel | null;
  SELECTED_NODE?: unknown;
  closePanels(): void;
  getCanvasWindow(): Window;
  createDialog(html: string, options: unknown): Dialog;
  createPanel(title: string, options: unknown): Panel;
  showEditPropertyValue(node: PanelNode, property: string, options: unknown): unknown;
};
type NodeColors = Record<string, { color: string; bgcolor: string; groupcolor: string }>;

const lib = { LiteGraph: LiteGraph as unknown as Record<string, unknown>, LGraphCanvas: LGraphCanvas as unknown as Record<string, unknown> };
const canvasProto = (LGraphCanvas as unknown as { prototype: Record<string, unknown> }).prototype;
const activeCanvas = () => lib.LGraphCanvas.active_canvas as CanvasThis;

/** Context menus: titles and labels as text; entries with parts get their spans. */
function textOnlyContextMenu(): void {
  const Original = lib.LiteGraph.ContextMenu as ContextMenuCtor;
  if (Original.lgganTextOnly) return;
  const addItem = Original.prototype.addItem;
  Original.prototype.addItem = function (this: unknown, name: unknown, value: unknown, options: unknown): HTMLElement {
    if (value === null) return addItem.call(this, name, value, options); // a separator: no label
    const entry = typeof value === 'object' ? (value as Entry) : undefined;
    const parts = entry?.[PARTS];
    if (parts) {
      const element = addItem.call(this, '', value, options);
      appendParts(element, parts);
      return element;
    }
    // litegraph shows `value.title` when there is one, else the name (a string, or the entry's content).
    if (entry?.title) return addItem.call(this, name, { ...entry, title: escapeHtml(String(entry.title)) }, options);
    return addItem.call(this, escapeHtml(String(name ?? '')), value, options);
  };
  const TextContextMenu = function (this: unknown, values: unknown, options?: MenuOptions, ...rest: unknown[]) {
    const safe = options?.title ? { ...options, title: escapeHtml(String(options.title)) } : options;
    Original.call(this, values, safe, ...rest);
  } as unknown as ContextMenuCtor;
  Object.assign(TextContextMenu, Original);
  TextContextMenu.prototype = Original.prototype;
  // Submenus are made with `new that.constructor(…)`: they go through the title escape too.
  Original.prototype.constructor = TextContextMenu;
  TextContextMenu.lgganTextOnly = true;
  lib.LiteGraph.ContextMenu = TextContextMenu;
}

const newMenu = (values: unknown[], options: MenuOptions, window?: Window) =>
  new (lib.LiteGraph.ContextMenu as unknown as new (values: unknown[], options: MenuOptions, window?: Window) => unknown)(values, options, window);

/** The node's Properties submenu: each property's name and value as text; a click edits it. */
function onShowMenuNodeProperties(_value: unknown, _options: unknown, e: MouseEvent, menu: unknown, node: PanelNode | null): boolean | void {
  if (!node?.properties) return;
  const canvas = activeCanvas();
  const entries: Entry[] = Object.keys(node.properties).map((name) => {
    const info = node.getPropertyInfo(name);
    const label = info.label ? String(info.label) : name;
    return { content: label, value: name, [PARTS]: [{ text: label, className: 'property_name' }, { text: propertyText(node.properties[name]), className: 'property_value' }] };
  });
  if (entries.length === 0) return;
  newMenu(entries, {
    event: e,
    parentMenu: menu,
    node,
    callback(this: HTMLElement, entry: Entry) {
      const rect = this.getBoundingClientRect();
      canvas.showEditPropertyValue(node, entry.value as string, { position: [rect.left, rect.top] });
    },
  }, canvas.getCanvasWindow());
  return false;
}

/** The choices of an enum/combo property: [what the select holds, what it shows]. */
function choices(values: unknown): [string, string][] {
  if (Array.isArray(values)) return values.map((v) => [propertyText(v), propertyText(v)]);
  if (typeof values === 'object' && values !== null) return Object.keys(values).map((k) => [k, propertyText((values as Record<string, unknown>)[k])]);
  return [];
}

/** The property dialog (a click in the Properties menu): the name as text, the value in a field. */
function showEditPropertyValue(this: CanvasThis, node: PanelNode, property: string, options: { onclose?: () => void } = {}): Dialog | undefined {
  if (!node || node.properties[property] === undefined) return;
  const info = node.getPropertyInfo(property);
  const type = info.type;
  const current = node.properties[property];
  const doc = this.canvas.ownerDocument;
  let field: HTMLInputElement | HTMLSelectElement;
  if (type === 'string' || type === 'number' || type === 'array' || type === 'object') {
    field = doc.createElement('input');
    field.type = 'text';
    field.value = type === 'string' ? propertyText(current) : (JSON.stringify(current) ?? '');
  } else if ((type === 'enum' || type === 'combo') && info.values) {
    field = doc.createElement('select');
    for (const [value, shown] of choices(info.values)) {
      const option = doc.createElement('option');
      option.value = value;
      option.textContent = shown;
      option.selected = value === propertyText(current);
      field.appendChild(option);
    }
  } else if (type === 'boolean' || type === 'toggle') {
    field = doc.createElement('input');
    field.type = 'checkbox';
    field.checked = !!current;
  } else {
    console.warn(`litegraph property '${property}': no editor for type ${String(type)}`);
    return;
  }
  field.className = 'value';
  field.autofocus = true;
  const dialog = this.createDialog("<span class='name'></span><button>OK</button>", options);
  dialog.querySelector('.name')!.textContent = info.label ? String(info.label) : property;
  dialog.insertBefore(field, dialog.querySelector('button'));

  const setValue = (raw: unknown) => {
    let value = raw;
    const map = info.values;
    if (map && typeof map === 'object' && !Array.isArray(map) && (map as Record<string, unknown>)[String(raw)] !== undefined) value = (map as Record<string, unknown>)[String(raw)];
    if (typeof current === 'number') value = Number(value);
    if (type === 'array' || type === 'object') {
      try {
        value = JSON.parse(String(value));
      } catch {
        field.setCustomValidity('not JSON');
        field.reportValidity();
        return;
      }
    }
    node.properties[property] = value;
    if (node.graph) node.graph._version++;
    node.onPropertyChanged?.(property, value);
    options.onclose?.();
    dialog.close();
    node.setDirtyCanvas(true, true);
  };

  if (field instanceof HTMLSelectElement) {
    field.addEventListener('change', () => {
      dialog.modified();
      setValue(field.value);
    });
  } else if (field.type === 'checkbox') {
    field.addEventListener('click', () => {
      dialog.modified();
      setValue((field as HTMLInputElement).checked);
    });
  } else {
    field.addEventListener('blur', () => field.focus());
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') dialog.close();
      else if (e.key === 'Enter') setValue(field.value);
      else {
        dialog.modified();
        return;
      }
      e.preventDefault();
      e.stopPropagation();
    });
  }
  field.focus();
  dialog.querySelector('button')!.addEventListener('click', () => setValue(field instanceof HTMLInputElement && field.type === 'checkbox' ? field.checked : field.value));
  return dialog;
}

/** The node panel (litegraph's "Properties Panel"): the type and description as text. */
function showShowNodePanel(this: CanvasThis, node: PanelNode): void {
  this.SELECTED_NODE = node;
  this.closePanels();
  const canvas = this;
  const panel = this.createPanel(propertyText(node.title), {
    closable: true,
    window: this.getCanvasWindow(),
    onOpen: () => (canvas.NODEPANEL_IS_OPEN = true),
    onClose: () => {
      canvas.NODEPANEL_IS_OPEN = false;
      canvas.node_panel = null;
    },
  });
  canvas.node_panel = panel;
  panel.id = 'node-panel';
  panel.node = node;
  panel.classList.add('settings');
  const doc = panel.ownerDocument;
  const modes = MODE_CHOICES.map((c) => c.label);
  const colors = lib.LGraphCanvas.node_colors as NodeColors;

  const update = (name: string, value: unknown) => {
    canvas.graph.beforeChange(node);
    if (name === 'Title') node.title = value;
    else if (name === 'Mode') {
      const choice = MODE_CHOICES.find((c) => c.label === String(value));
      if (choice) setNodeModes([node as unknown as Parameters<typeof setNodeModes>[0][number]], choice.mode);
    } else if (name === 'Color') {
      const color = colors[String(value)];
      if (color) {
        node.color = color.color;
        node.bgcolor = color.bgcolor;
      }
    } else node.setProperty(name, value);
    canvas.graph.afterChange();
    canvas.dirty_canvas = true;
  };

  const refresh = () => {
    panel.content.replaceChildren();
    const about = doc.createElement('div');
    appendParts(about, [
      { text: propertyText(node.type), className: 'node_type' },
      { text: propertyText(node.constructor.desc), className: 'node_desc' },
      { text: '', className: 'separator' },
    ]);
    const heading = doc.createElement('h3');
    heading.textContent = 'Properties';
    panel.content.append(about, heading);
    panel.addWidget('string', 'Title', propertyText(node.title), {}, update);
    panel.addWidget('combo', 'Mode', modeChoiceLabel(node.mode), { values: modes }, update);
    const named = Object.keys(colors).filter((name) => colors[name].color === node.color);
    panel.addWidget('combo', 'Color', named, { values: Object.keys(colors) }, update);
    for (const name of Object.keys(node.properties)) {
      if (node.onAddPropertyToPanel?.(name, panel)) continue;
      const info = node.getPropertyInfo(name);
      // litegraph's code pad edits "code" properties (no pack node has one) and its number
      // widget calls toFixed: those show as text unless the value fits.
      const value = node.properties[name];
      const type = String(info.widget || info.type || 'string').toLowerCase();
      const fits = type === 'number' ? typeof value === 'number' : type !== 'code';
      panel.addWidget(fits ? type : 'string', name, fits ? value : propertyText(value), info, update);
    }
    panel.addSeparator();
    node.onShowCustomPanelInfo?.(panel);
    panel.footer.replaceChildren();
    panel.addButton('Delete', () => {
      if (node.block_delete || !node.graph) return;
      node.graph.remove(node);
      panel.close();
    }).classList.add('delete');
  };
  refresh();
  this.canvas.parentNode!.appendChild(panel);
}

/** The Colors submenu: swatches drawn through the CSS object model, the names as text. */
function onMenuNodeColors(_value: unknown, _options: unknown, e: MouseEvent, menu: unknown, node: { constructor: unknown; color?: string; bgcolor?: string; setDirtyCanvas(a: boolean, b: boolean): void } | null): boolean {
  if (!node) throw new Error('no node for color');
  const colors = lib.LGraphCanvas.node_colors as NodeColors;
  const entries: Entry[] = [
    { value: null, content: 'No color', [PARTS]: [{ text: 'No color', swatch: { color: 'transparent', background: 'transparent' } }] },
    ...Object.keys(colors).map((name) => ({ value: name, content: name, [PARTS]: [{ text: name, swatch: { color: colors[name].color, background: colors[name].bgcolor } }] })),
  ];
  const apply = (target: typeof node, name: string | null) => {
    const color = name === null ? undefined : colors[name];
    if (!color) {
      delete target.color;
      delete target.bgcolor;
    } else if (target.constructor === lib.LiteGraph.LGraphGroup) target.color = color.groupcolor;
    else {
      target.color = color.color;
      target.bgcolor = color.bgcolor;
    }
  };
  newMenu(entries, {
    event: e,
    parentMenu: menu,
    node,
    callback(entry: Entry) {
      const selected = Object.values((activeCanvas() as unknown as { selected_nodes?: Record<string, typeof node> }).selected_nodes ?? {});
      for (const target of selected.length > 1 ? selected : [node]) apply(target, entry.value as string | null);
      node.setDirtyCanvas(true, true);
    },
  });
  return false;
}

/** Unregisters every node type that is not the pack's (litegraph's demo nodes). */
function onlyPackNodeTypes(): void {
  const types = lib.LiteGraph.registered_node_types as Record<string, { lgganDef?: unknown; lgganNote?: boolean }>;
  for (const type of Object.keys(types)) if (!types[type].lgganDef && !types[type].lgganNote) delete types[type];
  lib.LiteGraph.searchbox_extras = {};
  lib.LiteGraph.node_types_by_file_extension = {};
}

let installed = false;

/** Makes litegraph show graph strings as text (see the module comment); once per page. */
export function installLitegraphSinks(): void {
  onlyPackNodeTypes(); // every time: the pack's types are registered by then, demo types are not wanted
  if (installed) return;
  installed = true;
  lib.LiteGraph.allow_scripts = false;
  lib.LiteGraph.search_filter_enabled = false; // its slot-type filter lists slot types from graphs as HTML
  textOnlyContextMenu();
  lib.LGraphCanvas.onShowMenuNodeProperties = onShowMenuNodeProperties;
  lib.LGraphCanvas.onMenuNodeColors = onMenuNodeColors;
  // Modes the document knows (Always, Bypass, Never), as edits of it: see node-modes.ts.
  lib.LGraphCanvas.onMenuNodeMode = modeMenu(
    () => lib.LiteGraph.ContextMenu as never,
    () => Object.values((activeCanvas() as unknown as { selected_nodes?: Record<string, never> }).selected_nodes ?? {}),
  );
  canvasProto.showEditPropertyValue = showEditPropertyValue;
  canvasProto.showShowNodePanel = showShowNodePanel;
}

const COLOR_FIELDS = ['color', 'bgcolor', 'boxcolor'] as const;

/**
 * litegraph JSON with only colours in its colour fields (the loader has dropped the others from
 * documents; this keeps a document made some other way from reaching the canvas with them).
 */
export function drawableColors(json: LiteGraphJson): LiteGraphJson {
  const clean = <T extends Record<string, unknown>>(item: T): T => {
    const bad = COLOR_FIELDS.filter((key) => item[key] !== undefined && !isColor(item[key]));
    if (bad.length === 0) return item;
    const copy = { ...item };
    for (const key of bad) delete copy[key];
    return copy;
  };
  // A file written back from its source has `groups` only when the file had them.
  return { ...json, nodes: json.nodes.map(clean), ...(Array.isArray(json.groups) ? { groups: json.groups.map(clean) } : {}) };
}
