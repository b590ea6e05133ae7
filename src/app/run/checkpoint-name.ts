/** The file names checkpoints get when downloaded from the Run panel. */

/** "<graph name>-step-000120.safetensors", file-system safe. */
export function checkpointFileName(graphName: string, step: number): string {
  const safe = graphName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'graph';
  return `${safe}-step-${String(step).padStart(6, '0')}.safetensors`;
}
