#!/usr/bin/env node
/**
 * Run first by `npm test`: is there a Chromium for the end-to-end journeys? Prints one line naming
 * the browser, or how to get one (and exits 1).
 */
import { execFileSync } from 'node:child_process';
import { findChromium, HOW_TO_GET_CHROMIUM } from './browser-path.mjs';

const { found, tried } = findChromium();
if (!found) {
  console.error(HOW_TO_GET_CHROMIUM);
  console.error(`  (looked at: ${tried.join('; ')})`);
  process.exit(1);
}

let version = '';
try {
  // Debian's /usr/bin/chromium is a shell wrapper that prints a harmless shell warning on stderr: drop it.
  version = execFileSync(found.path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 }).trim();
} catch {
  // A browser that cannot print its version may still launch; playwright will say if it does not.
}
console.log(`browser: ${version || 'Chromium'} at ${found.path} (${found.source})`);
