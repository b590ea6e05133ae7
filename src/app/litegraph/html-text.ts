/**
 * Strings as text, never as markup: what litegraph needs around its HTML.
 *
 * escapeHtml turns any string into HTML that shows exactly that string, for the places where
 * litegraph sets `innerHTML` from a value we pass. LabelPart lists describe a label made of
 * styled spans (a property's name and value, a colour swatch); appendParts builds it with DOM calls
 * only, so no part of it is ever parsed as HTML or CSS.
 */
import { safeColor } from '../../graph/color.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML (element content or a quoted attribute value) that shows `text` as it is. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A span of a label: its text, a class from litegraph.css, and a colour swatch at its left. */
export interface LabelPart {
  text: string;
  className?: string;
  swatch?: { color: string; background: string };
}

/**
 * Appends the parts to `element` as spans whose text is set as text. Swatch colours go through the
 * CSS object model, and only when they parse as colours.
 */
export function appendParts(element: HTMLElement, parts: readonly LabelPart[]): void {
  for (const part of parts) {
    const span = element.ownerDocument.createElement('span');
    span.textContent = part.text;
    if (part.className) span.className = part.className;
    if (part.swatch) {
      span.style.display = 'block';
      span.style.paddingLeft = '4px';
      const border = safeColor(part.swatch.color);
      const background = safeColor(part.swatch.background);
      if (border) span.style.borderLeft = `8px solid ${border}`;
      if (background) span.style.backgroundColor = background;
    }
    element.appendChild(span);
  }
}

/** A property value as one line of text: strings as they are, other values as JSON. */
export function propertyText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
