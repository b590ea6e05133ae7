import { describe, expect, it } from 'vitest';
import { DatasetError, FeedError } from '../data/errors.ts';
import { BackendUnavailableError } from './backend.ts';
import { RunSetupError, toRunError } from './errors.ts';

describe('toRunError', () => {
  it('keeps what the page acts on: the dataset file, the input node, the backend attempts', () => {
    expect(toRunError(new DatasetError('decode', 'train/a.png', 'is not a PNG or JPEG'))).toEqual({ kind: 'dataset', message: 'train/a.png: is not a PNG or JPEG', file: 'train/a.png', code: 'decode' });
    expect(toRunError(new FeedError('real', 'needs field real'))).toEqual({ kind: 'feed', message: "input node 'real': needs field real", node: 'real' });
    const attempts = [{ name: 'webgpu' as const, ok: false, reason: 'no adapter' }];
    expect(toRunError(new BackendUnavailableError('webgpu', attempts))).toMatchObject({ kind: 'backend', attempts });
    expect(toRunError(new RunSetupError('checkpoint', 'no autosave'))).toEqual({ kind: 'checkpoint', message: 'no autosave' });
    expect(toRunError(new TypeError('x is undefined'))).toMatchObject({ kind: 'internal', message: 'TypeError: x is undefined' });
    expect(toRunError('boom')).toEqual({ kind: 'internal', message: 'boom' });
  });
});
