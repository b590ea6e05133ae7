import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { litegraphCore } from './vite-plugin.ts';

const source = readFileSync(createRequire(import.meta.url).resolve('litegraph.js'), 'utf8');

describe('litegraphCore', () => {
  it('keeps the library and its exports, and none of the demo node types', () => {
    const core = litegraphCore(source);
    expect(core.length).toBeLessThan(source.length / 2);
    expect(core).toContain('exports.LGraphCanvas = this.LGraphCanvas;');
    expect(core).not.toContain('registerNodeType("basic/script"');
    expect(core).not.toContain('wrapFunctionAsNode("math/');
    // Loaded as a CommonJS module, it gives the classes and registers nothing.
    const module = { exports: {} as Record<string, { registered_node_types?: Record<string, unknown> }> };
    new Function('exports', 'module', core).call(globalThis, module.exports, module);
    expect(Object.keys(module.exports).sort()).toEqual(['ContextMenu', 'DragAndScale', 'LGraph', 'LGraphCanvas', 'LGraphGroup', 'LGraphNode', 'LLink', 'LiteGraph']);
    expect(module.exports.LiteGraph.registered_node_types).toEqual({});
  });

  it('refuses a file of another shape rather than ship it whole', () => {
    expect(() => litegraphCore(source.replace('//basic nodes', '//other nodes'))).toThrow(/no longer has the shape/);
    expect(() => litegraphCore('var x = 1;')).toThrow(/no longer has the shape/);
  });
});
