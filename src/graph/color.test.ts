import { describe, expect, it } from 'vitest';
import { isColor, MAX_COLOR_LENGTH, safeColor, withoutBadColors } from './color.ts';
import { loadGraph, loadGraphValue } from './load.ts';
import { saveGraph } from './save.ts';
import { sampleDoc } from './test-fixtures.test-util.ts';
import { validateGraph } from './validate.ts';

describe('isColor', () => {
  it.each([
    '#abc',
    '#ABCD',
    '#3f789e',
    '#3F789EFF',
    ' #fff ',
    'red',
    'RebeccaPurple',
    'transparent',
    'rgb(1, 2, 3)',
    'rgba(1,2,3,0.5)',
    'rgb(10% 20% 30%)',
    'rgb(1 2 3 / 50%)',
    'RGB(255, 0, 0)',
    'rgb(.5, 1e2, +3)',
    'hsl(120, 50%, 50%)',
    'hsla(120deg, 50%, 50%, .3)',
    'hsl(-30 100% 25% / 1)',
  ])('accepts %j', (text) => {
    expect(isColor(text)).toBe(true);
    expect(safeColor(text)).toBe(text);
  });

  it.each([
    ['', 'empty'],
    ['#ab', 'two hex digits'],
    ['#abcde', 'five hex digits'],
    ['#ggg', 'not hex'],
    ['redd', 'not a name'],
    ['currentcolor', 'not a colour of its own'],
    ['red;background:url(http://127.0.0.2/x)', 'a declaration after a name'],
    ['#fff;--x:1', 'a declaration after hex'],
    ['red}body{background:url(http://127.0.0.2/x)', 'a rule after a name'],
    ['url(http://127.0.0.2/x)', 'a URL'],
    ['rgb(1, 2, 3); background: url(x)', 'more after a function'],
    ['rgb(var(--a), 2, 3)', 'a var() argument'],
    ['rgb(calc(1), 2, 3)', 'a calc() argument'],
    ['rgb(1, 2)', 'two arguments'],
    ['rgb(1, 2, 3, 4, 5)', 'five arguments'],
    ['rgb(1 2 3 /)', 'an empty alpha'],
    ['rgb(1 2 3 / 4 / 5)', 'two alphas'],
    ['hsl(120, 50, 50)', 'hsl without percentages'],
    ['hsl(1turn, 50%, 50%)', 'a hue unit other than deg'],
    ['expression(alert(1))', 'an old IE expression'],
    ['"red"', 'quotes'],
    ['</style><style>*{background:url(http://127.0.0.2/x)}', 'markup'],
    ['red\\;x', 'an escape'],
  ])('refuses %j (%s)', (text) => {
    expect(isColor(text)).toBe(false);
    expect(safeColor(text)).toBeUndefined();
  });

  it('refuses what is not a string, and strings longer than any colour', () => {
    for (const value of [undefined, null, 1, ['red'], { toString: () => 'red' }]) expect(isColor(value)).toBe(false);
    expect(isColor(`rgb(${'1'.repeat(MAX_COLOR_LENGTH)}, 2, 3)`)).toBe(false);
  });
});

const HOSTILE = 'red;background:url(http://127.0.0.2/x)';

/** sampleDoc with a bad colour on a group, a node's and a comment's litegraph fields. */
function docWithBadColors() {
  const doc = sampleDoc();
  doc.groups[0].color = HOSTILE;
  doc.nodes[1].extra = { litegraph: { color: '#223', bgcolor: 'url(x)', boxcolor: 7 }, other: 'kept' };
  doc.comments.push({ id: 'note', text: 'hi', position: { x: 0, y: 0 }, extra: { litegraph: { color: '</style>' } } });
  return doc;
}

describe('colours in documents', () => {
  it('the validator warns at each bad colour with its place', () => {
    const found = validateGraph(docWithBadColors()).map((d) => [d.severity, d.code, d.where.pointer]);
    expect(found).toEqual([
      ['warning', 'invalid-color', '/nodes/1/extra/litegraph/bgcolor'],
      ['warning', 'invalid-color', '/nodes/1/extra/litegraph/boxcolor'],
      ['warning', 'invalid-color', '/groups/0/color'],
      ['warning', 'invalid-color', '/comments/1/extra/litegraph/color'],
    ]);
    const message = validateGraph(docWithBadColors()).find((d) => d.where.pointer === '/groups/0/color')!.message;
    expect(message).toMatch(/^group #0's colour "red;background:url\(http:\/\/127\.0\.0\.2\/x\)" is not a colour \(#rgb, .*\); it is left out$/);
  });

  it('the loader drops bad colours, keeps good ones and everything else, and warns', () => {
    const result = loadGraph(saveGraph(docWithBadColors()), { file: 'g.json' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.doc.groups[0].color).toBeUndefined();
    expect(result.doc.groups[0].title).toBe('Encoder');
    expect(result.doc.nodes[1].extra).toEqual({ litegraph: { color: '#223' }, other: 'kept' });
    expect(result.doc.comments[1].extra).toEqual({ litegraph: {} });
    expect(result.diagnostics.filter((d) => d.code === 'invalid-color')).toHaveLength(4);
    expect(result.diagnostics.every((d) => d.where.file === 'g.json')).toBe(true);
  });

  it('a document with good colours loads unchanged', () => {
    const doc = sampleDoc();
    const result = loadGraphValue(doc);
    expect(result.ok && result.diagnostics).toEqual([]);
    expect(result.ok && result.doc).toEqual(doc);
    expect(withoutBadColors(doc)).toBe(doc);
  });
});
