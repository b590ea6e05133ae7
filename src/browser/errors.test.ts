import { describe, expect, it } from 'vitest';
import { OpenProgramError } from '../compiler/open-program.ts';
import { error } from '../graph/diagnostics.ts';
import { DatasetError, FeedError } from '../runtime/data/errors.ts';
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
    // A graph refused at the door: over the memory budget is a settings problem, anything else the graph's.
    expect(toRunError(new OpenProgramError('memory', [error('memory', 'needs 9 GiB; 4 GiB fit')]))).toEqual({ kind: 'spec', message: 'needs 9 GiB; 4 GiB fit' });
    expect(toRunError(new OpenProgramError('resolve', [error('unwired', 'input x is not wired', { node: 'conv' })]))).toMatchObject({ kind: 'graph', message: expect.stringContaining('conv') });
    expect(toRunError('boom')).toEqual({ kind: 'internal', message: 'boom' });
  });
});
