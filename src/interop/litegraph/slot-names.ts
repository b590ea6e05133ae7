/**
 * Slots whose names cannot be our port names (an empty name, or two slots of a side with the same
 * name, which litegraph allows) are read as positional ports: `#0`, `#1`… by slot index, for the
 * whole side. The slot list itself travels as a foreign field, so the names come back as they were.
 */
import { isPlainObject } from '../../graph/util.ts';

const POSITIONAL = /^#(0|[1-9][0-9]{0,8})$/;

export function positionalName(index: number): string {
  return `#${index}`;
}

/** Does every slot have its own non-empty string name? */
export function namesUsable(slots: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const slot of slots) {
    const name = isPlainObject(slot) ? slot.name : undefined;
    if (typeof name !== 'string' || name === '' || seen.has(name)) return false;
    seen.add(name);
  }
  return true;
}

/** The port name of slot `index` of a side: its own name, or its position when the side's names are not usable. */
export function portName(slots: readonly unknown[], index: number, usable = namesUsable(slots)): string {
  return usable ? ((slots[index] as { name: string }).name) : positionalName(index);
}

/** The slot index a port names on this side, or -1. */
export function findSlot(slots: readonly unknown[], port: string, usable = namesUsable(slots)): number {
  if (!usable) {
    const m = POSITIONAL.exec(port);
    const k = m ? Number(m[1]) : -1;
    if (k >= 0 && k < slots.length) return k;
  }
  return slots.findIndex((s) => isPlainObject(s) && s.name === port);
}

/** Is this port one of a positional side's slots? */
export function isPositionalPort(slots: readonly unknown[], port: string): boolean {
  const m = POSITIONAL.exec(port);
  return m !== null && Number(m[1]) < slots.length && !namesUsable(slots);
}
