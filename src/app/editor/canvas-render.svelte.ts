/**
 * Draws nodes and wires into the elements Rete's area makes for them (its `render` and `unmount`
 * signals), in place of rete-svelte-plugin's classic preset, which mounted two Svelte apps per node
 * and per wire and asked for each wire's path through an async pipe: on a 2,000-node graph that was
 * most of the time to open it. Here:
 * - a node drawn in full (`detailed`) is one NodeCard mounted with Svelte's mount();
 * - a plain card (zoomed out, or far from the view on a large graph) is the area's element for the
 *   node itself, its class and data set directly (plain-look.ts), with no Svelte component behind it;
 * - a wire is one <svg> set directly, sized to its route (wire-route.ts wireGeometry), its ends
 *   placed from the card layout (socket-positions.ts) and redrawn when a node at either end moves.
 * The canvas calls update(node) when a node's detail, selection or view model changes; comparison
 * marks are followed here (one effect for all cards and wires).
 */
import { mount, unmount, untrack } from 'svelte';
import type { NodeEditor } from 'rete';
import type { AreaPlugin } from 'rete-area-plugin';
import { compareMarks } from '../compare/marks.svelte.ts';
import NodeCard from './NodeCard.svelte';
import type { EditorNode, Schemes } from './editor-node.svelte.ts';
import { applyLook, clearLook, plainCardLook, wireLook } from './plain-look.ts';
import type { LayoutSocketPositions } from './socket-positions.ts';
import { wireGeometry, type Point } from './wire-route.ts';

const SVG = 'http://www.w3.org/2000/svg';

interface Card {
  node: EditorNode;
  element: HTMLElement;
  /** The mounted NodeCard while the card is drawn in full. */
  app?: ReturnType<typeof mount>;
}

/** A wire's payload: a connection, or the connection plugin's wire being dragged (`isPseudo`). */
interface WirePayload {
  id: string;
  source: string;
  sourceOutput: string | number | symbol;
  target: string;
  targetInput: string | number | symbol;
  kind?: string;
  isPseudo?: boolean;
}

interface DrawnWire {
  payload: WirePayload;
  svg: SVGSVGElement;
  path: SVGPathElement;
  lane: number;
  start?: Point;
  end?: Point;
  stop: (() => void)[];
}

type RenderSignal =
  | { type: 'render'; data: { type: string; element: HTMLElement; payload: unknown; start?: Point; end?: Point } }
  | { type: 'unmount'; data: { element: HTMLElement } }
  | { type: 'nodetranslated'; data: { id: string; position: Point } };

export class CanvasRenderer {
  private readonly cards = new Map<HTMLElement, Card>();
  private readonly cardById = new Map<string, Card>();
  private readonly wires = new Map<HTMLElement, DrawnWire>();
  private readonly stopMarks: () => void;

  constructor(
    private readonly editor: NodeEditor<Schemes>,
    private readonly area: AreaPlugin<Schemes, never>,
    private readonly positions: LayoutSocketPositions,
  ) {
    this.stopMarks = $effect.root(() => {
      $effect(() => {
        void compareMarks.current;
        untrack(() => this.repaintMarks());
      });
    });
  }

  /** The area's pipe: renders and unmounts nodes and wires; every other signal passes untouched. */
  handle(signal: unknown): void {
    const ctx = signal as RenderSignal;
    if (ctx.type === 'render') {
      const d = ctx.data;
      if (d.type === 'node') this.renderNode(d.element, d.payload as EditorNode);
      else if (d.type === 'connection') this.renderWire(d.element, d.payload as WirePayload, d.start, d.end);
    } else if (ctx.type === 'unmount') {
      this.unmount(ctx.data.element);
    } else if (ctx.type === 'nodetranslated') {
      this.place(ctx.data.id, ctx.data.position);
    }
  }

  /**
   * Places a node's element by left/top instead of the transform Rete's NodeView gives it: 2,000
   * transformed elements are 2,000 transform nodes that the browser walks to composite every pan
   * and zoom frame, and maps every pointer position through to hit-test it.
   */
  private place(id: string, at: Point): void {
    const style = this.area.nodeViews.get(id)?.element.style;
    if (!style) return;
    style.transform = '';
    style.left = `${at.x}px`;
    style.top = `${at.y}px`;
  }

  /** Brings the node's card in line with it: full or plain, and a plain card's marks. */
  update(node: EditorNode): void {
    const card = this.cardById.get(node.id);
    if (card && card.node === node) this.paint(card);
  }

  destroy(): void {
    this.stopMarks();
    for (const element of [...this.cards.keys(), ...this.wires.keys()]) this.unmount(element);
  }

  // ── nodes ──

  private renderNode(element: HTMLElement, node: EditorNode): void {
    let card = this.cards.get(element);
    if (!card) {
      card = { node, element };
      this.cards.set(element, card);
      this.cardById.set(node.id, card);
    }
    this.paint(card);
  }

  private paint(card: Card): void {
    const { node, element } = card;
    if (node.detailed) {
      if (card.app) return; // NodeCard follows its node's state itself
      clearLook(element);
      element.replaceChildren();
      card.app = mount(NodeCard, { target: element, props: { data: node, emit: (s: unknown) => void this.area.emit(s as never) } });
      return;
    }
    if (card.app) {
      void unmount(card.app);
      card.app = undefined;
      element.replaceChildren();
    }
    // The plain card is the area's own element for the node: no element of ours inside it.
    applyLook(element, plainCardLook(node, compareMarks.node(node.id)));
    element.title = node.vm.title; // text, never markup
    element.style.width = `${node.width}px`;
    element.style.height = `${node.height}px`;
  }

  // ── wires ──

  private renderWire(element: HTMLElement, payload: WirePayload, start?: Point, end?: Point): void {
    let wire = this.wires.get(element);
    if (!wire) {
      const svg = document.createElementNS(SVG, 'svg');
      const path = document.createElementNS(SVG, 'path');
      svg.append(path);
      element.replaceChildren(svg);
      const outputs = Object.keys(this.editor.getNode(payload.source)?.outputs ?? {});
      const drawn: DrawnWire = { payload, svg, path, lane: Math.max(0, outputs.indexOf(String(payload.sourceOutput))), stop: [] };
      wire = drawn;
      this.wires.set(element, drawn);
      applyLook(svg, wireLook({ id: payload.id, kind: payload.kind ?? 'feature', isPseudo: payload.isPseudo }, compareMarks.wireAdded(payload.id)));
      // Ends the signal does not give (the dragged wire's pointer end) follow their sockets.
      if (!start && payload.source)
        drawn.stop.push(
          this.positions.listen(payload.source, 'output', String(payload.sourceOutput), (at) => {
            drawn.start = at;
            this.draw(drawn);
          }),
        );
      if (!end && payload.target)
        drawn.stop.push(
          this.positions.listen(payload.target, 'input', String(payload.targetInput), (at) => {
            drawn.end = at;
            this.draw(drawn);
          }),
        );
    }
    if (start) wire.start = start;
    if (end) wire.end = end;
    this.draw(wire);
  }

  private draw(wire: DrawnWire): void {
    if (!wire.start || !wire.end) return;
    const g = wireGeometry(wire.start, wire.end, wire.lane);
    const style = wire.svg.style;
    style.left = `${g.left}px`;
    style.top = `${g.top}px`;
    style.width = `${g.width}px`;
    style.height = `${g.height}px`;
    wire.path.setAttribute('d', g.d);
  }

  private repaintMarks(): void {
    for (const card of this.cards.values()) if (!card.app) this.paint(card);
    for (const wire of this.wires.values()) {
      const { id, kind, isPseudo } = wire.payload;
      applyLook(wire.svg, wireLook({ id, kind: kind ?? 'feature', isPseudo }, compareMarks.wireAdded(id)));
    }
  }

  private unmount(element: HTMLElement): void {
    const card = this.cards.get(element);
    if (card) {
      if (card.app) void unmount(card.app);
      clearLook(element);
      element.replaceChildren();
      this.cards.delete(element);
      if (this.cardById.get(card.node.id) === card) this.cardById.delete(card.node.id);
      return;
    }
    const wire = this.wires.get(element);
    if (wire) {
      for (const stop of wire.stop) stop();
      element.replaceChildren();
      this.wires.delete(element);
    }
  }
}
