import { createHmac, timingSafeEqual } from 'node:crypto';
import { bodyVariants, type Variant } from './variants.js';
import { formatBytes, printable } from '../base/text.js';

export interface Hint {
  code: string;
  message: string;
}

export interface NamedSecret {
  /** How to name it to a person: "the local development secret", "$OBLIC_WEBHOOK_SECRET". */
  label: string;
  secret: string;
}

/**
 * What hints may cost one failed verification (issue 13, item 2): any sender can make a check fail,
 * so the work a failure buys is bounded whatever the body and headers hold.
 */
export interface HintBudget {
  /** Signature values read, from duplicate headers or from headers under other names. */
  candidates: number;
  /** Bytes run through an HMAC for hints, in total across body variants, secrets and algorithms. */
  bytes: number;
  ms: number;
  /** The clock the time budget is read from. */
  now: () => number;
}

/** About 30 ms of hashing on one core: a 1 MiB body still gets every variant under two secrets. */
const HINT_BUDGET: HintBudget = { candidates: 8, bytes: 32_000_000, ms: 200, now: () => performance.now() };

export interface DiagnoseInput {
  body: Buffer;
  /** The x-oblic-signature values received (none, one, or duplicates). */
  signatures: readonly string[];
  /** Every header received, to find a signature sent under another name. */
  headers: ReadonlyArray<readonly [string, string]>;
  secrets: readonly string[];
  /** Secrets the user did not name but may have signed with by mistake. */
  otherSecrets?: readonly NamedSecret[];
  budget?: Partial<HintBudget>;
}

/** Digest sizes in bytes, and the HMAC each is the size of. */
const ALGORITHMS: Record<number, string> = { 16: 'md5', 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

interface Candidate {
  digest: Buffer;
  algorithm: string;
  /** Why this is not what Oblic sends, or null for a well-formed value. */
  note: Hint | null;
}

/**
 * After a failed verification, tries what usually went wrong and says which of those would have
 * matched. Hints only explain: they never turn a failure into a pass, never reveal a signature, and
 * never throw: a hint that cannot be computed, or does not fit the budget, is skipped and said so.
 */
export function diagnose(input: DiagnoseInput): Hint[] {
  const budget = { ...HINT_BUDGET, ...input.budget };
  const hints: Hint[] = [];
  const skipped = new Set<string>();
  const candidates = candidatesFrom(input, budget.candidates, hints, skipped);
  if (candidates.length > 0) search(input, candidates, budget, hints, skipped);
  if (skipped.size > 0)
    hints.push({ code: 'hints_skipped', message: `not every hint was tried: ${[...skipped].join('; ')}` });
  return dedupe(hints);
}

/**
 * Each HMAC of a body variant under a secret is computed once and compared with every candidate of
 * its algorithm, so the work does not grow with the number of headers; it stops at the budget.
 */
function search(
  input: DiagnoseInput,
  candidates: readonly Candidate[],
  budget: HintBudget,
  hints: Hint[],
  skipped: Set<string>,
): void {
  const started = budget.now();
  const secrets = secretVariants(input);
  const algorithms = [...new Set(candidates.map((c) => c.algorithm))];
  let hashed = 0;
  for (const body of bodyVariants(input.body, skipped)) {
    for (const secret of secrets) {
      for (const algorithm of algorithms) {
        const worth = candidates.filter(
          (c) => c.algorithm === algorithm && (c.note ?? secret.note ?? body.note) !== null,
        );
        if (worth.length === 0) continue; // the plain check, which already failed
        const over =
          hashed + body.value.length > budget.bytes
            ? `${formatBytes(budget.bytes)} hashed`
            : budget.now() - started > budget.ms
              ? `${budget.ms} ms`
              : null;
        if (over !== null) {
          skipped.add(`the hint budget of ${over} ran out`);
          return;
        }
        hashed += body.value.length;
        const digest = createHmac(algorithm, secret.value).update(body.value).digest();
        for (const candidate of worth) {
          if (digest.length === candidate.digest.length && timingSafeEqual(digest, candidate.digest))
            hints.push(hintOf(candidate, secret, body));
        }
      }
    }
  }
}

function hintOf(candidate: Candidate, secret: Variant<string>, body: Variant<Buffer>): Hint {
  const notes = [candidate.note, secret.note, body.note].filter((n): n is Hint => n !== null);
  return {
    code: notes.map((n) => n.code).join('+'),
    message: `it matches ${notes.map((n) => n.message).join(', and ')}`,
  };
}

/** What the sender may have meant by the value(s) it sent, or what other headers carry: a few of them. */
function candidatesFrom(input: DiagnoseInput, limit: number, hints: Hint[], skipped: Set<string>): Candidate[] {
  const out: Candidate[] = [];
  if (input.signatures.length > 0) {
    const count = input.signatures.length;
    const values = [...new Set(input.signatures.map((raw) => raw.trim()))];
    if (values.length > limit)
      skipped.add(`only ${limit} of the ${values.length} different x-oblic-signature values were read`);
    for (const value of values.slice(0, limit)) {
      const dup: Hint | null =
        count > 1
          ? {
              code: 'duplicate_header',
              message: `this one of the ${count} x-oblic-signature headers ("${shorten(value)}") alone`,
            }
          : null;
      out.push(...readValue(value, dup, hints));
    }
    return out;
  }
  const others = input.headers.filter(
    ([name]) => /sig|hmac|hash/i.test(name) && name.toLowerCase() !== 'x-oblic-signature',
  );
  if (others.length > limit)
    skipped.add(`only the first ${limit} of the ${others.length} signature-like headers were read`);
  for (const [name, value] of others.slice(0, limit)) {
    const note: Hint = {
      code: 'other_header',
      message: `the value of the ${printable(name, 40)} header: the signature was sent under another name than x-oblic-signature`,
    };
    out.push(...readValue(value.trim(), note, []));
  }
  return out;
}

/**
 * Every reading of one value (issue 13, item 18): an optional "name=" prefix, then hex or base64,
 * then the HMAC whose size the digest has. Each step that is not what Oblic sends adds its note.
 */
function readValue(value: string, note: Hint | null, hints: Hint[]): Candidate[] {
  const out: Candidate[] = [];
  const forms: Array<{ text: string; note: Hint | null }> = [{ text: value, note: null }];
  const prefixed = /^([A-Za-z0-9_.-]{1,20}[=:])\s*(.+)$/.exec(value);
  if (prefixed)
    forms.push({
      text: prefixed[2]!,
      note: { code: 'prefix', message: `without the "${prefixed[1]}" prefix (Oblic sends the bare hex digest)` },
    });
  for (const form of forms) {
    const decoded = decode(form.text);
    const algorithm = decoded && ALGORITHMS[decoded.digest.length];
    if (!decoded || !algorithm) continue;
    let other: Hint | null = null;
    if (algorithm !== 'sha256') {
      const name = algorithm.toUpperCase();
      other = { code: 'other_hash', message: `as an HMAC-${name.replace('SHA', 'SHA-')} (Oblic uses HMAC-SHA256)` };
      if (decoded.note === null) {
        hints.push({
          code: 'other_length',
          message: `the value has ${form.text.length} hex digits${form.note ? ' after its prefix' : ''}, the size of a ${name} digest; Oblic signs with HMAC-SHA256 (64 hex digits)`,
        });
      }
    }
    const notes = [note, form.note, decoded.note, other].filter((n): n is Hint => n !== null);
    out.push({
      digest: decoded.digest,
      algorithm,
      note: notes.reduce<Hint | null>((a, b) => (a ? join(a, b) : b), null),
    });
  }
  return out;
}

/** A digest written in hex (Oblic's way) or base64 / base64url, when its size is a digest's. */
function decode(text: string): { digest: Buffer; note: Hint | null } | null {
  if (/^[0-9a-fA-F]+$/.test(text) && ALGORITHMS[text.length / 2])
    return { digest: Buffer.from(text, 'hex'), note: null };
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  const digest = Buffer.from(text, /[-_]/.test(text) ? 'base64url' : 'base64');
  if (!ALGORITHMS[digest.length] || text.replace(/=+$/, '').length !== Math.ceil((digest.length * 4) / 3)) return null;
  return { digest, note: { code: 'base64', message: 'read as base64 (Oblic sends lowercase hex)' } };
}

function join(a: Hint, b: Hint): Hint {
  return { code: `${a.code}+${b.code}`, message: `${a.message}, ${b.message}` };
}

function secretVariants(input: DiagnoseInput): Array<Variant<string>> {
  const out: Array<Variant<string>> = [];
  for (const secret of input.secrets) {
    out.push({ value: secret, note: null });
    const trimmed = secret.trim();
    if (trimmed !== secret && trimmed !== '') {
      out.push({
        value: trimmed,
        note: {
          code: 'secret_whitespace',
          message: 'with the whitespace around your secret removed (a stray space or newline in it?)',
        },
      });
    }
  }
  for (const other of input.otherSecrets ?? []) {
    if (input.secrets.includes(other.secret)) continue;
    out.push({
      value: other.secret,
      note: { code: 'other_secret', message: `with ${other.label} instead of the secret you gave` },
    });
  }
  return out;
}

function shorten(value: string): string {
  const safe = value.replace(/[^\x20-\x7e]/g, '?');
  return safe.length > 16 ? `${safe.slice(0, 8)}…${safe.slice(-4)}` : safe;
}

function dedupe(hints: Hint[]): Hint[] {
  const seen = new Set<string>();
  return hints.filter((hint) => !seen.has(hint.message) && seen.add(hint.message));
}
