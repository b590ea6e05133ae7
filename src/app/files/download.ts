/** Hands a file to the browser's downloads (the fallback where no save picker exists). */
export function downloadBlob(fileName: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  // The download has started by now; the URL only has to outlive the click.
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
