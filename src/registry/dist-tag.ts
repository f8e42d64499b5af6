import semver from 'semver';

/** The dist-tag a version is published under by default: prereleases never take `latest`. */
export function distTagFor(version: string): 'latest' | 'next' {
  return semver.prerelease(version) === null ? 'latest' : 'next';
}
