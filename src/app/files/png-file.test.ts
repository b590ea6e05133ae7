import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { writePng } from '../../formats/png.ts';
import { pngWithGraph } from '../../graph/png-graph.ts';
import { sampleDoc } from '../../graph/test-fixtures.test-util.ts';
import { openAnyText } from './open-any.ts';
import { readGraphText } from './png-file.ts';

const pixels = () => writePng({ width: 2, height: 1, channels: 3, data: new Uint8Array(6) });
const file = (bytes: Uint8Array | string, name: string) => new File([bytes as BlobPart], name);

describe('readGraphText', () => {
  it('reads JSON files as text and PNGs through their lggan-graph chunk', async () => {
    expect(await readGraphText(file('{"a":1}', 'g.json'))).toEqual({ ok: true, text: '{"a":1}', source: 'g.json' });
    const read = await readGraphText(file(pngWithGraph(pixels(), sampleDoc()), 'out.png'));
    expect(read.ok && read.source).toBe("out.png (iTXt chunk 'lggan-graph' at offset 33)");
    const opened = read.ok ? openAnyText(read.text, read.source, createRegistry()) : undefined;
    expect(opened?.ok && opened.doc.nodes.map((n) => n.id)).toEqual(sampleDoc().nodes.map((n) => n.id));
  });

  it('tells a PNG without a graph apart by content, whatever its name', async () => {
    const read = await readGraphText(file(pixels(), 'photo.json'));
    expect(read).toMatchObject({ ok: false, diagnostics: [{ code: 'no-graph-in-png', where: { file: 'photo.json' } }] });
  });
});
