import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { tempDir } from '../cli.test-util.ts';
import { exportPytorch } from './export-pytorch.ts';
import { commandHelp } from '../help.ts';
import { COMMAND_SPECS } from '../command-specs.ts';

const GRAPH = new URL('../../../graphs/lggan-crossview-dayton-tiny.json', import.meta.url).pathname;

/** The CLI's IO over the real file system, recording what the command prints. */
function recorder(): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')), readFile: (p) => readFile(p, 'utf8') }, out, err };
}

/** Runs the command as main() does: a CliProblem is one `error …` line and exit 1. */
async function run(argv: string[]) {
  const r = recorder();
  try {
    const code = await exportPytorch(argv, createRegistry(), r.io);
    return { code, out: r.out, err: r.err };
  } catch (e) {
    if (!(e instanceof CliProblem)) throw e;
    return { code: EXIT.problems, out: r.out, err: [...r.err, `error ${e.message}`] };
  }
}

describe('lggan export-pytorch', () => {
  it('writes the package to the folder', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'pkg');
      const result = await run([GRAPH, '-o', out]);
      expect(result.code).toBe(EXIT.ok);
      expect(result.out[0]).toMatch(/^LGGAN cross-view \(Dayton a2g\) \(tiny\): wrote \d+ files to /);
      for (const file of ['README.md', 'config.json', 'model.py', 'objective.py', 'train.py', 'forward.py', 'lggan_torch/nodes.py', 'graph.lggan.json']) {
        expect(existsSync(join(out, file)), file).toBe(true);
      }
      expect(readFileSync(join(out, 'model.py'), 'utf8')).toContain('class NetworkD1(GraphNetwork):');
      // A second export into the same, now non-empty folder needs --force, and then gives the same bytes.
      const again = await run([GRAPH, '-o', out]);
      expect(again.code).toBe(EXIT.problems);
      expect(again.err[0]).toMatch(/is not empty; choose a new folder or pass --force/);
      const model = readFileSync(join(out, 'model.py'));
      expect((await run([GRAPH, '--out', out, '--force'])).code).toBe(EXIT.ok);
      expect(readFileSync(join(out, 'model.py')).equals(model)).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('reports a graph that cannot be exported, naming the node, and writes nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const doc = JSON.parse(readFileSync(GRAPH, 'utf8'));
      // A loss with none of its generated-image ports wired.
      doc.edges = doc.edges.filter((e: { to: { node: string; port: string } }) => !(e.to.node === 'g_l1' && e.to.port.startsWith('fake')));
      const file = join(dir, 'broken.json');
      writeFileSync(file, JSON.stringify(doc));
      const result = await run([file, '-o', join(dir, 'pkg')]);
      expect(result.code).toBe(EXIT.problems);
      expect(result.err.at(-1)).toMatch(/^error .*broken\.json: the graph has errors; fix them before exporting:\n  node 'g_l1': no generated image is connected/);
      expect(existsSync(join(dir, 'pkg'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('names a node of a type this build does not know', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const doc = JSON.parse(readFileSync(GRAPH, 'utf8'));
      doc.nodes.find((n: { id: string }) => n.id === 'out_attention').type = 'lggan/not-a-node';
      const file = join(dir, 'unknown.json');
      writeFileSync(file, JSON.stringify(doc));
      const result = await run([file, '-o', join(dir, 'pkg')]);
      expect(result.code).toBe(EXIT.problems);
      expect(result.err.at(-1)).toContain("node 'out_attention' (lggan/not-a-node) cannot be exported to PyTorch");
    } finally {
      cleanup();
    }
  });

  it('reports usage mistakes', async () => {
    await expect(run([GRAPH])).rejects.toThrow(new UsageError('export-pytorch needs -o DIR (the package folder)'));
    await expect(run(['-o', 'x'])).rejects.toThrow(UsageError);
    expect(commandHelp(COMMAND_SPECS['export-pytorch'])).toMatch(/^usage: lggan export-pytorch GRAPH \[options\]\n[\s\S]*\n  -o, --out DIR +the package folder \(required\)\n/);
    const missing = await run(['no-such-graph.json', '-o', 'x']);
    expect(missing.code).toBe(EXIT.problems);
    expect(missing.err[0]).toBe("error cannot read 'no-such-graph.json': no such file");
  });
});
