/**
 * JSON text → value, and on failure the place of the first syntax error as 1-based line/column.
 *
 * JSON.parse does the parsing. Its error messages differ between engines and often carry no
 * position at all (V8: `Unexpected token ']', "[1,]" is not valid JSON`), so when it fails a small
 * non-recursive scanner walks the text to find and describe the first error. V8's "at position N"
 * is used only if the scanner disagrees and finds nothing.
 */

export type JsonTextResult =
  | { ok: true; value: unknown }
  | { ok: false; empty: boolean; message: string; offset: number; line: number; column: number };

export function parseJsonText(text: string): JsonTextResult {
  // A UTF-8 BOM is invisible in editors and JSON.parse rejects it; skip it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const shift = body.length === text.length ? 0 : 1;
  if (body.trim() === '') {
    return { ok: false, empty: true, message: 'the file is empty; expected a graph document (a JSON object)', offset: 0, line: 1, column: 1 };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (e) {
    let found = findJsonSyntaxError(body);
    if (!found) {
      const m = /at position (\d+)/.exec(String((e as Error)?.message));
      found = { offset: m ? Number(m[1]) : body.length, message: String((e as Error)?.message ?? e) };
    }
    // A truncated file ends "nowhere"; point just past its last visible character instead.
    const offset = found.offset >= body.length ? body.trimEnd().length : found.offset;
    const { line, column } = lineColumn(text, offset + shift);
    return { ok: false, empty: false, message: found.message, offset: offset + shift, line, column };
  }
}

/** 1-based line and column (in UTF-16 code units) of an offset; "\n", "\r\n" and "\r" end lines. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxProblem {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const END = 'the file ends too early (truncated JSON?)';

/** The first JSON syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (e instanceof SyntaxProblem) return { offset: e.offset, message: e.message };
    throw e;
  }
}

function scan(text: string): void {
  const n = text.length;
  let i = 0;
  const stack: string[] = []; // '{' or '['
  const fail = (message: string, at = i): never => {
    throw new SyntaxProblem(at, at >= n ? END : message);
  };
  const skipWs = () => {
    while (i < n && ' \t\n\r'.includes(text[i])) i++;
  };
  const shown = (at: number) => (at < n ? JSON.stringify(text[at]) : 'end of file');

  const scanString = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('');
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail('control character inside a string; write it escaped (\\n, \\t, \\u00XX)');
      if (c === 0x5c) {
        const esc = text[i + 1];
        if (esc === 'u') {
          i += 2;
          for (const end = i + 4; i < end; i++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('bad \\u escape in a string; expected 4 hex digits');
          }
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else fail(`bad escape \\${esc ?? ''} in a string`, i + 1);
      } else i++;
    }
  };

  const digits = (what: string) => {
    const start = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') i++;
    if (i === start) fail(`expected a digit ${what}`);
  };
  const scanNumber = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (text[i] >= '0' && text[i] <= '9') fail('numbers may not have leading zeros');
    } else digits('in the number');
    if (text[i] === '.') {
      i++;
      digits('after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('in the exponent');
    }
  };

  const scanValue = () => {
    const c = text[i];
    if (c === '"') return scanString();
    if (c === '-' || (c >= '0' && c <= '9')) return scanNumber();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    fail(`unexpected ${shown(i)}; expected a value (object, array, string, number, true, false or null)`);
  };

  // Each turn: i is at a value (possibly the start of a container); then consume separators.
  skipWs();
  for (;;) {
    skipWs();
    if (i >= n) fail('');
    const open = text[i];
    if (open === '{' || open === '[') {
      i++;
      skipWs();
      const close = open === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
      } else {
        stack.push(open);
        if (open === '{') scanKey();
        continue;
      }
    } else scanValue();

    // After a complete value: close containers, or find the next member.
    for (;;) {
      skipWs();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < n) fail(`unexpected ${shown(i)} after the end of the document`);
        return;
      }
      const close = top === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] === ',') {
        i++;
        skipWs();
        if (top === '{') scanKey();
        else if (text[i] === ']') fail("trailing comma before ']'");
        break;
      }
      fail(top === '{' ? `expected ',' or '}' after a property value, found ${shown(i)}` : `expected ',' or ']' after an array element, found ${shown(i)}`);
    }
  }

  function scanKey() {
    skipWs();
    if (text[i] === '}') fail("trailing comma before '}'");
    if (text[i] !== '"') fail(`expected a property name in double quotes, found ${shown(i)}`);
    scanString();
    skipWs();
    if (text[i] !== ':') fail(`expected ':' after the property name, found ${shown(i)}`);
    i++;
  }
}
