/**
 * Colours from documents (group colours, litegraph's node and note colours) end up in CSS (the
 * Rete view's group frames) and in canvas fill styles. A string that merely looks plausible could
 * carry more CSS (`red;background:url(…)`), so a colour is accepted only when it parses here as one
 * of a few plain forms; anything else is dropped where the document is loaded, with a warning.
 *
 * Accepted (ASCII case-insensitive, surrounding spaces allowed):
 * - hex: #rgb, #rgba, #rrggbb, #rrggbbaa;
 * - rgb()/rgba() with three numbers or percentages and an optional alpha, comma- or space-separated
 *   (`rgb(1 2 3 / 50%)`);
 * - hsl()/hsla() with a hue (a number, optionally in deg) and two percentages, optional alpha;
 * - a CSS named colour, or `transparent`.
 */
import { hasOwn, isPlainObject } from './util.ts';

/** Longer strings are refused before any parsing: no real colour needs more. */
export const MAX_COLOR_LENGTH = 64;

/** The CSS named colours (CSS Color 4, §6.1), plus `transparent`. */
const NAMED_COLORS: ReadonlySet<string> = new Set(
  (
    'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood ' +
    'cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray ' +
    'darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen ' +
    'darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue ' +
    'firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew ' +
    'hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan ' +
    'lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray ' +
    'lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue ' +
    'mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred ' +
    'midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid ' +
    'palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple ' +
    'rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue ' +
    'slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white ' +
    'whitesmoke yellow yellowgreen transparent'
  ).split(' '),
);

const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/;
const NUMBER = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[+-]?\\d+)?';
const FUNCTION = /^(rgba?|hsla?)\((.*)\)$/;
const PLAIN = new RegExp(`^${NUMBER}$`);
const PERCENT = new RegExp(`^${NUMBER}%$`);
const HUE = new RegExp(`^${NUMBER}(?:deg)?$`);

const isNumberOrPercent = (arg: string) => PLAIN.test(arg) || PERCENT.test(arg);

/** The arguments of a colour function: "a, b, c[, d]" or "a b c[ / d]"; null when neither. */
function splitArguments(body: string): string[] | null {
  const text = body.trim();
  if (text.includes(',')) {
    const args = text.split(',').map((a) => a.trim());
    return args.length === 3 || args.length === 4 ? args : null;
  }
  const [main, alpha, ...more] = text.split('/').map((a) => a.trim());
  if (more.length > 0) return null;
  const args = main.split(/\s+/);
  if (args.length !== 3) return null;
  if (alpha === undefined) return args;
  return alpha === '' ? null : [...args, alpha];
}

function isColorFunction(name: string, body: string): boolean {
  const args = splitArguments(body);
  if (!args) return false;
  const [first, second, third, alpha] = args;
  if (alpha !== undefined && !isNumberOrPercent(alpha)) return false;
  if (name.startsWith('rgb')) return [first, second, third].every(isNumberOrPercent);
  return HUE.test(first) && PERCENT.test(second) && PERCENT.test(third);
}

/** Is `value` a colour in one of the accepted forms (see the module comment)? */
export function isColor(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_COLOR_LENGTH) return false;
  const text = value.trim().toLowerCase();
  if (HEX.test(text) || NAMED_COLORS.has(text)) return true;
  const call = FUNCTION.exec(text);
  return call !== null && isColorFunction(call[1], call[2]);
}

/** `value` when it is a colour, else undefined: for the places that draw with a document's colour. */
export function safeColor(value: unknown): string | undefined {
  return isColor(value) ? value : undefined;
}

/** What a diagnostic says about a refused colour: the start of the string, quoted. */
export function describeColorText(value: string): string {
  return value.length <= 40 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`;
}

export const COLOR_FORMS = '#rgb, #rrggbb, #rrggbbaa, rgb()/hsl() with numbers, or a CSS colour name';

// ── colours inside a graph document ──────────────────────────────────────────────────────────────

/** Where hosts keep litegraph's own fields in an `extra` (interop/litegraph/format.ts FOREIGN_KEY). */
const LITEGRAPH_EXTRA = 'litegraph';
/** litegraph's colour fields of a node or note, kept under extra.litegraph. */
export const LITEGRAPH_COLOR_KEYS: readonly string[] = ['color', 'bgcolor', 'boxcolor'];

/** The colour fields of an `extra` object (node or comment): [key, value] under extra.litegraph. */
export function extraColors(extra: unknown): [string, unknown][] {
  if (!isPlainObject(extra) || !hasOwn(extra, LITEGRAPH_EXTRA)) return [];
  const foreign = extra[LITEGRAPH_EXTRA];
  if (!isPlainObject(foreign)) return [];
  return LITEGRAPH_COLOR_KEYS.filter((key) => hasOwn(foreign, key)).map((key) => [key, foreign[key]]);
}

/** The JSON pointer tokens of a colour key in `extra`. */
export const extraColorPath = (key: string): string[] => ['extra', LITEGRAPH_EXTRA, key];

function extraWithoutBadColors<T extends { extra?: Record<string, unknown> }>(item: T): T {
  const bad = extraColors(item.extra).filter(([, value]) => !isColor(value));
  if (bad.length === 0) return item;
  const foreign = { ...(item.extra![LITEGRAPH_EXTRA] as Record<string, unknown>) };
  for (const [key] of bad) delete foreign[key];
  return { ...item, extra: { ...item.extra, [LITEGRAPH_EXTRA]: foreign } };
}

/**
 * The document without the colours that are not colours (the validator has warned about each);
 * the same object when there are none.
 */
export function withoutBadColors<D extends { groups: { color?: string }[]; nodes: { extra?: Record<string, unknown> }[]; comments: { extra?: Record<string, unknown> }[] }>(doc: D): D {
  const groups = doc.groups.map((g) => {
    if (g.color === undefined || isColor(g.color)) return g;
    const { color: _dropped, ...rest } = g;
    return rest as typeof g;
  });
  const nodes = doc.nodes.map(extraWithoutBadColors);
  const comments = doc.comments.map(extraWithoutBadColors);
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.every((x, i) => x === b[i]);
  if (same(groups, doc.groups) && same(nodes, doc.nodes) && same(comments, doc.comments)) return doc;
  return { ...doc, groups, nodes, comments };
}
