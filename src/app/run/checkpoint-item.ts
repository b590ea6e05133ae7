/** One entry of the Run panel's checkpoint list (CheckpointList.svelte), also what PthImport adds. */
import type { AutosaveInfo } from '../../browser/autosave.ts';

export interface CheckpointItem {
  id: string;
  /** snapshot: taken while running, or the weights a run ended with; import: from a PyTorch .pth. */
  kind: 'autosave' | 'snapshot' | 'upload' | 'import';
  label: string;
  step: number | null;
  size: number;
  created: string | null;
  /** Whether the checkpoint's record names this graph (null: no record). */
  sameGraph: boolean | null;
  /** graphHash() of the graph the checkpoint was made for, when known: the list compares it with the open graph as it is edited. */
  graphHash?: string;
  /** In memory (snapshots, uploads); autosaves are read from IndexedDB when needed. */
  bytes?: Uint8Array<ArrayBuffer>;
  autosave?: AutosaveInfo;
  /** An upload with optimiser state can continue training; weights alone restart the optimiser. */
  optimizer?: boolean;
}
