/** Shared by the CLI tests: an IO recorder over the real file system, temp dirs and small graphs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveGraph } from '../graph/save.ts';
import { tinyGanGraph } from '../runtime/training/tiny-gan.test-util.ts';
import type { CliIO } from './io.ts';
import { main } from './main.ts';

export interface Recorded {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the CLI with a recorder; `extra` adds IO members (isTTY, onInterrupt …). */
export async function cli(argv: string[], extra: Partial<CliIO> & { onErr?: (line: string) => void } = {}): Promise<Recorded> {
  const out: string[] = [];
  const err: string[] = [];
  const { onErr, ...members } = extra;
  const io: CliIO = {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => {
      err.push(...l.split('\n'));
      onErr?.(l);
    },
    readFile: (path) => readFile(path, 'utf8'),
    ...members,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'lggan-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The training fixture's graph as a file the CLI can load: its test-only pass-through node (not in
 * the shipped registry) is left out and gen2 wired straight into tanh.
 */
export function writeTinyGan(dir: string): string {
  const doc = tinyGanGraph();
  doc.nodes = doc.nodes.filter((n) => n.id !== 'compat');
  doc.edges = doc.edges.filter((e) => e.to.node !== 'compat').map((e) => (e.from.node === 'compat' ? { ...e, from: { node: 'gen2', port: 'y' } } : e));
  const file = join(dir, 'tiny-gan.json');
  writeFileSync(file, saveGraph(doc));
  return file;
}

/**
 * The shipped tiny LGGAN Cityscapes graph with 3 classes and ngf = ndf = 2: every LGGAN output
 * (final, global, local, attention, per-class images) with a forward pass of about a second.
 */
export function writeTinyLggan(dir: string, numClasses = 3): string {
  const doc = JSON.parse(readFileSync(new URL('../../graphs/lggan-cityscapes-tiny.json', import.meta.url), 'utf8'));
  Object.assign(doc.template, { num_classes: numClasses, ngf: 2, ndf: 2 });
  const file = join(dir, `lggan-${numClasses}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** losses.csv as rows of cells, header first; `withoutMs` drops the timing column. */
export function readCsv(path: string, options: { withoutMs?: boolean } = {}): string[][] {
  const rows = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  const ms = rows[0].indexOf('ms');
  return options.withoutMs ? rows.map((r) => r.filter((_, i) => i !== ms)) : rows;
}
