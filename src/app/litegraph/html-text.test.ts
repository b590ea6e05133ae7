import { describe, expect, it } from 'vitest';
import type { LiteGraphJson } from '../../interop/litegraph/format.ts';
import { escapeHtml, propertyText } from './html-text.ts';
import { drawableColors } from './litegraph-sinks.ts';

/** What an HTML parser makes of escaped text in element content: the entities decoded back. */
const decode = (html: string) => html.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

describe('escapeHtml', () => {
  it.each([
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    "'><script>alert(1)</script>",
    '</style><style>*{background:url(http://127.0.0.2/x)}</style>',
    '&lt;already escaped&gt;',
    'plain text, ünïcødé, 𝔘',
  ])('leaves no markup in %j and shows it unchanged', (text) => {
    const html = escapeHtml(text);
    expect(html).not.toMatch(/[<>"']/);
    expect(decode(html)).toBe(text);
  });

  it('escapes each special character once', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('propertyText', () => {
  it('shows strings as they are and other values as JSON', () => {
    expect(propertyText('<b>')).toBe('<b>');
    expect(propertyText(3)).toBe('3');
    expect(propertyText(true)).toBe('true');
    expect(propertyText(null)).toBe('null');
    expect(propertyText(undefined)).toBe('');
    expect(propertyText({ a: ['<x>'] })).toBe('{"a":["<x>"]}');
  });

  it('does not throw on values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(propertyText(cyclic)).toBe('[object Object]');
    expect(propertyText(10n)).toBe('10');
  });
});

describe('drawableColors', () => {
  const json = (color: unknown) =>
    ({
      nodes: [{ id: 1, type: 'core/output', color, bgcolor: '#353', boxcolor: 'url(x)' }],
      groups: [{ title: 'g', bounding: [0, 0, 1, 1], color }],
    }) as unknown as LiteGraphJson;

  it('keeps colours and drops the rest from nodes and groups', () => {
    const out = drawableColors(json('red;background:url(http://127.0.0.2/x)'));
    expect(out.nodes[0]).toEqual({ id: 1, type: 'core/output', bgcolor: '#353' });
    expect(out.groups[0]).toEqual({ title: 'g', bounding: [0, 0, 1, 1] });
  });

  it('leaves objects with good colours as they are', () => {
    const input = json('#3f789e');
    const out = drawableColors(input);
    expect(out.groups[0]).toBe(input.groups[0]);
    expect(out.nodes[0]).toEqual({ id: 1, type: 'core/output', color: '#3f789e', bgcolor: '#353' });
  });
});
