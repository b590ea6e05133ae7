/**
 * Benchmark: from a param edit to a ready program with the weights carried over, for the
 * full-size Cityscapes graph (graphs/lggan-cityscapes.json, ~117 M parameters): the target
 * is under 1 s besides the weight upload itself.
 *
 * Setup (not timed): compile the graph with its init and write its checkpoint to memory
 * (saveCheckpoint). Then an edit elsewhere (default: g_feat's loss weight 10 → 5; `--edit upsampling`
 * switches the local trunk to SAU, so that node's weights are re-initialised) and, timed:
 *   resolve → compile (with the graph's init) → read the checkpoint → carryOver.
 * compileProgram draws every variable's initial values in JS and uploads them (tf.variable) as it
 * builds; that part is measured by replaying the same draws and uploads for the compiled
 * program's variables (a normal draw per element of each weight of rank ≥ 2, zeros for the
 * rest: the same work as the init, not its exact values), and the rest of compile is the
 * difference. carryOver's own time is mostly assigning the file's values (an upload too).
 * Then the same again with compileProgram's `assignedAfter: carriedVariables(file)`, which skips
 * the init draws of every variable the carry-over overwrites (the checkpoint is read first).
 *
 *   npm run bench:variants [-- --backend cpu|wasm] [--edit loss-weight|upsampling] [--repeat N]
 *   npm run bench:variants -- --compare-view [--runs 10 --steps 1000 --terms 5 --loads 5]
 *       the other variants benchmark instead: the Compare view's loss charts in Chromium
 *       (bench/compare-view.ts, a browser bench of its own)
 *
 * Not a test: nothing fails on time. Node's tfjs backends only (the browser's upload costs differ).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../nodes/index.ts';
import { initialValues } from '../src/compiler/init.ts';
import { compileProgram, type Program } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { DEFAULT_INIT, type GraphDocument } from '../src/graph/document.ts';
import { loadGraph } from '../src/graph/load.ts';
import { carriedVariables, carryOver } from '../src/runtime/checkpoint/carry.ts';
import { saveCheckpoint } from '../src/runtime/checkpoint/checkpoint.ts';
import { runRecordFor } from '../src/runtime/checkpoint/record.ts';
import { readSafetensors } from '../src/formats/safetensors.ts';
import { initNodeBackend, parseNodeBackend, tf } from '../src/runtime/tf-node.ts';

const args = process.argv.slice(2);
if (args.includes('--compare-view')) {
  await import('./compare-view.ts');
  process.exit(0);
}
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const backend = parseNodeBackend(flag('--backend') ?? 'cpu', '--backend');
const repeat = Number(flag('--repeat') ?? 1);
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error('--repeat must be a whole number ≥ 1');
const EDITS = {
  'loss-weight': { node: 'g_feat', param: 'weight', value: 5 },
  upsampling: { node: 'trunk', param: 'upsampling', value: 'sau' },
} as const;
const editName = (flag('--edit') ?? 'loss-weight') as keyof typeof EDITS;
if (!(editName in EDITS)) throw new Error(`unknown --edit '${editName}': use ${Object.keys(EDITS).join(', ')}`);

const registry = createRegistry();
const file = 'graphs/lggan-cityscapes.json';
const loaded = loadGraph(readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), 'utf8'), { registry, file });
if (!loaded.ok) throw new Error(`${file} does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
const full = loaded.doc;

function edited(doc: GraphDocument): GraphDocument {
  const { node, param, value } = EDITS[editName];
  const copy = structuredClone(doc);
  const target = copy.nodes.find((n) => n.id === node);
  if (!target) throw new Error(`${file} has no node '${node}'`);
  target.params[param] = value;
  return copy;
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (v: number) => `${v.toFixed(0).padStart(7)} ms`;

/** The init's work for `program`'s variables, replayed: JS draws, then upload into tf variables (disposed). */
function replayInit(program: Program): { draw: number; upload: number } {
  const settings = program.init;
  let draw = 0;
  let upload = 0;
  for (const info of program.variableInfo.values()) {
    const size = info.shape.reduce((a, b) => a * b, 1);
    let t0 = performance.now();
    const values = initialValues(info.shape.length >= 2 ? { kind: 'weight', fanIn: info.shape[0], fanOut: info.shape.at(-1)! } : { kind: 'zeros' }, size, settings, info.name);
    draw += ms(t0);
    t0 = performance.now();
    const initial = tf.tensor(values, info.shape);
    const v = tf.variable(initial, false);
    initial.dispose();
    v.dispose();
    upload += ms(t0);
  }
  return { draw, upload };
}

await initNodeBackend(backend);
console.log(`${file} on Node tfjs-${tf.getBackend()}; edit: ${editName} (${JSON.stringify(EDITS[editName])})`);

let t0 = performance.now();
const original = compileProgram(resolveGraph(full, registry, { batch: 1 }), { init: { ...(full.init ?? DEFAULT_INIT) } });
const setupCompile = ms(t0);
t0 = performance.now();
const bytes = await saveCheckpoint(original, { record: runRecordFor(original, { nodePackVersion: 'bench' }) });
const setupSave = ms(t0);
const variables = original.variableInfo.size;
original.dispose();
console.log(`setup (not timed below): compile ${setupCompile.toFixed(0)} ms, checkpoint ${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB in ${setupSave.toFixed(0)} ms, ${variables} variables`);

for (let round = 1; round <= repeat; round++) {
  const doc = edited(full);
  let t = performance.now();
  const ir = resolveGraph(doc, registry, { batch: 1 });
  const resolve = ms(t);
  t = performance.now();
  const program = compileProgram(ir, { init: { ...(doc.init ?? DEFAULT_INIT) } });
  const compile = ms(t);
  t = performance.now();
  const parsed = readSafetensors(bytes);
  const read = ms(t);
  t = performance.now();
  const report = carryOver(program, parsed);
  const carry = ms(t);
  const total = resolve + compile + read + carry;
  const init = replayInit(program);
  program.dispose();

  const initialisation = init.draw + init.upload;
  const compileRest = compile - initialisation; // an estimate: negative when the replay's noise exceeds it
  const uploads = initialisation + carry;
  const besides = Math.max(0, total - uploads);
  console.log(`\nround ${round}: edit → ready program with weights carried: ${fmt(total)}`);
  console.log(`  resolve                                 ${fmt(resolve)}`);
  console.log(`  compile                                 ${fmt(compile)}`);
  console.log(`    init draws (JS random, replayed)      ${fmt(init.draw)}`);
  console.log(`    init upload (tf.variable, replayed)   ${fmt(init.upload)}`);
  console.log(`    rest of compile (build, est.)         ${fmt(compileRest)}`);
  console.log(`  read checkpoint (safetensors parse)     ${fmt(read)}`);
  console.log(`  carryOver (assign = upload, report)     ${fmt(carry)}`);
  console.log(`  carried: ${report.totals.kept} kept, ${report.totals.reinitialised} re-initialised, ${report.totals.dropped} dropped`);
  console.log(`  weight initialisation + upload: ${fmt(uploads)} (${((uploads / total) * 100).toFixed(0)}%); everything else: ${fmt(besides)} (target < 1000 ms)`);

  t = performance.now();
  const ir2 = resolveGraph(doc, registry, { batch: 1 });
  const resolve2 = ms(t);
  t = performance.now();
  const file2 = readSafetensors(bytes);
  const read2 = ms(t);
  t = performance.now();
  const lazy = compileProgram(ir2, { init: { ...(doc.init ?? DEFAULT_INIT) }, assignedAfter: carriedVariables(file2) });
  const compile2 = ms(t);
  t = performance.now();
  const report2 = carryOver(lazy, file2);
  const carry2 = ms(t);
  lazy.dispose();
  const total2 = resolve2 + read2 + compile2 + carry2;
  console.log(`\nround ${round}, compile with assignedAfter (carried variables skip their init): ${fmt(total2)}`);
  console.log(`  resolve ${fmt(resolve2)} · read checkpoint ${fmt(read2)} · compile ${fmt(compile2)} · carryOver ${fmt(carry2)}`);
  console.log(`  carried: ${report2.totals.kept} kept, ${report2.totals.reinitialised} re-initialised, ${report2.totals.dropped} dropped`);
  console.log(`  ${(total / total2).toFixed(1)}× faster than with the full init`);
}
