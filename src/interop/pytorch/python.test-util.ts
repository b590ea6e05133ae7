/**
 * Test helper: runs the fixture scripts on Debian's PyTorch (/usr/bin/python3 with torch). The
 * live-PyTorch tests skip where torch is absent, except under CI (which installs python3-torch),
 * where its absence fails them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = process.env.LGGAN_PYTHON ?? '/usr/bin/python3';
export const FIXTURES = join(import.meta.dirname, 'fixtures');

let available: boolean | undefined;

export function torchAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    available = probe.status === 0;
    if (!available && process.env.CI) throw new Error(`CI needs PyTorch for the checkpoint parity tests: '${PYTHON} -c "import torch"' failed: ${probe.stderr || probe.error}`);
  }
  return available;
}

/** Runs `fixtures/<script>` with args; throws with its stderr when it fails. Returns stdout. */
export function runTorchScript(script: string, args: string[], timeoutMs = 120_000): string {
  const run = spawnSync(PYTHON, [join(FIXTURES, script), ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (run.status !== 0) throw new Error(`${script} failed (status ${run.status}): ${run.stderr || run.error}`);
  return run.stdout;
}
