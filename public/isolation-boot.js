// Cross-origin isolation on static hosts that cannot send COOP/COEP headers. When the page is not
// isolated, this registers isolation-sw.js (beside this file, so the app works from any sub-path),
// which adds the headers to the app's own responses, and reloads once when the worker takes the page.
// Harmless where the host sends the headers: an isolated page registers nothing.
// A file of its own, not inline in index.html: the Content-Security-Policy allows no inline script.
(() => {
  // Set before the one reload; never a second reload in this tab while it is set, so a host or
  // browser where the worker cannot isolate the page (say, a hard reload bypasses it) never loops.
  const RELOADED = 'lggan-studio.isolation-reloaded';
  const session = () => {
    try {
      return sessionStorage;
    } catch {
      return undefined; // storage blocked: never reload, as the guard could not be kept
    }
  };
  if (globalThis.crossOriginIsolated) {
    session()?.removeItem(RELOADED);
    return;
  }
  // Service workers need a secure context (https:// or localhost); without one the app runs unisolated.
  if (!globalThis.isSecureContext || !('serviceWorker' in navigator) || !document.currentScript) return;
  const reloadOnce = () => {
    const storage = session();
    if (!storage || storage.getItem(RELOADED)) return;
    storage.setItem(RELOADED, '1');
    location.reload();
  };
  const worker = new URL('isolation-sw.js', document.currentScript.src);
  navigator.serviceWorker.register(worker).then(
    (registration) => {
      // The worker is already running but this load bypassed it (a hard reload): a reload goes through it.
      if (navigator.serviceWorker.controller || registration.active) reloadOnce();
      // First visit: the worker claims this page once it is active.
      else navigator.serviceWorker.addEventListener('controllerchange', reloadOnce, { once: true });
    },
    // The app works without isolation (wasm without threads); say why, without an error.
    (e) => console.warn(`LGGAN Studio: no cross-origin isolation, the service worker could not register: ${e instanceof Error ? e.message : e}`),
  );
})();
