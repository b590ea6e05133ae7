/**
 * Two Gloo processes under torch.distributed.run (torchrun) train the exported Cityscapes tiny graph
 * for 3 iterations on synthetic data; the checkpoint they write loads strictly into the studio's
 * program (weights and Adam state), the studio generates with it, and the package's forward on
 * the same weights gives the same images.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { compileProgram } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { sampleFeeds } from '../../compiler/sample-inputs.ts';
import { loadCheckpoint } from '../../runtime/checkpoint/index.ts';
import { compileTraining } from '../../runtime/training/index.ts';
import { maxAbsDiff, readOutputs, reducedCityscapes, requireTorch, runPython, tempDir, writeFeeds, writePackage } from './parity.test-util.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('torchrun DDP training of an exported graph', () => {
  it('trains 3 iterations on 2 CPU processes and the studio imports the checkpoint', { timeout: 600_000 }, async () => {
    requireTorch();
    const { dir, cleanup } = tempDir();
    const doc = reducedCityscapes();
    const before = tf.memory().numTensors;
    try {
      writePackage(doc, dir);
      const port = await freePort();
      // --redirects/--tee 2: Debian's torch 1.13 on Python 3.11 cannot parse the default 0 (an IntFlag change).
      const log = runPython(dir, [
        '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', String(port), '--redirects', '2', '--tee', '2',
        'train.py', '--synthetic', '4', '--steps', '3', '--batch-size', '2', '--device', 'cpu', '--out', 'run',
      ]);
      expect(log).toContain('2 processes on cpu, batch 1 x 2');
      expect(log).toContain('iteration 3/3');
      expect(log).toContain('the 2 replicas hold the same weights');
      const csv = readFileSync(join(dir, 'run', 'losses.csv'), 'utf8').trim().split('\n');
      expect(csv[0]).toBe('step,lrG,lrD,g_adv,g_feat,g_class_l1,g_class_ce,d_adv,gTotal,dTotal,ms');
      expect(csv.slice(1).map((row) => row.split(',')[0])).toEqual(['1', '2', '3']);
      for (const row of csv.slice(1)) for (const cell of row.split(',')) expect(Number.isFinite(Number(cell)), row).toBe(true);

      const checkpoint = join(dir, 'run', 'checkpoints', 'step-000003.safetensors');
      const program = compileProgram(resolveGraph(doc, createRegistry(), { batch: 1 }));
      const run = compileTraining(program, { stepsPerEpoch: 2 });
      const feeds = sampleFeeds(program, 3);
      try {
        const report = loadCheckpoint(program, new Uint8Array(readFileSync(checkpoint)), { optimizer: run });
        expect(report.loaded.sort()).toEqual([...program.variables.keys()].sort());
        expect(report.sameGraph).toBe(true);
        expect(report.record?.step).toBe(3);
        expect(report.optimizer).toContain('optimizer.G.encoder.conv1.weight.m');
        expect(run.updates).toEqual({ G: 3, D: 3 });
        expect(run.stepCount).toBe(3);

        // The studio generates with the trained weights, and agrees with the package's forward.
        writeFeeds(join(dir, 'feeds.safetensors'), feeds);
        runPython(dir, ['forward.py', '--feeds', 'feeds.safetensors', '--weights', checkpoint, '--out', 'out.safetensors']);
        const theirs = readOutputs(join(dir, 'out.safetensors'));
        const ours = program.run(feeds, { outputs: ['out_final', 'out_global', 'out_local'] });
        try {
          for (const [node, t] of Object.entries(ours)) {
            expect(t.shape).toEqual([1, 64, 128, 3]);
            expect(Array.from(t.dataSync()).every(Number.isFinite), node).toBe(true);
            expect(maxAbsDiff(t, theirs.get(node)!), node).toBeLessThan(1e-4);
          }
        } finally {
          tf.dispose(Object.values(ours));
        }
      } finally {
        tf.dispose(Object.values(feeds));
        run.dispose();
        program.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      cleanup();
    }
  });
});
