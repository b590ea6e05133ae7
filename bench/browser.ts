/**
 * A benchmark page (by default e2e/harness/bench-train.html, for the benchmarks that time the
 * browser's backends) in headless Chromium: builds the app into e2e/.output/bench-dist, serves it
 * with `vite preview` (COOP/COEP headers, so wasm threads are on), opens the page at `path` (under
 * src/app) and hands it to `fn` once its body says data-ready="true".
 * The server and the browser are stopped however `fn` ends. `extraArgs` go after CHROMIUM_ARGS
 * (bench/gpu.ts: flags that let Chromium use a real GPU).
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/browser-path.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function withBenchPage<T>(fn: (page: Page) => Promise<T>, path = 'harness/bench-train.html', extraArgs: readonly string[] = []): Promise<T> {
  const outDir = `${root}e2e/.output/bench-dist`;
  process.stderr.write('building the benchmark page …\n');
  try {
    execFileSync(process.execPath, ['e2e/harness/build.mjs', outDir], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Only a failed build's output is worth showing (a good one prints dependency deprecation notes).
    throw new Error(`the benchmark page did not build:\n${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`);
  }
  const port = 4000 + Math.floor(Math.random() * 1000);
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', outDir], { cwd: root, stdio: 'ignore', detached: true });
  // The server runs in its own process group: end the whole group however this process ends.
  const stopServer = () => {
    try {
      process.kill(-server.pid!);
    } catch {
      // already gone
    }
  };
  process.once('exit', stopServer);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopServer(), process.exit(130)));
  const { found } = findChromium();
  if (!found) throw new Error('no Chromium found (see e2e/browser-path.mjs)');
  const browser = await chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS, ...extraArgs] });
  try {
    const page = await browser.newPage();
    for (let tries = 0; ; tries++) {
      try {
        await page.goto(`http://127.0.0.1:${port}/${path}`);
        break;
      } catch (e) {
        if (tries > 40) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    return await fn(page);
  } finally {
    await browser.close();
    stopServer();
  }
}
