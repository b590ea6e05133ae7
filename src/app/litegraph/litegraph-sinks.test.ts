/**
 * What can be checked of litegraph-sinks.ts without a browser (e2e/injection.spec.ts drives the real
 * menus and panels): the replacements are in place, demo node types are gone, and litegraph's own
 * HTML sinks are still the ones this module was written against.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as litegraph from 'litegraph.js';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { registerLgganNodes, type LitegraphLib } from '../../interop/litegraph/register.ts';
import { installLitegraphSinks } from './litegraph-sinks.ts';
import { litegraphCore } from './vite-plugin.ts';

type Statics = Record<string, unknown> & { prototype: Record<string, unknown> };
const { LiteGraph, LGraphCanvas } = litegraph as unknown as { LiteGraph: Record<string, unknown>; LGraphCanvas: Statics };

describe('installLitegraphSinks', () => {
  it('replaces the menus, dialog and panel that build HTML from graph strings, and keeps only the pack’s node types', () => {
    const before = {
      menu: LiteGraph.ContextMenu,
      properties: LGraphCanvas.onShowMenuNodeProperties,
      colors: LGraphCanvas.onMenuNodeColors,
      mode: LGraphCanvas.onMenuNodeMode,
      dialog: LGraphCanvas.prototype.showEditPropertyValue,
      panel: LGraphCanvas.prototype.showShowNodePanel,
    };
    const registry = createRegistry();
    registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
    expect(Object.keys(LiteGraph.registered_node_types as object)).toContain('basic/script'); // Node loads the whole file
    installLitegraphSinks();
    installLitegraphSinks(); // a second host changes nothing
    expect(LiteGraph.ContextMenu).not.toBe(before.menu);
    expect((LiteGraph.ContextMenu as { lgganTextOnly?: boolean }).lgganTextOnly).toBe(true);
    expect((LiteGraph.ContextMenu as { prototype: unknown }).prototype).toBe((before.menu as { prototype: unknown }).prototype);
    expect(LGraphCanvas.onShowMenuNodeProperties).not.toBe(before.properties);
    expect(LGraphCanvas.onMenuNodeColors).not.toBe(before.colors);
    expect(LGraphCanvas.onMenuNodeMode).not.toBe(before.mode); // Always / Bypass / Never (node-modes.ts)
    expect(LGraphCanvas.prototype.showEditPropertyValue).not.toBe(before.dialog);
    expect(LGraphCanvas.prototype.showShowNodePanel).not.toBe(before.panel);
    const types = Object.keys(LiteGraph.registered_node_types as object).sort();
    expect(types).toEqual([...registry.list().map((d) => d.type), 'Note'].sort());
    expect(LiteGraph.allow_scripts).toBe(false);
    expect(LiteGraph.search_filter_enabled).toBe(false);
  });
});

describe('litegraph.js 0.7.18', () => {
  it('has the HTML sinks litegraph-sinks.ts was written against (a new version needs a new audit)', () => {
    const core = litegraphCore(readFileSync(createRequire(import.meta.url).resolve('litegraph.js'), 'utf8'));
    const sinks = core.split('\n').filter((line) => /innerHTML|insertAdjacentHTML|outerHTML|document\.write/.test(line));
    expect(sinks).toHaveLength(27);
  });
});
