/** Hands a file to the browser's downloads (the fallback where no save picker exists, and the Run panel's downloads). */
export function downloadBlob(fileName: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  // The download has started by now; the URL only has to outlive the click (revoking at once can cancel it in some browsers).
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Bytes as a Blob the browser saves unchanged (checkpoints, .pth files). */
export function binaryBlob(bytes: Uint8Array<ArrayBuffer>): Blob {
  return new Blob([bytes], { type: 'application/octet-stream' });
}
