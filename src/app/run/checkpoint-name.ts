/** Saving bytes as a file from the page, and the file names checkpoints get. */

/** "<graph name>-step-000120.safetensors", file-system safe. */
export function checkpointFileName(graphName: string, step: number): string {
  const safe = graphName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'graph';
  return `${safe}-step-${String(step).padStart(6, '0')}.safetensors`;
}

/** Offers `bytes` as a download named `name` (an <a download> click on an object URL). */
export function downloadBytes(bytes: Uint8Array<ArrayBuffer>, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  // The download has started by then; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
