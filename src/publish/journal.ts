/**
 * The publish journal: an append-only JSON Lines file, fsync'd after every record, that says what a
 * publish run set out to do and what it did. It is an audit trail and remembers which dist-tag a
 * run was asked for; it is never trusted about the registry (a resumed run re-reads the registry).
 *
 * A run killed mid-write can leave a torn last line: readers skip any line that does not parse,
 * and the next append starts on a fresh line. Tokens never go in: records carry package names,
 * versions, integrities, tags and a registry URL stripped of credentials.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isRecord } from '../util/json.js';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { fsDiagnosticError, LIMITS, O_NOFOLLOW, O_NONBLOCK, readRegularFileIfPresent } from '../util/fs.js';

export const JOURNAL_FILE = 'publish-journal.jsonl';
export const JOURNAL_VERSION = 1;

export type JournalRecordType =
  | 'start'
  | 'preflight'
  | 'plan'
  | 'conflict'
  | 'publish-begin'
  | 'publish-done'
  | 'verified'
  | 'tag-set'
  | 'tag-removed'
  | 'error'
  | 'done';

/** What every record has; the rest depends on `type`. */
export interface JournalRecord {
  readonly v: typeof JOURNAL_VERSION;
  readonly time: string;
  /** Random id of the run that wrote the record. */
  readonly run: string;
  readonly type: JournalRecordType;
  readonly [key: string]: unknown;
}

/** The `start` record of a run. */
export interface JournalStart extends JournalRecord {
  readonly type: 'start';
  readonly name: string;
  readonly version: string;
  /** sha256 of release-manifest.json: a journal speaks about one exact release. */
  readonly manifestSha256: string;
  readonly registry: string;
  readonly tag: string;
  readonly stagingTag: string;
  readonly resume: boolean;
}

function isStart(r: JournalRecord): r is JournalStart {
  return (
    r.type === 'start' &&
    typeof r.name === 'string' &&
    typeof r.version === 'string' &&
    typeof r.manifestSha256 === 'string' &&
    typeof r.registry === 'string' &&
    typeof r.tag === 'string' &&
    typeof r.stagingTag === 'string' &&
    typeof r.resume === 'boolean'
  );
}

const TYPES: readonly string[] = [
  'start',
  'preflight',
  'plan',
  'conflict',
  'publish-begin',
  'publish-done',
  'verified',
  'tag-set',
  'tag-removed',
  'error',
  'done',
];

function asRecord(line: string): JournalRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (
    !isRecord(v) ||
    v.v !== JOURNAL_VERSION ||
    typeof v.time !== 'string' ||
    typeof v.run !== 'string' ||
    typeof v.type !== 'string' ||
    !TYPES.includes(v.type)
  )
    return null;
  return v as JournalRecord;
}

export interface JournalContents {
  readonly records: readonly JournalRecord[];
  /** Lines that did not parse (a torn tail after a kill, or foreign text). */
  readonly skipped: number;
}

/** Read a journal; a missing file is an empty journal. */
export async function readJournal(file: string): Promise<JournalContents> {
  // A regular file only (never through a link, never a FIFO), capped.
  const bytes = await readRegularFileIfPresent(file, { maxBytes: LIMITS.manifest, what: 'the publish journal' });
  if (bytes === null) return { records: [], skipped: 0 };
  const text = bytes.toString('utf8');
  const records: JournalRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = asRecord(line);
    if (r === null) skipped++;
    else records.push(r);
  }
  return { records, skipped };
}

export interface JournalRun {
  readonly start: JournalStart;
  readonly records: readonly JournalRecord[];
  /** The run ended with a `done` record (whatever its outcome). */
  readonly finished: boolean;
  readonly outcome: string | null;
}

/** Every run in the journal, oldest first. */
export function journalRuns(records: readonly JournalRecord[]): JournalRun[] {
  const runs = new Map<string, { start: JournalStart; records: JournalRecord[] }>();
  for (const r of records) {
    if (isStart(r)) runs.set(r.run, { start: r, records: [r] });
    else runs.get(r.run)?.records.push(r);
  }
  return [...runs.values()].map(({ start, records: rs }) => {
    const done = rs.find((r) => r.type === 'done');
    return {
      start,
      records: rs,
      finished: done !== undefined,
      outcome: done !== undefined && typeof done.outcome === 'string' ? done.outcome : null,
    };
  });
}

/** The latest run about this exact release (same manifest bytes), or `null`. */
export function lastRunFor(
  records: readonly JournalRecord[],
  release: { readonly name: string; readonly version: string; readonly manifestSha256: string },
): JournalRun | null {
  // A record naming another manifest (each line carries the digest) never counts for this one.
  const own = records.filter((r) => typeof r.manifestSha256 !== 'string' || r.manifestSha256 === release.manifestSha256);
  const runs = journalRuns(own).filter(
    (r) => r.start.name === release.name && r.start.version === release.version && r.start.manifestSha256 === release.manifestSha256,
  );
  return runs.at(-1) ?? null;
}

/** Whether the journal has a run of `name@version` for a manifest other than `manifestSha256`. */
export function hasRunOfOtherManifest(
  records: readonly JournalRecord[],
  release: { readonly name: string; readonly version: string; readonly manifestSha256: string },
): boolean {
  return journalRuns(records).some(
    (r) => r.start.name === release.name && r.start.version === release.version && r.start.manifestSha256 !== release.manifestSha256,
  );
}

interface PendingRecord {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An open journal: each `append` returns once the record is on disk (write + fsync). Records
 * appended while an earlier write is in flight (or in the same tick) go to disk together, in call
 * order, with one write and one fsync; each caller still hears only once its own record is on disk.
 */
export class Journal {
  readonly file: string;
  readonly run: string;
  /** sha256 of the signed release-manifest.json this run publishes: on every record. */
  readonly manifestSha256: string | null;
  private readonly handle: FileHandle;
  private pending: PendingRecord[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(file: string, run: string, handle: FileHandle, manifestSha256: string | null) {
    this.file = file;
    this.run = run;
    this.manifestSha256 = manifestSha256;
    this.handle = handle;
  }

  /** Open (creating) `file` for appending; a torn last line is closed off so new records start clean. */
  static async open(file: string, run: string, manifestSha256: string | null = null): Promise<Journal> {
    // O_NOFOLLOW: a journal that is a symlink is refused, never appended through; O_NONBLOCK: a FIFO never hangs us.
    const handle = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o644).catch(
      (error: unknown) => {
        throw fsDiagnosticError(error, file, 'open the publish journal');
      },
    );
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_FS_NOT_REGULAR',
            subject: file,
            message: 'the publish journal is not a regular file',
            hint: 'remove it, or put the journal elsewhere with --journal FILE',
          }),
        ]);
      }
      const { size } = st;
      if (size > 0) {
        const last = Buffer.alloc(1);
        const reader = await open(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        try {
          await reader.read(last, 0, 1, size - 1);
        } finally {
          await reader.close();
        }
        if (last[0] !== 0x0a) {
          await handle.write('\n');
          await handle.sync();
        }
      } else {
        await syncDir(path.dirname(file));
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new Journal(file, run, handle, manifestSha256);
  }

  /** Append one record (one line) and fsync it; records are written in call order. */
  append(type: JournalRecordType, fields: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const record = {
      v: JOURNAL_VERSION,
      time: new Date().toISOString(),
      run: this.run,
      ...(this.manifestSha256 === null ? {} : { manifestSha256: this.manifestSha256 }),
      type,
      ...fields,
    };
    const line = JSON.stringify(record) + '\n';
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Write what is pending, a batch at a time; a failed write fails its batch's callers, later appends still run. */
  private async flush(): Promise<void> {
    // Records appended in the same tick join the first batch.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.handle.write(batch.length === 1 ? (batch[0]?.line ?? '') : batch.map((r) => r.line).join(''));
        await this.handle.sync();
        for (const r of batch) r.resolve();
      } catch (error) {
        for (const r of batch) r.reject(error);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }
}

/** fsync a directory so a newly created file's entry survives a crash (best effort: not every OS allows it). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Directories cannot be opened for sync on some platforms; the file's own fsync still holds.
  } finally {
    await handle?.close();
  }
}
