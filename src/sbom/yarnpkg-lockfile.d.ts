// @yarnpkg/lockfile ships no types: the one function napi-ship calls.
declare module '@yarnpkg/lockfile' {
  export interface YarnClassicParseResult {
    readonly type: 'success' | 'merge' | 'conflict';
    readonly object: Record<string, unknown>;
  }
  export function parse(text: string, fileLoc?: string): YarnClassicParseResult;
  const lockfile: { parse: typeof parse };
  export default lockfile;
}
