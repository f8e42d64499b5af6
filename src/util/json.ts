/** A JSON object (not null, not an array): what every reader of package.json and registry bodies checks first. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
