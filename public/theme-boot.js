// Applies the saved theme before the first paint, so a dark-theme user sees no light flash. A file
// of its own (not inline in index.html): the Content-Security-Policy allows no inline script.
try {
  if (localStorage.getItem('lggan-studio.theme') === 'dark') document.documentElement.dataset.theme = 'dark';
} catch {}
