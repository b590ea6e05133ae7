/** The file names checkpoints get when downloaded from the Run panel. */

/** "<graph name>-step-000120.safetensors", file-system safe. */
export function checkpointFileName(graphName: string, step: number): string {
  return `${safeName(graphName)}-step-${String(step).padStart(6, '0')}.safetensors`;
}

/** "<graph name>-generated.png": the Generate tab's download. */
export function generatedFileName(graphName: string): string {
  return `${safeName(graphName)}-generated.png`;
}

const safeName = (graphName: string) => graphName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'graph';
