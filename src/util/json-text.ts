/**
 * Editing one top-level key of a package.json *as text*: the value is replaced (or appended) in
 * place, so every other byte of the file — key order, compact arrays, indentation (2 spaces, 4,
 * tabs), line endings and the trailing newline — stays exactly as the author wrote it. Pure.
 */

/** Where one top-level member sits in the text. */
interface Member {
  readonly key: string;
  readonly valueStart: number;
  readonly valueEnd: number;
}

interface TopLevel {
  readonly members: readonly Member[];
  /** Index of the opening `{` of the top-level object. */
  readonly open: number;
  /** Index of the closing `}` of the top-level object. */
  readonly close: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && WHITESPACE.has(text.charAt(i))) i++;
  return i;
}

function skipString(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new SyntaxError('unterminated string in JSON text');
}

function skipValue(text: string, from: number): number {
  const first = text.charAt(from);
  if (first === '"') return skipString(text, from);
  if (first === '{' || first === '[') {
    let depth = 0;
    let i = from;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i = skipString(text, i);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError('unterminated object or array in JSON text');
  }
  let i = from;
  while (i < text.length && !WHITESPACE.has(text.charAt(i)) && !',}]'.includes(text.charAt(i))) i++;
  return i;
}

/** The members of the top-level object of a JSON text (which must already be known to parse). */
function topLevel(text: string): TopLevel {
  let i = skipWhitespace(text, text.startsWith('\uFEFF') ? 1 : 0);
  if (text.charAt(i) !== '{') throw new SyntaxError('the JSON text is not an object');
  const open = i;
  i = skipWhitespace(text, i + 1);
  const members: Member[] = [];
  if (text.charAt(i) === '}') return { members, open, close: i };
  for (;;) {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text.charAt(i) !== ':') throw new SyntaxError(`expected ':' after key ${JSON.stringify(key)}`);
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, valueStart, valueEnd });
    i = skipWhitespace(text, valueEnd);
    const c = text.charAt(i);
    if (c === '}') return { members, open, close: i };
    if (c !== ',') throw new SyntaxError(`expected ',' or '}' after key ${JSON.stringify(key)}`);
    i = skipWhitespace(text, i + 1);
  }
}

/** The indentation unit of a JSON text: a tab, N spaces, or '' for a one-line file. */
export function detectIndent(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  const found = match?.[1];
  if (found === undefined) return text.includes('\n') ? '  ' : '';
  return found.startsWith('\t') ? '\t' : ' '.repeat(found.length);
}

/** `\r\n` when the file uses Windows line endings, else `\n`. */
export function detectEol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** A value serialised as it would sit one level deep in the file. */
function serializeNested(value: unknown, indent: string, eol: string): string {
  if (indent === '') return JSON.stringify(value);
  return JSON.stringify(value, null, indent)
    .split('\n')
    .join(eol + indent);
}

/**
 * Set top-level `key` of the JSON object in `text` to `value`, touching nothing else: an existing
 * value (the last one, as `JSON.parse` reads duplicates) is replaced where it stands; a missing
 * key is appended as the last member, in the file's own indentation and line endings.
 */
export function setTopLevelKey(text: string, key: string, value: unknown): string {
  const { members, open, close } = topLevel(text);
  const indent = detectIndent(text);
  const eol = detectEol(text);
  const serialized = serializeNested(value, indent, eol);
  const existing = members.filter((m) => m.key === key).at(-1);
  if (existing) return text.slice(0, existing.valueStart) + serialized + text.slice(existing.valueEnd);
  const member = `${JSON.stringify(key)}:${indent === '' ? '' : ' '}${serialized}`;
  const last = members.at(-1);
  if (last === undefined) {
    const inserted = indent === '' ? member : `${eol}${indent}${member}${eol}`;
    return text.slice(0, open + 1) + inserted + text.slice(close);
  }
  const inserted = indent === '' ? `,${member}` : `,${eol}${indent}${member}`;
  return text.slice(0, last.valueEnd) + inserted + text.slice(last.valueEnd);
}
