/**
 * This machine as a release sees it: which of a manifest's binaries runs here, by what `inspect`
 * read from each binary (os, cpu, libc), and a name for the host in messages.
 */
import type { ManifestBinary } from './index.js';

/** `glibc` or `musl` on Linux (Node's report names a glibc runtime only under glibc); `null` elsewhere. */
function hostLibc(): 'glibc' | 'musl' | null {
  if (process.platform !== 'linux') return null;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc';
}

/** The binary of `binaries` that runs on this host, if any. */
export function hostBinary(binaries: readonly ManifestBinary[]): ManifestBinary | null {
  const libc = hostLibc();
  return (
    binaries.find((b) => b.facts.os === process.platform && b.facts.cpu === process.arch && (libc === null || b.facts.libc === libc)) ??
    null
  );
}

/** This host for messages: `linux-x64-glibc`, `darwin-arm64`. */
export function hostName(): string {
  const libc = hostLibc();
  return `${process.platform}-${process.arch}${libc === null ? '' : `-${libc}`}`;
}
