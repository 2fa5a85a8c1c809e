import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Hint {
  code: string;
  message: string;
}

export interface NamedSecret {
  /** How to name it to a person: "the local development secret", "$OBLIC_WEBHOOK_SECRET". */
  label: string;
  secret: string;
}

export interface DiagnoseInput {
  body: Buffer;
  /** The x-oblic-signature values received (none, one, or duplicates). */
  signatures: readonly string[];
  /** Every header received, to find a signature sent under another name. */
  headers: ReadonlyArray<readonly [string, string]>;
  secrets: readonly string[];
  /** Secrets the user did not name but may have signed with by mistake. */
  otherSecrets?: readonly NamedSecret[];
}

/** Body variants are HMAC'd once per candidate and secret; past this size only the body as is is tried. */
const BODY_VARIANT_LIMIT = 1024 * 1024;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const OTHER_HASHES: Record<number, string> = { 32: 'md5', 40: 'sha1', 96: 'sha384', 128: 'sha512' };

interface Candidate {
  digest: Buffer;
  algorithm: string;
  /** Why this is not what Oblic sends, or null for a well-formed value. */
  note: Hint | null;
}

interface Variant<T> {
  value: T;
  note: Hint | null;
}

/**
 * After a failed verification, tries what usually went wrong and says which of those would have
 * matched. Hints only explain: they never turn a failure into a pass, and never reveal a signature.
 */
export function diagnose(input: DiagnoseInput): Hint[] {
  const hints: Hint[] = [];
  const candidates = candidatesFrom(input, hints);
  const secrets = secretVariants(input);
  const bodies = bodyVariants(input.body);
  for (const candidate of candidates) {
    for (const secret of secrets) {
      for (const body of bodies) {
        const notes = [candidate.note, secret.note, body.note].filter((n): n is Hint => n !== null);
        if (notes.length === 0) continue; // that is the plain check, which already failed
        if (!matches(candidate, secret.value, body.value)) continue;
        hints.push({ code: notes.map((n) => n.code).join('+'), message: `it matches ${notes.map((n) => n.message).join(', and ')}` });
      }
    }
  }
  return dedupe(hints);
}

function matches(candidate: Candidate, secret: string, body: Buffer): boolean {
  const digest = createHmac(candidate.algorithm, secret).update(body).digest();
  return digest.length === candidate.digest.length && timingSafeEqual(digest, candidate.digest);
}

/** What the sender may have meant by the value(s) it sent, or what other headers carry. */
function candidatesFrom(input: DiagnoseInput, hints: Hint[]): Candidate[] {
  const out: Candidate[] = [];
  const duplicate = input.signatures.length > 1;
  for (const raw of input.signatures) {
    const value = raw.trim();
    const dup: Hint | null = duplicate ? { code: 'duplicate_header', message: `this one of the ${input.signatures.length} x-oblic-signature headers ("${shorten(value)}") alone` } : null;
    out.push(...readValue(value, dup, hints));
  }
  if (input.signatures.length === 0) {
    for (const [name, value] of input.headers) {
      if (!/sig|hmac|hash/i.test(name) || name.toLowerCase() === 'x-oblic-signature') continue;
      const note: Hint = { code: 'other_header', message: `the value of the ${name} header: the signature was sent under another name than x-oblic-signature` };
      out.push(...readValue(value.trim(), note, []));
    }
  }
  return out;
}

function readValue(value: string, note: Hint | null, hints: Hint[]): Candidate[] {
  if (HEX64.test(value)) return [{ digest: Buffer.from(value, 'hex'), algorithm: 'sha256', note }];
  const out: Candidate[] = [];
  const prefixed = /^([A-Za-z0-9_.-]{1,20})[=:]\s*(.+)$/.exec(value);
  if (prefixed && HEX64.test(prefixed[2]!)) {
    out.push({
      digest: Buffer.from(prefixed[2]!, 'hex'),
      algorithm: 'sha256',
      note: join(note, { code: 'prefix', message: `without the "${prefixed[1]}${value[prefixed[1]!.length]}" prefix (Oblic sends the bare hex digest)` }),
    });
  }
  const base64 = /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64') : null;
  if (base64 && base64.length === 32) {
    out.push({ digest: base64, algorithm: 'sha256', note: join(note, { code: 'base64', message: 'read as base64 (Oblic sends lowercase hex)' }) });
  }
  const algorithm = /^[0-9a-fA-F]+$/.test(value) ? OTHER_HASHES[value.length] : undefined;
  if (algorithm) {
    const name = `HMAC-${algorithm.toUpperCase().replace('SHA', 'SHA-')}`;
    hints.push({ code: 'other_length', message: `the value has ${value.length} hex digits, the size of a ${algorithm.toUpperCase()} digest; Oblic signs with HMAC-SHA256 (64 hex digits)` });
    out.push({ digest: Buffer.from(value, 'hex'), algorithm, note: join(note, { code: 'other_hash', message: `as an ${name} (Oblic uses HMAC-SHA256)` }) });
  }
  return out;
}

function join(a: Hint | null, b: Hint): Hint {
  return a ? { code: `${a.code}+${b.code}`, message: `${a.message}, ${b.message}` } : b;
}

function secretVariants(input: DiagnoseInput): Array<Variant<string>> {
  const out: Array<Variant<string>> = [];
  for (const secret of input.secrets) {
    out.push({ value: secret, note: null });
    const trimmed = secret.trim();
    if (trimmed !== secret && trimmed !== '') {
      out.push({ value: trimmed, note: { code: 'secret_whitespace', message: 'with the whitespace around your secret removed (a stray space or newline in it?)' } });
    }
  }
  for (const other of input.otherSecrets ?? []) {
    if (input.secrets.includes(other.secret)) continue;
    out.push({ value: other.secret, note: { code: 'other_secret', message: `with ${other.label} instead of the secret you gave` } });
  }
  return out;
}

function bodyVariants(body: Buffer): Array<Variant<Buffer>> {
  const out: Array<Variant<Buffer>> = [{ value: body, note: null }];
  if (body.length > BODY_VARIANT_LIMIT) return out;
  const text = body.toString('latin1'); // byte-preserving: each byte is one char and back
  const seen = new Set([text]);
  // The first, plainest explanation of a given byte sequence wins (a compact re-serialization of
  // "{…}\n" is also "the body without its trailing newline").
  const add = (value: string, code: string, message: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    out.push({ value: Buffer.from(value, 'latin1'), note: { code, message } });
  };
  for (const ending of ['\r\n', '\n', '\r']) {
    if (text.endsWith(ending)) {
      add(text.slice(0, -ending.length), 'trailing_newline_added', 'the body without its trailing newline (one was added after signing: an editor, echo, a proxy?)');
      break;
    }
  }
  if (!/[\r\n]$/.test(text)) {
    add(`${text}\n`, 'trailing_newline_removed', 'the body with a trailing newline (LF) added back (the capture lost it after signing?)');
    add(`${text}\r\n`, 'trailing_newline_removed', 'the body with a trailing CRLF added back (the capture lost it after signing?)');
  }
  if (text.includes('\r\n')) add(text.replaceAll('\r\n', '\n'), 'line_endings', 'the body with CRLF line endings turned into LF (line endings were converted after signing)');
  if (/(^|[^\r])\n/.test(text)) add(text.replace(/\r?\n/g, '\r\n'), 'line_endings', 'the body with LF line endings turned into CRLF (line endings were converted after signing)');
  const BOM = '\xef\xbb\xbf';
  if (text.startsWith(BOM)) add(text.slice(3), 'bom', 'the body without the UTF-8 byte order mark at its start (it was added after signing)');
  else add(BOM + text, 'bom', 'the body with a UTF-8 byte order mark at its start (the capture dropped it)');
  const json = tryJson(body);
  if (json !== undefined) {
    const reserialized = 'the bytes you have are not the bytes that were signed: verify the raw body as received, before any JSON parsing';
    for (const [indent, how] of [[0, 'compact JSON'], [2, 'JSON indented by 2 spaces'], [4, 'JSON indented by 4 spaces']] as const) {
      const value = Buffer.from(JSON.stringify(json, null, indent), 'utf8').toString('latin1');
      add(value, 'reserialized', `the body re-serialized as ${how} (${reserialized})`);
    }
  }
  return out;
}

function tryJson(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
}

function shorten(value: string): string {
  const safe = value.replace(/[^\x20-\x7e]/g, '?');
  return safe.length > 16 ? `${safe.slice(0, 8)}…${safe.slice(-4)}` : safe;
}

function dedupe(hints: Hint[]): Hint[] {
  const seen = new Set<string>();
  return hints.filter((hint) => !seen.has(hint.message) && seen.add(hint.message));
}
