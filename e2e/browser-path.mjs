/**
 * Where is a Chromium to drive? Shared by `check-browser.mjs` (run first by `npm test`) and
 * `playwright.config.ts`, so both agree.
 *
 * Order: env CHROMIUM_PATH, then Debian/Ubuntu's /usr/bin/chromium, then playwright's own
 * downloaded Chromium (`npx playwright install chromium`) when it is present on disk.
 */
import { existsSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** @typedef {{ path: string; source: 'CHROMIUM_PATH' | 'system' | 'playwright' }} FoundBrowser */

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * An explicit CHROMIUM_PATH that names no file is an error (found: null), not a silent fallback.
 * @param {{ env?: NodeJS.ProcessEnv; systemPath?: string }} [options]
 * @returns {{ found: FoundBrowser | null; tried: string[] }}
 */
export function findChromium({ env = process.env, systemPath = '/usr/bin/chromium' } = {}) {
  const tried = [];
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    if (isFile(fromEnv)) return { found: { path: fromEnv, source: 'CHROMIUM_PATH' }, tried };
    return { found: null, tried: [`CHROMIUM_PATH=${fromEnv} (no such file)`] };
  }
  const system = systemPath;
  if (isFile(system)) return { found: { path: system, source: 'system' }, tried };
  tried.push(`${system} (absent)`);
  let own = '';
  try {
    own = chromium.executablePath();
  } catch {
    // playwright-core throws when it knows no build for this platform.
  }
  if (own && existsSync(own) && isFile(own)) return { found: { path: own, source: 'playwright' }, tried };
  tried.push(own ? `${own} (playwright's Chromium, not downloaded)` : "playwright's Chromium (unknown for this platform)");
  return { found: null, tried };
}

export const HOW_TO_GET_CHROMIUM = [
  'No Chromium found for the end-to-end tests.',
  '  Debian/Ubuntu:  sudo apt-get install -y chromium',
  '  elsewhere:      npx playwright install chromium',
  '  or point CHROMIUM_PATH at a Chromium or Chrome executable.',
].join('\n');

/** Flags every launch uses: WebGPU on (SwiftShader where there is no GPU), quiet, offline-safe. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
