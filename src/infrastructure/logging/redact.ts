import { stdSerializers } from 'pino';

/**
 * Redaction for log output at any depth (pino's redact paths cannot say "anywhere"). Values under secret-named
 * keys are replaced; strings lose URL passwords, HTTP credentials, Toss secret keys and private keys; Errors
 * become pino's err shape (type, message and stack with causes, own fields) and are redacted like the rest.
 * Returns copies, never touches the caller's objects. Bounded: past MAX_DEPTH a subtree is dropped, not
 * printed unredacted; cycles print as "[Circular]". Costs a walk per log line, and logs are per batch/page.
 */
export const REDACTED = '[redacted]';
const MAX_DEPTH = 12;

// keys compared lower-cased without separators: secretKey, TOSS_SECRET_KEY, Proxy-Authorization, set-cookie…
const SECRET_KEY = /(password|passwd|passphrase|pwd|secret|secretkey|token|apikey|authorization|cookie|credentials?|privatekey|mysqlurl)$/;
const isSecretKey = (key: string): boolean => SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));

const TEXT_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // scheme://user:password@host — the password may hold a raw "@": it runs to the last "@" before the host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@/gi, `$1:${REDACTED}@`],
  [/\b(Basic|Bearer|Digest)\s+[A-Za-z0-9._~+/-]{8,}=*/g, `$1 ${REDACTED}`],
  [/\b(test|live)_g?sk_[A-Za-z0-9_-]+/g, REDACTED],
  [/([a-z0-9_]*(?:password|passwd|pwd|secret|token|api_?key))=[^&\s;,'"]+/gi, `$1=${REDACTED}`],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
];
// a cheap gate: most strings contain none of these and skip the rules
const MAYBE_SECRET = /:\/\/|Basic|Bearer|Digest|_sk_|=|PRIVATE KEY/;

export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A redacted copy of anything pino would print. */
export function redactValue(value: unknown): unknown {
  return walk(value, 0, new Set());
}

function walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value; // payload bytes, printed by pino as is
  ancestors.add(value);
  try {
    if (value instanceof Error) return walk(Object.assign({}, stdSerializers.err(value)), depth + 1, ancestors);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(value), depth + 1, ancestors); // URL, Secret, Date…
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      out[key] = v !== undefined && isSecretKey(key) ? REDACTED : walk(v, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
