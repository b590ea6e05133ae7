import { readFile } from 'node:fs/promises';
import { checkpointRecord, type LoadReport, type RunRecord } from '../runtime/checkpoint/index.ts';
import { readSafetensors, type SafetensorsFile } from '../formats/safetensors.ts';
import { CliProblem } from './io.ts';

/** A checkpoint file parsed, with its run record (null for a file without one); problems as one line. */
export async function readCheckpointFile(path: string): Promise<{ file: SafetensorsFile; record: RunRecord | null }> {
  let bytes: Uint8Array;
  try {
    const buffer = await readFile(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new CliProblem(`cannot read checkpoint '${path}': ${reason}`);
  }
  try {
    const file = readSafetensors(bytes);
    return { file, record: checkpointRecord(file) };
  } catch (e) {
    throw new CliProblem(`'${path}' is not a readable checkpoint: ${(e as Error).message}`);
  }
}

function listed(names: string[], limit = 5): string {
  return names.slice(0, limit).map((n) => `'${n}'`).join(', ') + (names.length > limit ? ` and ${names.length - limit} more` : '');
}

/** The problems of a checkpoint that does not fit, on one line: missing, misshaped and unknown variables. */
export function mismatchText(report: Pick<LoadReport, 'missing' | 'misshaped' | 'unexpected'>): string {
  const parts: string[] = [];
  if (report.missing.length > 0) parts.push(`missing ${report.missing.length} variable${report.missing.length > 1 ? 's' : ''}: ${listed(report.missing)}`);
  for (const m of report.misshaped.slice(0, 3)) parts.push(`'${m.name}' is [${m.got.join(', ')}] in the file but [${m.expected.join(', ')}] in the graph`);
  if (report.misshaped.length > 3) parts.push(`${report.misshaped.length - 3} more misshaped`);
  if (report.unexpected.length > 0) parts.push(`${report.unexpected.length} unknown to the graph: ${listed(report.unexpected, 3)}`);
  return parts.join('; ');
}
