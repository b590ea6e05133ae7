import { afterEach, describe, expect, it, vi } from 'vitest';
import { baselineRow, parseTiming } from './pytorch-baseline.ts';

describe('baselineRow', () => {
  it('prints absolute times only without a baseline', () => {
    const row = baselineRow('G forward', { wall: 2820.4, cpu: 2790 }, undefined);
    expect(row).toContain('studio    2820 ms (cpu 2790 ms)');
    expect(row).not.toContain('PyTorch');
    expect(row).not.toContain('×');
  });

  it('prints PyTorch at 1 thread and every core with studio ÷ PyTorch ratios, wall and cpu', () => {
    const row = baselineRow('G forward', { wall: 2820, cpu: 2800 }, { threads: 2, single: { wall: 1880, cpu: 1870 }, all: { wall: 1410, cpu: 2700 } });
    expect(row).toContain('PyTorch 1 thread    1880 ms ×1.50 (cpu ×1.50)');
    expect(row).toContain('PyTorch 2 threads    1410 ms ×2.00 (cpu ×1.04)');
  });

  it('leaves out the every-core column on a 1-core machine and cpu ratios when the studio has no cpu time', () => {
    const row = baselineRow('training', { wall: 900 }, { threads: 1, single: { wall: 150, cpu: 150 } });
    expect(row).toContain('studio     900 ms  PyTorch 1 thread     150 ms ×6.00');
    expect(row).not.toContain('cpu');
    expect(row).not.toContain('threads');
  });
});

describe('parseTiming', () => {
  it('reads the JSON of the last line, after whatever torch printed before it', () => {
    expect(parseTiming('a warning\n{"wall": 12.5, "cpu": 20}\n', '/tmp/x')).toEqual({ wall: 12.5, cpu: 20 });
  });

  it('names the script and shows what it got when the line is not a timing', () => {
    expect(() => parseTiming('Traceback …', '/tmp/x')).toThrow("/tmp/x/bench_baseline.py: expected a JSON timing on its last line, got 'Traceback …'");
    expect(() => parseTiming('{"wall": -1, "cpu": 2}', '/tmp/x')).toThrow("needs non-negative numbers 'wall' and 'cpu'");
    expect(() => parseTiming('{"ms": 5}', '/tmp/x')).toThrow("needs non-negative numbers 'wall' and 'cpu'");
    expect(() => parseTiming('null', '/tmp/x')).toThrow("needs non-negative numbers");
  });
});

describe('findTorch', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('says why, naming the Python, when torch cannot be imported', async () => {
    vi.stubEnv('LGGAN_PYTHON', '/nonexistent/python3');
    vi.resetModules();
    const { findTorch } = await import('./pytorch-baseline.ts');
    const found = findTorch();
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.reason).toMatch(/PyTorch is missing: '\/nonexistent\/python3 -c "import torch"' failed/);
  });
});
