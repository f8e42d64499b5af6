/**
 * Where the policy comes from: `napiShip.policy` in the root package.json, or the `policy` key of
 * `napi-ship.config.json` next to it (one or the other, not both). The parsing itself is the config
 * reader's (src/config/policy.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, DiagnosticError } from '../diagnostics/index.js';
import { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig } from '../config/policy.js';
import { ConfigReader, readNapiShipConfig } from '../config/index.js';
import { isRecord } from '../util/json.js';

export const CONFIG_FILE = 'napi-ship.config.json';

function configError(file: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code: 'NS_CONFIG_INVALID', severity: 'error', subject: file, message, hint }]);
}

/**
 * The policy of the root package at `rootDir`: `napiShip.policy` of its package.json (`rootManifest`,
 * as already read), or the `policy` key of `napi-ship.config.json` in `rootDir`. Neither → the default
 * (nothing allowed, so every license is reported until an allow list exists). Both → an error.
 */
export async function readPolicyConfig(rootDir: string, rootManifest: Readonly<Record<string, unknown>>): Promise<PolicyConfig> {
  const packageJson = path.join(rootDir, 'package.json');
  // The whole `napiShip` is read (strictly, every problem at once), not only its policy.
  const inPackage = readNapiShipConfig(rootManifest, packageJson).policy;

  const configPath = path.join(rootDir, CONFIG_FILE);
  let text: string | null = null;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    if (!(isRecord(error) && error.code === 'ENOENT'))
      throw configError(configPath, `cannot read ${CONFIG_FILE}: ${errorMessage(error)}`, "check the file's permissions");
  }
  let inFile: unknown = undefined;
  if (text !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw configError(configPath, `${CONFIG_FILE} is not valid JSON: ${errorMessage(error)}`, 'fix the JSON syntax');
    }
    if (!isRecord(parsed))
      throw configError(configPath, `${CONFIG_FILE} must hold a JSON object`, 'e.g. { "policy": { "licenses": { "allow": ["MIT"] } } }');
    const r = new ConfigReader(configPath, 'see docs/config.md#napishippolicy');
    r.keys(parsed, '', ['policy', '$schema'], CONFIG_FILE);
    if (r.errors.length > 0) throw new DiagnosticError(r.errors);
    inFile = parsed.policy;
  }

  if (inPackage !== null && inFile !== undefined) {
    throw configError(
      configPath,
      `the policy is configured twice: \`napiShip.policy\` in ${packageJson} and \`policy\` in ${CONFIG_FILE}`,
      'keep one of the two',
    );
  }
  if (inPackage !== null) return inPackage;
  if (inFile !== undefined) return parsePolicyConfig(inFile, configPath, 'policy');
  return defaultPolicyConfig();
}
