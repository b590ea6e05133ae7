/**
 * The doors a document comes in through (New, Open…, a dropped file, Examples, the library,
 * Recent, a share link) share one way in, `enterDocument`:
 *
 *  1. read and check the incoming graph; any failure, an exception included (a hostile file, a
 *     resolver that throws), is refused with the error banner and the current graph stays;
 *  2. if the current graph has unsaved changes (document-file.ts says what that means), ask
 *     first: store it in the library, leave it (it stays in Recent and one Ctrl+Z away), or stay;
 *  3. switch as one undo step, with a file of its own (a new document id, so its autosave and
 *     Recent entry are its own).
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { resolveSafely, type CheckedDocument } from '../editor/safe-resolve.ts';
import { DocumentFile, newDocumentId } from './document-file.ts';
import { openWarnings } from './open-any.ts';
import type { SaveFormat } from './save-format.ts';

export interface Arrival {
  doc: GraphDocument;
  source: string;
  format?: SaveFormat;
  /** Continue this document (reopening the newest version of a Recent entry); else a new id. */
  id?: string;
  /** Whether the graph as it arrives is saved somewhere (default yes: a file, an example, a link, the library). */
  saved?: boolean;
  libraryId?: string;
  /** Loader warnings the compiler does not repeat, kept with the file for Problems. */
  warnings?: Diagnostic[];
}

export type Arriving = { ok: true; arrival: Arrival } | { ok: false; diagnostics: Diagnostic[] };

/** What the person chose about unsaved changes. */
export type Answer = 'save' | 'leave' | 'stay';

export interface DoorKeeper {
  readonly session: { readonly doc: GraphDocument; readonly unsaved: boolean; open(doc: GraphDocument, file: DocumentFile, label: string, checked?: CheckedDocument): void };
  readonly registry: NodeRegistry;
  /** Asks about the current graph's unsaved changes before `label` ("Open tiny-pix2pix.json"). */
  ask(name: string, label: string): Promise<Answer>;
  /** Stores the current graph (the library) before leaving it; false when that failed (then it stays). */
  save(): Promise<boolean>;
  /** Shows why nothing was opened (the error banner). */
  refuse(title: string, diagnostics: Diagnostic[]): void;
  newId?: () => string;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Brings a document in through a door. Resolves to its new file once it is the open document,
 * or undefined when it was refused or the person chose to stay. Never throws.
 */
export async function enterDocument(keeper: DoorKeeper, label: string, failTitle: string, arrive: () => Arriving | Promise<Arriving>, options: { ask?: boolean } = {}): Promise<DocumentFile | undefined> {
  let arrival: Arrival;
  let checked: CheckedDocument;
  try {
    const arriving = await arrive();
    if (!arriving.ok) return void keeper.refuse(failTitle, arriving.diagnostics);
    arrival = arriving.arrival;
    const check = resolveSafely(arrival.doc, keeper.registry, undefined, arrival.source);
    if (!check.ok) return void keeper.refuse(failTitle, [check.diagnostic]);
    checked = check;
  } catch (e) {
    return void keeper.refuse(failTitle, [error('internal', `internal error while opening: ${errorText(e)}`)]);
  }
  try {
    if (options.ask !== false && keeper.session.unsaved) {
      const answer = await keeper.ask(keeper.session.doc.meta.name, label);
      if (answer === 'stay') return undefined;
      if (answer === 'save' && !(await keeper.save())) return undefined;
    }
    const file = new DocumentFile(arrival.id ?? (keeper.newId ?? newDocumentId)(), arrival.source, arrival.saved === false ? undefined : arrival.doc, arrival.format ?? 'lggan');
    file.libraryId = arrival.libraryId;
    file.warnings = arrival.warnings ?? [];
    keeper.session.open(arrival.doc, file, label, checked);
    return file;
  } catch (e) {
    return void keeper.refuse(failTitle, [error('internal', `internal error while switching documents: ${errorText(e)}`)]);
  }
}

/**
 * A loader's outcome (OpenResult) as an arrival from `source`. The loader's warnings that the compiler
 * does not repeat (e.g. a colour that is not one, left out) are kept for Problems, as for files.
 */
export function arriving(result: { ok: true; doc: GraphDocument; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] }, source: string, extra: Omit<Arrival, 'doc' | 'source' | 'warnings'> = {}): Arriving {
  return result.ok ? { ok: true, arrival: { doc: result.doc, source, ...extra, warnings: openWarnings(result.warnings) } } : { ok: false, diagnostics: result.diagnostics };
}
