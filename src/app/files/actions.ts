/**
 * The top bar's file actions: New, Open (a picked or dropped file), an example, Save / Save as,
 * Export to PyTorch, Share link, and the library (save, open, rename, a Recent version). Every
 * graph that comes in goes through the app's door (`enter`: one undo step, asking first about
 * unsaved changes); a failure shows as a problem and leaves the open graph as it was.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import { GRAPH_SCHEMA_PATH, type GraphDocument } from '../../graph/document.ts';
import { formatGraph } from '../../interop/litegraph/convert.ts';
import type { Autosaver } from '../editor/autosave.ts';
import type { GraphLibrary, LibraryEntry } from '../editor/library.ts';
import { openValue } from '../editor/open.ts';
import type { RecentEntry } from '../editor/recent.ts';
import { checkedShareUrl } from '../editor/share-link.ts';
import * as edits from '../editor/edits.ts';
import type { Session } from '../session.svelte.ts';
import type { SaveHandle } from './document-file.ts';
import { arriving, type Arriving } from './doors.ts';
import { downloadBlob } from './download.ts';
import { openAnyText, openSummary, openWarnings } from './open-any.ts';
import { readGraphText } from './png-file.ts';
import { SAVE_FORMATS, saveFileName, type SaveFormat } from './save-format.ts';

export interface FileActionHost {
  session: Session;
  registry: NodeRegistry;
  library: GraphLibrary;
  autosaver: Autosaver;
  /** The door: opens what `arrive` brings as one undo step; false when it was not opened. */
  enter(label: string, failTitle: string, arrive: () => Arriving | Promise<Arriving>): Promise<boolean>;
  say(text: string): void;
  refuse(title: string, diagnostics: Diagnostic[]): void;
  clearProblems(): void;
  emptyGraph(): GraphDocument;
  /** The shipped example graphs by file name, loaded on demand. */
  loadExample(name: string): Promise<unknown> | undefined;
  closeDialog(): void;
  showShareLink(url: string): void;
  /** Whether an export is under way (the top bar shows it). */
  exporting: { get(): boolean; set(on: boolean): void };
}

type SavePicker = (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<SaveHandle>;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function fileActions(host: FileActionHost) {
  const { session, registry, library, say } = host;

  async function openFile(file: File) {
    let text: string;
    let source = file.name;
    try {
      const read = await readGraphText(file);
      if (!read.ok) return host.refuse(`${file.name} was not opened; the current graph is unchanged`, read.diagnostics);
      ({ text, source } = read);
    } catch (e) {
      return host.refuse(`Could not read ${file.name}`, [error('read-failed', errorText(e), { file: file.name })]);
    }
    // Our format or litegraph/ComfyUI workflow JSON, told apart by content.
    const result = openAnyText(text, source, registry);
    const arrival = (): Arriving => (result.ok ? { ok: true, arrival: { doc: result.doc, source: file.name, format: result.format, warnings: openWarnings(result.warnings) } } : result);
    if (!(await host.enter(`Open ${file.name}`, `${file.name} was not opened; the current graph is unchanged`, arrival)) || !result.ok) return;
    say(openSummary(file.name, result.format, result.doc, result.warnings, (type) => !registry.get(type)));
  }

  function onWindowDrop(event: DragEvent) {
    // Always handled: an unhandled drop (a link, say) would navigate away from the app.
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) void openFile(file);
  }

  /**
   * Save to a file: the File System Access API where the browser has it, else a download.
   * `as` names the format for "Save as…"; plain Save keeps the file and format it has.
   */
  async function saveFile(as?: SaveFormat) {
    const file = session.file;
    const format = as ?? file.format;
    const name = saveFileName(session.source, session.doc.meta.name, format);
    // `$schema`: this site's copy of the schema (public/ is served at the app's base).
    const text = formatGraph(session.doc, format, registry, new URL(GRAPH_SCHEMA_PATH, document.baseURI).href);
    const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
    if (!picker) {
      downloadBlob(name, new Blob([text], { type: 'application/json' }));
      file.format = format;
      session.markSaved();
      return say(`Downloaded ${name}`);
    }
    try {
      const { description, accept } = SAVE_FORMATS[format];
      if (as || !file.handle) file.handle = await picker({ suggestedName: name, types: [{ description, accept: { 'application/json': accept } }] });
      const w = await file.handle.createWritable();
      await w.write(text);
      await w.close();
      session.source = file.handle.name;
      file.format = format;
      session.markSaved();
      say(`Saved ${file.handle.name}`);
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') return;
      host.refuse('The graph was not saved', [error('save-failed', errorText(e), { file: file.handle?.name ?? name })]);
    }
  }

  /** The PyTorch training package as a zip download; a graph that cannot be exported says why and downloads nothing. */
  async function exportPytorch() {
    if (host.exporting.get()) return;
    host.exporting.set(true);
    const doc = session.doc;
    const failTitle = `“${doc.meta.name}” was not exported to PyTorch; nothing was downloaded`;
    try {
      // The exporter and its Python sources load on first use.
      const { pytorchZip } = await import('./pytorch-zip.ts');
      const result = pytorchZip(doc, registry);
      if (!result.ok) return host.refuse(failTitle, result.diagnostics);
      host.clearProblems();
      downloadBlob(result.fileName, new Blob([result.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      say(`Downloaded ${result.fileName} (${result.entries.length} files)`);
    } catch (e) {
      host.refuse(failTitle, [error('export-failed', `internal error: ${errorText(e)}`)]);
    } finally {
      host.exporting.set(false);
    }
  }

  function newGraph() {
    void host.enter('New graph', 'A new graph could not be started', () => ({ ok: true, arrival: { doc: host.emptyGraph(), source: 'new graph' } }));
  }

  async function openExample(name: string) {
    const loading = host.loadExample(name);
    if (!loading) return;
    await host.enter(`Open ${name}`, `${name} was not opened`, async () => arriving(openValue(await loading, name, registry), name));
  }

  function share() {
    const link = checkedShareUrl(location.href, session.doc);
    if (!link.ok) return host.refuse(`“${session.doc.meta.name}” is too large for a share link`, [error('share-too-large', link.message)]);
    host.showShareLink(link.url);
  }

  async function saveToLibrary() {
    const doc = session.doc;
    const file = session.file;
    const entry = await library.save(doc, file.libraryId);
    file.libraryId = entry.id;
    if (session.doc === doc) session.markSaved();
    say(`Saved “${entry.name}” to the library`);
  }

  async function openFromLibrary(entry: LibraryEntry) {
    host.closeDialog();
    await host.enter(`Open “${entry.name}” from the library`, `“${entry.name}” was not opened`, async () => arriving(await library.open(entry.id, registry), `library: ${entry.name}`, { libraryId: entry.id }));
  }

  async function renameInLibrary(entry: LibraryEntry, name: string) {
    await library.rename(entry.id, name, registry);
    if (entry.id !== session.file.libraryId) return;
    const clean = !session.unsaved;
    session.apply('Rename graph', (d) => edits.setMeta(d, 'name', name));
    if (clean) session.markSaved(); // the library holds the renamed graph
  }

  /**
   * A Recent version: the newest continues its document (same id, same entry); an older one
   * opens as a document of its own, so its autosave never replaces the newer versions.
   */
  async function openRecent(entry: RecentEntry, version: number) {
    host.closeDialog();
    const title = entry.versions[version]?.title ?? entry.id;
    if (version === 0 && entry.id === session.file.id) return say(`“${session.doc.meta.name}” is the graph open now`);
    await host.autosaver.flush(); // the open graph's last edits reach Recent before anything is read from it
    await host.enter(`Open “${title}” from Recent`, `“${title}” was not opened from Recent`, async () => {
      const r = await host.autosaver.recent.open(entry.id, version, registry);
      if (version === 0) return arriving(r.result, r.entry.source, { id: entry.id, format: r.entry.format, saved: !r.entry.unsaved });
      return arriving(r.result, `${r.entry.source} (autosaved ${new Date(r.version.savedAt).toLocaleString()})`, { format: r.entry.format, saved: false });
    });
  }

  return { openFile, onWindowDrop, saveFile, exportPytorch, newGraph, openExample, share, saveToLibrary, openFromLibrary, renameInLibrary, openRecent };
}

export type FileActions = ReturnType<typeof fileActions>;
