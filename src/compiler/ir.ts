/**
 * GraphIR: a GraphDocument resolved against the node registry — params evaluated, ports typed,
 * shapes inferred, costs counted — plus every diagnostic found on the way. Pure data; no tensors.
 */
import type { NodeCost, NodeDef, PortDef, ResolvedParams, TensorType } from '../../nodes/contract.ts';
import type { Diagnostic } from '../graph/diagnostics.ts';
import type { GraphDocument, GraphNode } from '../graph/document.ts';

export interface ResolvedNode {
  id: string;
  node: GraphNode;
  /** Absent for placeholders (unknown node types kept as they were). */
  def?: NodeDef;
  network: string;
  params: ResolvedParams;
  inputPorts: PortDef[];
  outputPorts: PortDef[];
  /** Types arriving at connected inputs. */
  inputs: Record<string, TensorType>;
  /** Inferred output types; empty when inference failed or was impossible. */
  outputs: Record<string, TensorType>;
  cost: NodeCost & { activationBytes: number };
  /** Diagnostics about this node (also in GraphIR.diagnostics). */
  diagnostics: Diagnostic[];
}

export interface NetworkTotals {
  params: number;
  /** Of `params`: created only for official-checkpoint compatibility, never used in forward. */
  unusedParams: number;
  buffers: number;
  macs: number;
  /** float32 bytes of every node output at the chosen batch size (forward activations). */
  activationBytes: number;
  /** Parameter + buffer bytes. */
  weightBytes: number;
  nodes: number;
}

export interface GraphIR {
  doc: GraphDocument;
  batch: number;
  /** Template values actually used, incl. batch and the H/W aliases. */
  template: Record<string, number>;
  nodes: Map<string, ResolvedNode>;
  /** Topological order of the nodes that are part of no cycle. */
  order: string[];
  networks: Map<string, NetworkTotals>;
  total: NetworkTotals;
  diagnostics: Diagnostic[];
  /**
   * Nodes the bypass/mute rewrite left out of `doc` (compiler/modes.ts): muted, bypassed, and what
   * needed them. `doc` is then the rewritten graph; absent when no node has a mode.
   */
  removedByModes?: string[];
  /**
   * The nodes the rewrite removed or replaced (a bypassed SAU computes as core/upsample), as the
   * user has them: type, params and ports for the editors to draw; no shapes, no cost.
   */
  asEdited?: Map<string, ResolvedNode>;
}

export function hasErrors(ir: { diagnostics: Diagnostic[] }): boolean {
  return ir.diagnostics.some((d) => d.severity === 'error');
}
