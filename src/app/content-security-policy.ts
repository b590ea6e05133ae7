/**
 * The app's Content-Security-Policy, for the dev server, `vite preview` and the built pages.
 *
 * - script-src 'self' 'wasm-unsafe-eval': only the app's own script files, never inline script or
 *   eval; 'wasm-unsafe-eval' lets tfjs compile its WebAssembly. blob: is there for tfjs-wasm's
 *   threads, which start a Web Worker whose script is a Blob of the module factory and
 *   importScripts() another Blob (a worker made from a blob: URL inherits this policy); without
 *   blob: e2e/wasm.spec.ts's threaded runs crash.
 * - style-src-elem 'self': stylesheets are the app's own files (Svelte's and litegraph's CSS is
 *   bundled). style-src-attr 'unsafe-inline': Svelte templates, Rete and litegraph write `style`
 *   attributes; document strings never reach one (colours must parse as colours, see
 *   graph/color.ts), and url() in one could still fetch nothing, as img-src and font-src say.
 * - img-src 'self' data: blob: (sample images and the favicon), font-src 'self' data:,
 *   connect-src 'self' (the wasm binaries and the HMR socket), worker-src 'self' blob: ('self' also
 *   admits public/isolation-sw.js, the service worker that isolates the page on header-less hosts).
 * - object-src, base-uri and form-action 'none'; frame-ancestors 'none' where there are headers
 *   (a <meta> policy cannot say it, so static hosts should send it as a header).
 *
 * The dev server adds 'unsafe-inline' to style-src-elem only: Vite serves CSS as modules that
 * insert <style> elements. The build has no such element, so the built pages carry the strict
 * policy in a <meta http-equiv>, which holds on a static host that sends no headers.
 */
import type { Plugin } from 'vite';

type Directives = Record<string, string[]>;

const BUILD: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'style-src-elem': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

function policy(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy of the built pages (their <meta>): no frame-ancestors, which <meta> cannot carry. */
export const BUILD_POLICY = policy(BUILD);
/** The header `vite preview` sends: the built pages' policy plus frame-ancestors. */
export const PREVIEW_POLICY = policy({ ...BUILD, 'frame-ancestors': ["'none'"] });
/** The header the dev server sends: Vite's CSS modules insert <style> elements. */
export const DEV_POLICY = policy({ ...BUILD, 'style-src-elem': ["'self'", "'unsafe-inline'"], 'frame-ancestors': ["'none'"] });

/** Puts the build policy into every built HTML page as the first element of its <head>. */
export function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'lggan:content-security-policy',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: BUILD_POLICY }, injectTo: 'head-prepend' }],
    },
  };
}
