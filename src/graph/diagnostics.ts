/**
 * One diagnostic shape for every stage (loader, resolver, compiler, CLI): what is wrong and
 * exactly where. `where` names the node, port, param, edge and JSON pointer when they apply,
 * so an editor can jump to the place and a terminal can print one line per problem.
 */
export type Severity = 'error' | 'warning';

export interface Place {
  /** The source the document came from (file name, "clipboard", "share link"). */
  file?: string;
  /** 1-based line and column in the source text (JSON syntax errors). */
  line?: number;
  column?: number;
  /** RFC 6901 JSON pointer into the document, e.g. "/nodes/3/params/kernel". */
  pointer?: string;
  node?: string;
  port?: string;
  param?: string;
  edge?: number;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. "json-syntax", "duplicate-id", "shape-mismatch". */
  code: string;
  message: string;
  where: Place;
}

/**
 * Longest message kept. Messages quote names from the file; a megabyte-long id must not make a
 * megabyte-long diagnostic (and 200 of them a 200 MB report), so the rest is cut and counted.
 */
export const MAX_MESSAGE_CHARS = 1000;

function bounded(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters)`;
}

export function error(code: string, message: string, where: Place = {}): Diagnostic {
  return { severity: 'error', code, message: bounded(message), where };
}

export function warning(code: string, message: string, where: Place = {}): Diagnostic {
  return { severity: 'warning', code, message: bounded(message), where };
}

/** Names from a file are cut to this many characters in a printed place; pointers to twice that. */
const PLACE_NAME_CHARS = 80;

function clipName(text: string, max = PLACE_NAME_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** "file:3:14 node 'enc1' port 'x' (/nodes/2/params/kernel)" — the place, most specific parts first. */
export function formatPlace(where: Place): string {
  const parts: string[] = [];
  if (where.file) {
    parts.push(where.line !== undefined ? `${where.file}:${where.line}:${where.column ?? 1}` : where.file);
  } else if (where.line !== undefined) {
    parts.push(`line ${where.line}, column ${where.column ?? 1}`);
  }
  if (where.node !== undefined) parts.push(`node '${clipName(where.node)}'`);
  if (where.port !== undefined) parts.push(`port '${clipName(where.port)}'`);
  if (where.param !== undefined) parts.push(`param '${clipName(where.param)}'`);
  if (where.edge !== undefined) parts.push(`edge #${where.edge}`);
  if (where.pointer !== undefined) parts.push(`(${clipName(where.pointer, 2 * PLACE_NAME_CHARS) || '/'})`);
  return parts.join(' ');
}

/** One line: "error [shape-mismatch] model.json node 'up1' port 'x': expects …". */
export function formatDiagnostic(d: Diagnostic): string {
  const place = formatPlace(d.where);
  return `${d.severity} [${d.code}] ${place ? place + ': ' : ''}${d.message}`;
}

/** How many diagnostics one list prints before summing up the rest (CLI output, error messages). */
export const MAX_LISTED_DIAGNOSTICS = 200;

/**
 * The first `max` diagnostics, plus one closing "too-many-diagnostics" entry saying how many
 * errors and warnings were left out. Errors are listed before warnings so none hides behind them.
 */
export function capDiagnostics(diagnostics: readonly Diagnostic[], max = MAX_LISTED_DIAGNOSTICS): Diagnostic[] {
  if (diagnostics.length <= max) return [...diagnostics];
  const ranked = [...diagnostics.filter((d) => d.severity === 'error'), ...diagnostics.filter((d) => d.severity !== 'error')];
  const shown = ranked.slice(0, max);
  const rest = ranked.slice(max);
  const errors = rest.filter((d) => d.severity === 'error').length;
  const counts = [errors && `${errors} error${errors === 1 ? '' : 's'}`, rest.length - errors && `${rest.length - errors} warning${rest.length - errors === 1 ? '' : 's'}`]
    .filter(Boolean)
    .join(' and ');
  const summary = `… and ${rest.length} more not listed (${counts}); only the first ${max} are shown`;
  shown.push(errors > 0 ? error('too-many-diagnostics', summary) : warning('too-many-diagnostics', summary));
  return shown;
}

/** capDiagnostics, one formatted line each. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], max = MAX_LISTED_DIAGNOSTICS): string[] {
  return capDiagnostics(diagnostics, max).map(formatDiagnostic);
}

/** Thrown by node rules (infer/build) to report a problem at a port or param of the node. */
export class NodeRuleError extends Error {
  constructor(
    message: string,
    readonly at: { port?: string; param?: string } = {},
    readonly code = 'node-rule',
  ) {
    super(message);
    this.name = 'NodeRuleError';
  }
}
