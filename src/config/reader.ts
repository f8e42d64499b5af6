/**
 * The one way napi-ship reads its own config: a reader that walks a JSON value key by key, records
 * every problem (`NS_CONFIG_INVALID`, the key path in the message, a hint) and never stops at the
 * first, so a user fixes all of them in one go. Unknown keys are problems too, with the nearest known
 * key as a did-you-mean.
 */
import type { Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { didYouMean } from '../util/text.js';

export class ConfigReader {
  readonly errors: Diagnostic[] = [];

  /** `file` is where the config was read from (the diagnostics' subject); `docs` the hint's pointer to docs/config.md. */
  constructor(
    readonly file: string,
    readonly docs = 'see docs/config.md',
  ) {}

  fail(key: string, message: string, hint: string): void {
    this.errors.push({ code: 'NS_CONFIG_INVALID', severity: 'error', subject: this.file, message: `\`${key}\` ${message}`, hint });
  }

  /**
   * Report every key of `value` that is not in `known`, naming the nearest known one when it looks
   * like a typo. `key` is where `value` sits ('' for the top of a file).
   */
  keys(value: Readonly<Record<string, unknown>>, key: string, known: readonly string[], what: string): void {
    for (const k of Object.keys(value)) {
      if (known.includes(k)) continue;
      const guess = didYouMean(k, known);
      this.fail(
        key === '' ? k : `${key}.${k}`,
        `is not a ${what} setting${guess === null ? '' : ` (did you mean \`${guess}\`?)`}`,
        `known keys here: ${known.join(', ')} (${this.docs})`,
      );
    }
  }

  /** An optional object: `null` when absent or (reported) not an object. */
  record(value: unknown, key: string, hint: string): Record<string, unknown> | null {
    if (value === undefined) return null;
    if (!isRecord(value)) {
      this.fail(key, 'must be an object', hint);
      return null;
    }
    return value;
  }

  /** An optional list of anything (each item read by the caller). */
  list(value: unknown, key: string, hint: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(key, 'must be a list', hint);
      return [];
    }
    return value;
  }

  /** An optional list of non-empty strings (trimmed). */
  strings(value: unknown, key: string, hint: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(key, 'must be a list of strings', hint);
      return [];
    }
    const out: string[] = [];
    value.forEach((v: unknown, i) => {
      if (typeof v === 'string' && v.trim() !== '') out.push(v.trim());
      else this.fail(`${key}[${i}]`, 'must be a non-empty string', hint);
    });
    return out;
  }

  /** An optional non-empty string, kept as written. */
  text(value: unknown, key: string, hint: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(key, 'must be a non-empty string', hint);
      return undefined;
    }
    return value;
  }

  /** An optional `true`/`false`. */
  bool(value: unknown, key: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(key, 'must be true or false', 'write it without quotes');
      return undefined;
    }
    return value;
  }

  /** An optional number of bytes (a whole number ≥ 0). */
  bytes(value: unknown, key: string, hint: string): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(key, 'must be a number of bytes', hint);
      return undefined;
    }
    return value;
  }
}
