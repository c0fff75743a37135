// Removes credentials from text that goes to logs and the dead-letter file: bearer tokens, API keys and
// Authorization values echoed back by servers or carried in URLs.

const PATTERNS: [RegExp, string][] = [
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]'],
  [/(basic\s+)[A-Za-z0-9._~+/=:-]+/gi, '$1[REDACTED]'],
  [/("?(?:authorization|api[_-]?key|apikey|token|access[_-]?token|password|secret)"?\s*[:=]\s*"?)[^"\s,&}]+/gi, '$1[REDACTED]'],
  [/(\/\/[^/:@\s]+:)[^@/\s]+@/g, '$1[REDACTED]@'],
];

/** `text` with bearer/basic credentials, key=value secrets and URL passwords replaced by `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
