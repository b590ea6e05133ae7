/**
 * The diagnostics pages the e2e journeys and the browser benchmarks drive (training, gradients,
 * run panel, litegraph view, runs charts, benchmark page), built apart from the app so that
 * `npm run build` ships the app alone. The app's config with this folder as the root, served under
 * /harness/ beside the app's build (e2e/harness/build.mjs builds both).
 */
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';
import app from '../../vite.config.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const page = (name: string) => `${here}${name}.html`;
const base = app as UserConfig;

export default {
  ...base,
  root: here,
  base: '/harness/',
  // The app's build beside it already holds the public files.
  publicDir: false,
  build: {
    ...base.build,
    // Set with --outDir beside the app's build (build.mjs).
    outDir: `${here}../.output/harness-dist`,
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        training: page('test-harness'),
        gradients: page('gradient-harness'),
        runPanel: page('run-panel-harness'),
        benchTrain: page('bench-train'),
        litegraph: page('litegraph-harness'),
        runsCompare: page('runs-compare-harness'),
      },
    },
  },
} satisfies UserConfig;
