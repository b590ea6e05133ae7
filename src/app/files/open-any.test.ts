import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { formatGraph } from '../../interop/litegraph/convert.ts';
import { openAnyText, openSummary, openWarnings } from './open-any.ts';

const registry = createRegistry();
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const comfyText = read('../../interop/litegraph/fixtures/comfy-workflow.json');
const pix2pixText = read('../../../graphs/tiny-pix2pix.json');
const isPlaceholder = (type: string) => !registry.get(type);

describe('opening either graph format', () => {
  it('reads our format', () => {
    const result = openAnyText(pix2pixText, 'tiny-pix2pix.json', registry);
    expect(result).toMatchObject({ ok: true, format: 'lggan', warnings: [] });
    if (result.ok) expect(openSummary('tiny-pix2pix.json', result.format, result.doc, result.warnings, isPlaceholder)).toBe('Opened tiny-pix2pix.json');
  });

  it('reads a ComfyUI workflow, keeping its unknown node as a placeholder', () => {
    const result = openAnyText(comfyText, 'comfy-workflow.json', registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.format).toBe('litegraph');
    expect(result.doc.meta.name).toBe('comfy-workflow');
    expect(result.doc.nodes.find((n) => n.id === '15')?.type).toBe('foreign/KSampler');
    expect(result.warnings.map((d) => d.code)).toEqual(['unknown-node-type']);
    // The compiler reports the placeholder too, so the loader's copy is not kept beside it.
    expect(openWarnings(result.warnings)).toEqual([]);
    expect(openSummary('comfy-workflow.json', result.format, result.doc, result.warnings, isPlaceholder)).toBe(
      'Opened comfy-workflow.json as litegraph/ComfyUI JSON · 1 unknown node type kept as a placeholder',
    );
  });

  it('reads back what "Save as litegraph JSON" writes', () => {
    const first = openAnyText(pix2pixText, 'tiny-pix2pix.json', registry);
    if (!first.ok) throw new Error('does not load');
    const again = openAnyText(formatGraph(first.doc, 'litegraph', registry), 'tiny-pix2pix.litegraph.json', registry);
    expect(again).toMatchObject({ ok: true, format: 'litegraph' });
    if (again.ok) expect(formatGraph(again.doc, 'lggan', registry)).toBe(formatGraph(first.doc, 'lggan', registry));
  });

  it('keeps loader warnings the compiler does not repeat, and counts them', () => {
    const json = JSON.parse(comfyText);
    json.links.push(null);
    const result = openAnyText(JSON.stringify(json), 'odd.json', registry);
    if (!result.ok) throw new Error('does not load');
    expect(openWarnings(result.warnings).map((d) => d.code)).toEqual(['empty-link']);
    expect(openSummary('odd.json', result.format, result.doc, result.warnings, isPlaceholder)).toBe(
      'Opened odd.json as litegraph/ComfyUI JSON · 1 unknown node type kept as a placeholder · 1 warning in Problems',
    );
  });

  it('reports broken JSON with the file, line and column', () => {
    const broken = comfyText.replace('"last_link_id": 13,', '"last_link_id": 13');
    const result = openAnyText(broken, 'comfy-workflow.json', registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'json-syntax', where: { file: 'comfy-workflow.json', line: 4 } });
    expect(result.diagnostics[0].where.column).toBeGreaterThan(0);
  });

  it('reports a bad litegraph file at the JSON pointer of the bad value', () => {
    const json = JSON.parse(comfyText);
    json.links[0] = [1, 'four', 0, 7, 0, 'semantic'];
    const result = openAnyText(JSON.stringify(json, null, 2), 'bad.json', registry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.find((d) => d.severity === 'error')?.where).toMatchObject({ file: 'bad.json', pointer: expect.stringMatching(/^\/links\/0/) });
  });

  it('says what it expected for JSON of neither format', () => {
    const result = openAnyText('{"hello": 1}', 'hello.json', registry);
    expect(result).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'unknown-format', where: expect.objectContaining({ file: 'hello.json' }) })] });
  });
});
