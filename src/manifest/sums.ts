/** `SHA256SUMS`: the one writer and the one reader of `sha256sum`'s format. */

/** `SHA256SUMS` text, as `sha256sum` writes it: `<hex>  <file>`, one a line, sorted by file name (bytes). */
export function sha256Sums(entries: readonly { readonly file: string; readonly sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => Buffer.compare(Buffer.from(a.file, 'utf8'), Buffer.from(b.file, 'utf8')))
    .map((e) => `${e.sha256}  ${e.file}\n`)
    .join('');
}

export interface SumsLine {
  readonly name: string;
  readonly sha256: string;
  readonly line: number;
}

/** Parse `sha256sum` output (`<hex>  <name>` or `<hex> *<name>`); bad lines are returned apart. */
export function parseSha256Sums(text: string): { readonly lines: SumsLine[]; readonly malformed: number[] } {
  const lines: SumsLine[] = [];
  const malformed: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(raw);
    const hex = m?.[1];
    const name = m?.[2];
    if (hex === undefined || name === undefined) {
      malformed.push(i + 1);
      return;
    }
    lines.push({ name: name.replace(/^\.\//, ''), sha256: hex.toLowerCase(), line: i + 1 });
  });
  return { lines, malformed };
}
