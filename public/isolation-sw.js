// Service worker for static hosts that cannot send headers (see isolation-boot.js, which registers
// it): it re-serves every same-origin response of the app with the two headers that make a page
// cross-origin isolated, so tfjs-wasm gets SharedArrayBuffer and runs with threads.
// Cross-origin requests pass through untouched: the app makes none.
const ISOLATION_HEADERS = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Embedder-Policy', 'require-corp'],
];

self.addEventListener('install', () => self.skipWaiting());
// Take the open page at once: isolation-boot.js reloads it when it becomes controlled.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

async function withIsolation(request) {
  const response = await fetch(request);
  // Opaque and redirect responses cannot be rebuilt; they carry no page of ours anyway.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of ISOLATION_HEADERS) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // Chromium refuses respondWith for this combination (DevTools issues it); let it pass.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(withIsolation(request));
});
