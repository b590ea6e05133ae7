// Builds the app and, under harness/ in the same folder, the diagnostics pages (e2e/harness/vite.config.ts):
// what the e2e journeys and the browser benchmarks serve with `vite preview --outDir OUT`.
//   node e2e/harness/build.mjs OUT
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node e2e/harness/build.mjs OUT_DIR\n');
  process.exit(2);
}
const vite = (args) => execFileSync('npx', ['vite', 'build', '--logLevel', 'error', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
vite(['--outDir', out]);
vite(['-c', 'e2e/harness/vite.config.ts', '--outDir', `${out}/harness`]);
