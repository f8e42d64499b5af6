/**
 * A real npm registry for tests: verdaccio on 127.0.0.1, on a free port, with throwaway storage,
 * an htpasswd user created over its API, and no uplinks (nothing leaves the machine).
 * The library's embedded registry (src/rehearsal/registry.ts), which `release --dry-run` rehearses on.
 */
export { portOpen, resolveVerdaccio, startRegistry, type Registry } from '../../src/rehearsal/registry.js';
