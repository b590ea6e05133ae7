import { describe, expect, it } from 'vitest';
import { writePng } from '../formats/png.ts';
import { withTextChunk } from '../formats/png-text.ts';
import { loadGraph } from './load.ts';
import { GRAPH_PNG_KEYWORD, graphTextFromPng, isPng, pngWithGraph } from './png-graph.ts';
import { saveGraph } from './save.ts';
import { sampleDoc } from './test-fixtures.test-util.ts';

const png = () => writePng({ width: 2, height: 2, channels: 4, data: new Uint8Array(16).fill(200) });

describe('a graph in a PNG', () => {
  it('comes back as the same document through the loader', () => {
    const bytes = pngWithGraph(png(), sampleDoc());
    expect(isPng(bytes)).toBe(true);
    const found = graphTextFromPng(bytes, 'out.png');
    expect(found).toMatchObject({ ok: true, source: "out.png (iTXt chunk 'lggan-graph' at offset 33)" });
    const loaded = found.ok ? loadGraph(found.text, { file: found.source }) : undefined;
    expect(loaded?.ok && saveGraph(loaded.doc)).toBe(saveGraph(sampleDoc()));
  });

  it('says plainly when a PNG carries no graph, and names the file when it is damaged', () => {
    expect(graphTextFromPng(png(), 'photo.png')).toEqual({
      ok: false,
      diagnostics: [expect.objectContaining({ code: 'no-graph-in-png', message: expect.stringMatching(/^this PNG carries no LGGAN graph/), where: { file: 'photo.png' } })],
    });
    const bytes = pngWithGraph(png(), sampleDoc());
    bytes[60] ^= 1;
    expect(graphTextFromPng(bytes, 'x.png')).toEqual({
      ok: false,
      diagnostics: [expect.objectContaining({ code: 'bad-png', message: expect.stringMatching(/lggan-graph' at offset 33 fails its CRC check/), where: { file: 'x.png' } })],
    });
  });

  it('hands hostile text to the loader, which refuses it with the file and chunk named', () => {
    const bytes = pngWithGraph(png(), sampleDoc());
    const withBadGraph = withTextChunk(png(), GRAPH_PNG_KEYWORD, JSON.stringify({ ...JSON.parse(saveGraph(sampleDoc())), nodes: 'nope' }));
    const found = graphTextFromPng(withBadGraph, 'evil.png');
    const loaded = found.ok ? loadGraph(found.text, { file: found.source }) : undefined;
    expect(loaded?.ok).toBe(false);
    expect(loaded?.diagnostics[0].where.file).toBe("evil.png (iTXt chunk 'lggan-graph' at offset 33)");
    expect(isPng(bytes.subarray(1))).toBe(false);
  });
});
