/** run.json's strict reader, the run folder's log parsers and the comparison table's escaping (page-safe modules). */
import { describe, expect, it } from 'vitest';
import { csvCell, markdownCell } from './comparison.ts';
import { jsonDepth, parseRunFile, parseRunFileText, RUN_FILE_LIMITS, runFileJson, type RunFile } from './run-file.ts';
import { lastHeldOut, parseLossesCsv, parseMetricsJsonl } from './run-folder-parse.ts';

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

  it('reads every evaluation from metrics.jsonl; the last one shown is the last fully finite one', () => {
    const text = '{"step":1,"count":2,"psnr":10,"ssim":0.1,"sd":5}\n\n{"step":2,"count":2,"psnr":11,"ssim":0.2,"sd":6}\n{"step":3,"count":2,"psnr":null,"ssim":0.3,"sd":7}\n';
    const points = parseMetricsJsonl(text, 'm');
    expect(points).toEqual([
      { step: 1, count: 2, psnr: 10, ssim: 0.1, sd: 5 },
      { step: 2, count: 2, psnr: 11, ssim: 0.2, sd: 6 },
      { step: 3, count: 2, psnr: null, ssim: 0.3, sd: 7 },
    ]);
    expect(lastHeldOut(points)).toEqual(points[1]);
    expect(parseMetricsJsonl('', 'm')).toEqual([]);
    expect(lastHeldOut([])).toBeUndefined();
  });

  it('names the line and field of a bad metrics.jsonl', () => {
    expect(() => parseMetricsJsonl('{"step":1}\n', 'm')).toThrow("m:1: field 'count' must be a whole number ≥ 0, got nothing");
    expect(() => parseMetricsJsonl('{"step":1,"count":1,"psnr":1,"ssim":1,"sd":1}\n{"step":0,"count":1}\n', 'm')).toThrow("m:2: field 'step' must be a whole number ≥ 1, got 0");
    expect(() => parseMetricsJsonl('{"step":1,"count":1,"psnr":"<b>","ssim":1,"sd":1}\n', 'm')).toThrow(`m:1: field 'psnr' must be a number or null, got "<b>"`);
    expect(() => parseMetricsJsonl('[1]\n', 'm')).toThrow('m:1: expected an object with step, count, psnr, ssim and sd');
    expect(() => parseMetricsJsonl('{"step":\n', 'm')).toThrow('m:1: not JSON');
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

