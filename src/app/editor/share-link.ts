/**
 * Share links: the whole graph travels in the URL hash as `#graph=<base64url(deflate(json))>`,
 * so opening the link needs no server. Decoding goes through the graph loader, so a damaged or
 * hand-edited link is reported like a bad file (source "share link") and never half-loads.
 */
import { deflateSync, strFromU8, strToU8 } from 'fflate';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { error } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { InflateLimitError, inflateBounded } from './bounded-inflate.ts';
import { openText, type OpenResult } from './open.ts';

export const SHARE_PREFIX = '#graph=';
export const SHARE_SOURCE = 'share link';
/**
 * The most a link's graph may inflate to: the largest shipped graph is ≈19 KB of JSON, so this is
 * room for graphs a thousand times larger while a deflate bomb cannot take the tab's memory.
 */
export const MAX_SHARE_GRAPH_BYTES = 20 << 20;
/** The longest hash read: Chromium refuses longer URLs (2 MB) anyway; 1 Mi characters carry ≈750 KB compressed. */
export const MAX_SHARE_HASH_CHARS = 1 << 20;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) {
    const bad = text.search(/[^A-Za-z0-9_-]/);
    throw new Error(`character ${bad + 1} ('${text[bad]}') is not base64url`);
  }
  if (text.length % 4 === 1) throw new Error(`${text.length} characters cannot be base64url data (the link is cut short)`);
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The hash fragment (with its leading `#graph=`) that carries `doc`. */
export function encodeShareHash(doc: GraphDocument): string {
  return SHARE_PREFIX + toBase64Url(deflateSync(strToU8(saveGraph(doc)), { level: 9 }));
}

/** A full link: `base` (the app's address, any old hash dropped) plus the graph. */
export function shareUrl(base: string, doc: GraphDocument): string {
  return base.replace(/#.*$/, '') + encodeShareHash(doc);
}

/**
 * A full link for `doc`, or why none is made: a link that the app would refuse to open (over
 * either limit) is not handed out.
 */
export function checkedShareUrl(base: string, doc: GraphDocument, limits = { graphBytes: MAX_SHARE_GRAPH_BYTES, hashChars: MAX_SHARE_HASH_CHARS }): { ok: true; url: string } | { ok: false; message: string } {
  const bytes = strToU8(saveGraph(doc));
  if (bytes.length > limits.graphBytes) return { ok: false, message: `the graph is ${bytes.length.toLocaleString('en')} bytes of JSON; a share link carries at most ${limits.graphBytes.toLocaleString('en')}: save it to a file instead` };
  const hash = SHARE_PREFIX + toBase64Url(deflateSync(bytes, { level: 9 }));
  if (hash.length > limits.hashChars) return { ok: false, message: `its link would be ${hash.length.toLocaleString('en')} characters; links up to ${limits.hashChars.toLocaleString('en')} are opened: save it to a file instead` };
  return { ok: true, url: base.replace(/#.*$/, '') + hash };
}

/** Does this hash carry a graph? */
export function isShareHash(hash: string): boolean {
  return hash.startsWith(SHARE_PREFIX);
}

/** Decodes a `#graph=` hash into a document, or says what is wrong with the link. */
export function decodeShareHash(hash: string, registry: NodeRegistry): OpenResult {
  if (!isShareHash(hash)) {
    return { ok: false, diagnostics: [error('bad-link', `the link carries no graph: its hash does not start with '${SHARE_PREFIX}'`, { file: SHARE_SOURCE })] };
  }
  if (hash.length > MAX_SHARE_HASH_CHARS) {
    const why = `the link is ${hash.length.toLocaleString('en')} characters long; links up to ${MAX_SHARE_HASH_CHARS.toLocaleString('en')} are read (save the graph to a file to share a larger one)`;
    return { ok: false, diagnostics: [error('bad-link', `the share link was not opened: ${why}`, { file: SHARE_SOURCE })] };
  }
  let text: string;
  try {
    const payload = decodeURIComponent(hash.slice(SHARE_PREFIX.length));
    if (payload.length === 0) throw new Error('the graph data is empty');
    text = strFromU8(inflateBounded(fromBase64Url(payload), MAX_SHARE_GRAPH_BYTES));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (e instanceof InflateLimitError) return { ok: false, diagnostics: [error('bad-link', `the share link was not opened: its graph is too large: ${why}`, { file: SHARE_SOURCE })] };
    return { ok: false, diagnostics: [error('bad-link', `the share link is damaged and was not opened: ${why}`, { file: SHARE_SOURCE })] };
  }
  return openText(text, SHARE_SOURCE, registry);
}
