import { describe, expect, it } from 'vitest';
import { onFilePicked, onFilesPicked } from './pick.ts';

/** A change event of an <input type="file"> that holds `files`, and the input it came from. */
function changeOf(files: File[]): { event: Event; input: { files: File[]; value: string } } {
  const input = { files, value: 'C:\\fakepath\\picked' };
  return { event: { currentTarget: input } as unknown as Event, input };
}

describe('file pick handlers', () => {
  it('hand every picked file on and clear the input, so the same pick fires again', () => {
    const seen: string[][] = [];
    const { event, input } = changeOf([new File(['a'], 'a.png'), new File(['b'], 'b.png')]);
    onFilesPicked((files) => seen.push(files.map((f) => f.name)))(event);
    expect(seen).toEqual([['a.png', 'b.png']]);
    expect(input.value).toBe('');
  });

  it('hand the first file on when one is wanted', () => {
    const seen: string[] = [];
    onFilePicked((file) => seen.push(file.name))(changeOf([new File(['x'], 'x.pth'), new File(['y'], 'y.pth')]).event);
    expect(seen).toEqual(['x.pth']);
  });

  it('call nothing when the pick was cancelled, and still clear the input', () => {
    let calls = 0;
    const { event, input } = changeOf([]);
    onFilePicked(() => calls++)(event);
    expect(calls).toBe(0);
    expect(input.value).toBe('');
  });
});
