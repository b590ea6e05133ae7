/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { selfContainedWasmThreads } from './src/runtime/wasm/vite-plugin.ts';
import { contentSecurityPolicyMeta, DEV_POLICY, PREVIEW_POLICY } from './src/app/content-security-policy.ts';
import { litegraphCoreOnly } from './src/app/litegraph/vite-plugin.ts';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

// Cross-origin isolation (SharedArrayBuffer), which the tfjs wasm backend needs for threads. Every
// resource the app loads is its own, so require-corp blocks nothing. A static host should send these too;
// where it cannot, public/isolation-sw.js adds them (README, Hosting the build).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// The app's index.html lives in src/app so that the repository's top level stays as the product
// card fixes it; vitest runs from the repository root.
export default defineConfig({
  root: 'src/app',
  // Relative URLs throughout the build, so dist/ works from any sub-path of any static host.
  base: './',
  publicDir: `${repoRoot}public`,
  plugins: [svelte({ preprocess: vitePreprocess() }), selfContainedWasmThreads(), contentSecurityPolicyMeta(), litegraphCoreOnly()],
  // The dev server pre-bundles litegraph.js: it loses its demo nodes there too (see the plugin).
  optimizeDeps: { rolldownOptions: { plugins: [litegraphCoreOnly()] } },
  // rete-svelte-plugin's stylesheets use Sass @import, deprecated in Dart Sass: not ours to change.
  css: { preprocessorOptions: { scss: { silenceDeprecations: ['import', 'global-builtin', 'color-functions'] } } },
  // Workers are bundled apart: the training and generation workers run tfjs-wasm too.
  worker: { plugins: () => [selfContainedWasmThreads()] },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, fs: { allow: [repoRoot] }, headers: { ...isolation, 'Content-Security-Policy': DEV_POLICY } },
  preview: { host: '127.0.0.1', port: 4173, headers: { ...isolation, 'Content-Security-Policy': PREVIEW_POLICY } },
  build: {
    outDir: `${repoRoot}dist`,
    emptyOutDir: true,
    target: 'es2022',
    // The app alone: the diagnostics pages the tests drive build apart (e2e/harness/).
    rolldownOptions: { input: { main: `${repoRoot}src/app/index.html` } },
  },
  test: {
    root: repoRoot,
    include: ['src/**/*.test.ts', 'nodes/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    // One worker per core: the slow tests are single-threaded tfjs-cpu work.
    maxWorkers: availableParallelism(),
    setupFiles: ['src/test-setup.ts'],
  },
});
