/**
 * The exported package's extras, run with Debian's PyTorch: train.py's losses.csv has the columns
 * of `lggan train` and the studio's run-folder parser reads it; --tensorboard says clearly when
 * TensorBoard is missing (or logs when it is there); export_onnx.py writes the generator as ONNX
 * and runs onnx's checker when onnx is importable, else says it skipped it; requirements.txt
 * names what the code imports.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lossColumns } from '../../cli/train/logs.ts';
import { parseLossesCsv } from '../../runs/run-folder-parse.ts';
import { PYTHON, readShippedGraph, reducedCityscapes, requireTorch, runPython, tempDir, writePackage } from './parity.test-util.ts';

const importable = (module: string) => spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;

describe('the exported package: losses.csv, TensorBoard, ONNX, requirements', () => {
  it('trains with losses.csv in the CLI\'s columns, and exports the trained generator to ONNX', { timeout: 300_000 }, () => {
    requireTorch();
    const { dir, cleanup } = tempDir();
    try {
      writePackage(reducedCityscapes(), dir);
      const losses = ['g_adv', 'g_feat', 'g_class_l1', 'g_class_ce', 'd_adv'];
      runPython(dir, ['train.py', '--synthetic', '2', '--steps', '2', '--batch-size', '1', '--device', 'cpu', '--out', 'run']);
      const csv = readFileSync(join(dir, 'run', 'losses.csv'), 'utf8');
      expect(csv.split('\n')[0]).toBe(lossColumns(losses).join(','));
      const { curves, lastStep } = parseLossesCsv(csv, 'losses.csv', losses);
      expect(lastStep).toBe(2);
      for (const name of losses) expect(curves.get(name)?.steps, name).toEqual([1, 2]);
      for (const row of csv.trim().split('\n').slice(1)) {
        const cells = row.split(',');
        expect(cells).toHaveLength(lossColumns(losses).length);
        for (const cell of cells) expect(Number.isFinite(Number(cell)) && cell !== '', row).toBe(true);
      }

      // ONNX of the trained generator: every output node of G, fed the graph's inputs at its size.
      const log = runPython(dir, ['export_onnx.py', '--out', 'g.onnx', '--weights', join('run', 'checkpoints', 'step-000002.safetensors')]);
      expect(log).toContain("wrote g.onnx: network 'G', inputs labels [1, 2, 64, 128]");
      expect(log).toContain('outputs out_final, out_global, out_local, out_attention, opset 17');
      expect(log).toContain(importable('onnx') ? 'onnx.checker.check_model: g.onnx is valid' : 'onnx is not installed: the ONNX checker was skipped');
      const onnx = readFileSync(join(dir, 'g.onnx'));
      expect(onnx.length).toBeGreaterThan(10_000);
      expect(onnx.includes(Buffer.from('out_attention'))).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('--tensorboard logs where TensorBoard is installed and exits with a clear message where it is not', { timeout: 120_000 }, () => {
    requireTorch();
    const { dir, cleanup } = tempDir();
    try {
      writePackage(reducedCityscapes(), dir);
      const args = ['train.py', '--synthetic', '1', '--steps', '1', '--batch-size', '1', '--device', 'cpu', '--out', 'run', '--tensorboard', 'tb'];
      if (importable('torch.utils.tensorboard')) {
        runPython(dir, args);
        expect(existsSync(join(dir, 'tb'))).toBe(true);
      } else {
        expect(() => runPython(dir, args)).toThrow('--tensorboard needs the tensorboard package (pip install tensorboard)');
        expect(existsSync(join(dir, 'tb'))).toBe(false);
        expect(existsSync(join(dir, 'run'))).toBe(false); // it stopped before doing anything
      }
    } finally {
      cleanup();
    }
  });

  it('exports a generator without a trainer, and lists requirements with floors', { timeout: 120_000 }, () => {
    requireTorch();
    const { dir, cleanup } = tempDir();
    try {
      const files = writePackage(readShippedGraph('tiny-pix2pix.json'), dir);
      const requirements = String(files.get('requirements.txt'));
      expect(requirements.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['torch>=1.13', 'numpy>=1.19', 'pillow>=8.0']);
      const log = runPython(dir, ['export_onnx.py', '--out', 'tiny.onnx']);
      expect(log).toContain("wrote tiny.onnx: network 'G', inputs labels [1, 6, 32, 32], outputs fake, opset 17");
      expect(statSync(join(dir, 'tiny.onnx')).size).toBeGreaterThan(4 * 15_147);
      expect(() => runPython(dir, ['export_onnx.py', '--network', 'nope'])).toThrow("no network 'nope' in this graph (it has G, D)");
    } finally {
      cleanup();
    }
  });
});
