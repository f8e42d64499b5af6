// The parts of npm's own config loader (@npmcli/config, CommonJS, no bundled types) napi-ship uses.
declare module '@npmcli/config' {
  interface ConfigOptions {
    definitions: unknown;
    shorthands: unknown;
    flatten: unknown;
    npmPath: string;
    argv: string[];
    env: Record<string, string | undefined>;
    cwd: string;
    platform?: string;
    execPath?: string;
    excludeNpmCpuConfigs?: boolean;
  }
  interface ConfigLayer {
    readonly data: Record<string, unknown>;
    readonly source: string | null;
  }
  class Config {
    constructor(options: ConfigOptions);
    load(): Promise<void>;
    get(key: string, where?: string): unknown;
    readonly localPrefix: string;
    readonly globalPrefix: string;
    readonly data: Map<string, ConfigLayer>;
    readonly flat: Record<string, unknown>;
    getCredentialsByURI(uri: string): Record<string, string | undefined>;
  }
  export default Config;
}
declare module '@npmcli/config/lib/definitions/index.js' {
  const defs: { definitions: unknown; shorthands: unknown; flatten: unknown };
  export default defs;
}
