import { describe, expect, it } from 'vitest';
import { SAVE_FORMATS, pytorchZipName, saveBaseName, saveFileName, slug, stripGraphExtension } from './save-format.ts';

describe('save formats and file names', () => {
  it('offers our format and litegraph JSON, both as JSON files', () => {
    expect(Object.keys(SAVE_FORMATS)).toEqual(['lggan', 'litegraph']);
    expect(SAVE_FORMATS.lggan.extension).toBe('.lggan.json');
    expect(SAVE_FORMATS.litegraph.extension).toBe('.litegraph.json');
    for (const info of Object.values(SAVE_FORMATS)) expect(info.accept).toContain('.json');
  });

  it('strips any graph extension from a file name', () => {
    expect(stripGraphExtension('city.lggan.json')).toBe('city');
    expect(stripGraphExtension('city.litegraph.json')).toBe('city');
    expect(stripGraphExtension('workflow.JSON')).toBe('workflow');
    expect(stripGraphExtension('notes.txt')).toBe('notes.txt');
  });

  it('names a save after the file the graph came from, else after the graph', () => {
    expect(saveFileName('lggan-cityscapes-tiny.json', 'LGGAN Cityscapes (tiny)', 'lggan')).toBe('lggan-cityscapes-tiny.lggan.json');
    expect(saveFileName('lggan-cityscapes-tiny.json', 'LGGAN Cityscapes (tiny)', 'litegraph')).toBe('lggan-cityscapes-tiny.litegraph.json');
    expect(saveFileName('comfy-workflow.json', 'whatever', 'lggan')).toBe('comfy-workflow.lggan.json');
    expect(saveFileName('mine.lggan.json', 'x', 'litegraph')).toBe('mine.litegraph.json');
    expect(saveFileName('share link', 'LGGAN Cityscapes (tiny)', 'lggan')).toBe('LGGAN-Cityscapes-tiny.lggan.json');
    expect(saveFileName('library: My graph', 'My graph', 'litegraph')).toBe('My-graph.litegraph.json');
    expect(saveBaseName('new graph', '')).toBe('graph');
  });

  it('makes file-system-safe names that are never empty or hidden', () => {
    expect(slug('LGGAN Cityscapes — fixed-fusion (tiny)')).toBe('LGGAN-Cityscapes-fixed-fusion-tiny');
    expect(slug('../../etc/passwd')).toBe('etc-passwd');
    expect(slug('.hidden')).toBe('hidden');
    expect(slug('———')).toBe('graph');
  });

  it('names the PyTorch zip after the graph', () => {
    expect(pytorchZipName('LGGAN Cityscapes (tiny)')).toBe('LGGAN-Cityscapes-tiny-pytorch.zip');
    expect(pytorchZipName('tiny pix2pix')).toBe('tiny-pix2pix-pytorch.zip');
    expect(pytorchZipName('')).toBe('graph-pytorch.zip');
  });
});
