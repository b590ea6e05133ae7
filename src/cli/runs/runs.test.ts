/** run.json's strict reader, the log parsers, the table's escaping and the chart's drawing. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../runtime/data/index.ts';
import { fitText, glyph, textWidth } from './bitmap-font.ts';
import { csvCell, markdownCell } from './comparison.ts';
import { lossChartPng, SERIES_COLOURS, tickLabel } from './loss-chart.ts';
import { jsonDepth, parseRunFile, parseRunFileText, RUN_FILE_LIMITS, runFileJson, type RunFile } from './run-file.ts';
import { parseLastMetrics, parseLossesCsv } from './run-folder.ts';

const F = 'runs/a/run.json';

function record(): RunFile {
  return {
    format: 'lggan-studio.run-folder',
    version: 1,
    status: 'finished',
    graph: { name: 'g', hash: 'ab'.repeat(32), file: 'g.json', document: { format: 'lggan-studio.graph' } },
    seed: 1,
    dataSeed: 2,
    backend: 'wasm',
    batch: 4,
    data: { kind: 'directory', description: 'cityscapes data in d', path: 'd', layout: 'auto', fingerprint: 'fp', trainSamples: 10, heldOutSamples: 2 },
    steps: { requested: 5, done: 5, resumedFrom: 0 },
    initFrom: null,
    lossTerms: ['g_adv', 'd_adv'],
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    wallSeconds: 60,
    files: { losses: 'losses.csv', lossesJsonl: 'losses.jsonl', metrics: 'metrics.jsonl', checkpoints: 'checkpoints', samples: 'samples' },
    versions: { nodePack: '0.1.0', tfjs: '4.22.0', node: 'v20' },
  };
}

/** The record with one field (a dotted path) replaced. */
function withField(path: string, value: unknown): unknown {
  const r = JSON.parse(JSON.stringify(record()));
  const keys = path.split('.');
  let o = r;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys.at(-1)!] = value;
  return r;
}

describe('run.json', () => {
  it('reads back what was written, dropping unknown fields', () => {
    expect(parseRunFileText(runFileJson(record()), F)).toEqual(record());
    expect(parseRunFile({ ...record(), surprise: 1 }, F)).toEqual(record());
  });

  it('names the file and the field of each bad value', () => {
    const cases: [string, unknown, string][] = [
      ['format', 'x', `${F}: field 'format' is "x", expected "lggan-studio.run-folder" (not a run record)`],
      ['version', 2, `${F}: field 'version' 2 is not supported (this build reads version 1)`],
      ['status', 'done', `${F}: field 'status' must be one of "running", "finished", "interrupted", "non-finite", got "done"`],
      ['seed', 1.5, `${F}: field 'seed' must be a whole number ≥ 0, got 1.5`],
      ['backend', 'wasm\x1b[2J', `${F}: field 'backend' must be a backend name (letters, digits, _ . -), got "wasm\\u001b[2J"`],
      ['graph.hash', 'abc', `${F}: field 'graph.hash' must be a SHA-256 in hex (64 characters 0-9a-f), got "abc"`],
      ['batch', 0, `${F}: field 'batch' must be a whole number ≥ 1, got 0`],
      ['graph.document', [], `${F}: field 'graph.document' must be an object, got []`],
      ['data.kind', 'web', `${F}: field 'data.kind' must be one of "synthetic", "directory", got "web"`],
      ['data.path', null, `${F}: field 'data.path' must be a string, got null`],
      ['steps.done', 6, `${F}: field 'steps.done' (6) is beyond steps.requested (5)`],
      ['initFrom', '', `${F}: field 'initFrom' must not be empty`],
      ['lossTerms', ['a', 'a'], `${F}: field 'lossTerms' names a loss twice`],
      ['lossTerms', 'g_adv', `${F}: field 'lossTerms' must be an array of loss node ids, got "g_adv"`],
      ['startedAt', 'yesterday', `${F}: field 'startedAt' must be an ISO 8601 UTC time, got "yesterday"`],
      ['wallSeconds', -1, `${F}: field 'wallSeconds' must be a number ≥ 0 or null, got -1`],
      ['files.losses', '../../etc/passwd', `${F}: field 'files.losses' must be a name inside the run folder, got "../../etc/passwd"`],
      ['graph.name', 'x'.repeat(RUN_FILE_LIMITS.text + 1), `${F}: field 'graph.name' is ${RUN_FILE_LIMITS.text + 1} characters long; at most ${RUN_FILE_LIMITS.text} are allowed`],
    ];
    for (const [field, value, message] of cases) expect(() => parseRunFile(withField(field, value), F), field).toThrow(message);
    expect(() => parseRunFile({ ...record(), lossTerms: Array(RUN_FILE_LIMITS.lossTerms + 1).fill('x') }, F)).toThrow(`has ${RUN_FILE_LIMITS.lossTerms + 1} entries`);
  });

  it('refuses deep nesting and oversized text before parsing, and bad JSON with its message', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth('{"a":"[[[[{{{\\"["}')).toBe(1);
    expect(() => parseRunFileText(deep, F)).toThrow(`${F}: nests 100000 levels deep; at most 64 are allowed`);
    expect(() => parseRunFileText(' '.repeat(RUN_FILE_LIMITS.bytes + 1), F)).toThrow(`${F}: is ${RUN_FILE_LIMITS.bytes + 1} characters long`);
    expect(() => parseRunFileText('{"format":', F)).toThrow(`${F}: is not JSON`);
  });
});

describe('run logs', () => {
  it('reads curves from losses.csv, with gaps for empty cells and non-finite values kept', () => {
    const csv = 'step,lrG,g_adv,d_adv,ms\n1,0.1,0.5,,3\n2,0.1,NaN,0.25,3\n3,0.1,Infinity,0.125,3\n';
    const { curves, lastStep } = parseLossesCsv(csv, 'l.csv', ['g_adv', 'd_adv']);
    expect(lastStep).toBe(3);
    expect(curves.get('g_adv')).toEqual({ steps: [1, 2, 3], values: [0.5, NaN, Infinity] });
    expect(curves.get('d_adv')).toEqual({ steps: [2, 3], values: [0.25, 0.125] });
  });

  it('names the line and column of a bad losses.csv', () => {
    expect(() => parseLossesCsv('step,g\n1,0.5\n1,0.4\n', 'l.csv', ['g'])).toThrow(`l.csv:3:1: step "1" is not a whole number above the previous row's 1`);
    expect(() => parseLossesCsv('step,g\n1,0.5,2\n', 'l.csv', ['g'])).toThrow('l.csv:2: has 3 cells, the header 2');
    expect(() => parseLossesCsv('step,g\n', 'l.csv', ['d'])).toThrow(`l.csv:1: has no column for the loss "d" that run.json lists`);
    expect(() => parseLossesCsv('', 'l.csv', [])).toThrow('l.csv: is empty');
  });

  it('takes the last evaluation from metrics.jsonl', () => {
    expect(parseLastMetrics('{"step":1,"count":2,"psnr":10,"ssim":0.1,"sd":5}\n{"step":2,"count":2,"psnr":11,"ssim":0.2,"sd":6}\n', 'm')).toEqual({ step: 2, count: 2, psnr: 11, ssim: 0.2, sd: 6 });
    expect(parseLastMetrics('', 'm')).toBeUndefined();
    expect(() => parseLastMetrics('{"step":1}\n', 'm')).toThrow('m:1: expected an object with numbers step, count, psnr, ssim and sd');
  });
});

describe('table cells from files', () => {
  it('keeps Markdown text as text and CSV cells from running as formulas', () => {
    expect(markdownCell('a|b <img src=x> [l](u)\nrow')).toBe('a\\|b \\<img src=x\\> \\[l\\](u) row');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-0.25')).toBe('-0.25');
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});

describe('loss chart', () => {
  it('draws every run in its colour, one panel per term, with a legend row per run', () => {
    const curve = (values: number[]) => ({ steps: values.map((_, i) => i + 1), values });
    const series = [
      { label: 'a', curves: new Map([['g', curve([3, 2, 1])], ['d', curve([1, 1, 1])]]) },
      { label: 'b', curves: new Map([['g', curve([2, 2.5, 3])]]) },
    ];
    const png = decodeImage(lossChartPng(['g', 'd'], series), 'chart');
    const colours = new Set<string>();
    for (let i = 0; i < png.rgba.length; i += 4) colours.add(`${png.rgba[i]},${png.rgba[i + 1]},${png.rgba[i + 2]}`);
    for (const c of SERIES_COLOURS.slice(0, 2)) expect(colours.has(c.join(','))).toBe(true);
    expect(colours.has(SERIES_COLOURS[2].join(','))).toBe(false);
    const one = decodeImage(lossChartPng(['g'], series.slice(0, 1)), 'chart');
    expect(png.width).toBeGreaterThan(one.width); // two panels side by side
    expect(png.height).toBeGreaterThan(one.height); // one more legend row
  });

  it('draws a curve of a million steps', () => {
    const steps = Array.from({ length: 1_000_000 }, (_, i) => i + 1);
    const png = decodeImage(lossChartPng(['g'], [{ label: 'long', curves: new Map([['g', { steps, values: steps.map((s) => 1 / s) }]]) }]), 'chart');
    expect(png.width).toBeGreaterThan(0);
  });

  it('draws any character it lacks as ?, and cuts long text with …', () => {
    expect(glyph('<')).toEqual(glyph('?'));
    expect(glyph('a')).toEqual(glyph('A'));
    expect(textWidth('ab')).toBe(11);
    expect(fitText('abcdefgh', textWidth('abcd'))).toBe('abc…');
    expect(tickLabel(0.000012345)).toBe('1.23e-5');
    expect(tickLabel(-0.5, 1)).toBe('-0.50');
    // Ticks half a ten-thousandth apart are told apart.
    expect(new Set([3.5551, 3.55515, 3.5552].map((v) => tickLabel(v, 0.00005))).size).toBe(3);
  });
});
