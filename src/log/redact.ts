/**
 * The one redaction rule: what the logger writes and what the registry client puts into messages
 * both pass through `redact`, the union of the two rules that existed before (the log's credential
 * shapes, the registry's known secrets and bearer/_authToken forms).
 */

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // npm automation/granular tokens.
  [/\bnpm_[A-Za-z0-9]{20,}\b/g, 'npm_***'],
  // .npmrc auth lines: //registry/:_authToken=…, _auth=…, _password=…
  [/(_authToken\s*=\s*)("?)[^\s"']+/gi, '$1$2***'],
  [/(\b_auth\s*=\s*)("?)[^\s"']+/gi, '$1$2***'],
  [/(\b_password\s*=\s*)("?)[^\s"']+/gi, '$1$2***'],
  // HTTP authorization headers.
  [/(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***'],
  // GitHub tokens.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, 'gh*_***'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, 'github_pat_***'],
  // KEY=value for the usual token variables.
  [
    /(\b(?:NPM_TOKEN|NODE_AUTH_TOKEN|GITHUB_TOKEN|GH_TOKEN|NPM_CONFIG__AUTH(?:TOKEN)?|NAPI_SHIP_SIGNING_KEY)\s*[=:]\s*)("?)[^\s"']+/gi,
    '$1$2***',
  ],
  // user:password@ in URLs.
  [/(\bhttps?:\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1***@'],
];

/**
 * Replace every known secret (and its URL-encoded form), and anything shaped like a credential, by
 * `***`. Secrets shorter than 4 characters are left alone (they would blank out ordinary text).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    out = out.split(secret).join('***');
    // Also the forms a token takes when it travels encoded.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('***');
  }
  out = out.replace(/(bearer\s+)[^\s"',;]+/gi, '$1***').replace(/(_authToken\s*[=:]\s*"?)[^\s"',;]+/gi, '$1***');
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
