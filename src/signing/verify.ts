import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertBody, type SignableBody } from './sign.js';
import { plural } from '../base/text.js';

export type FailureReason = 'missing_signature' | 'malformed_signature' | 'mismatch';

export interface Verdict {
  verified: boolean;
  /** null when verified. */
  reason: FailureReason | null;
  /** One line for a person; never contains an expected signature. */
  message: string;
  /** Index into `secrets` of the one that matched, or null. */
  matchedSecret: number | null;
}

export interface VerifyInput {
  /** The exact bytes received. A parsed object is a TypeError: that is the bug this guards against. */
  body: SignableBody;
  /** The x-oblic-signature header value as received: a string, several (duplicate headers), or none. */
  signature: string | readonly string[] | null | undefined;
  /** One secret, or several during a rotation. */
  secrets: string | readonly string[];
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Checks an Oblic signature (CONTRACT.md): the value, trimmed, must be exactly 64 hex digits, and
 * equal, compared in constant time, to the HMAC-SHA256 of the body under one of the secrets.
 * A "no" is a verdict, never an exception; only misuse (a parsed body, no secret) throws.
 */
export function verify(input: VerifyInput): Verdict {
  assertBody(input.body);
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s !== '')) {
    throw new TypeError('verify() needs at least one non-empty secret');
  }
  return checkSignature(
    input.signature,
    secrets.map((secret) => createHmac('sha256', secret).update(input.body).digest()),
    byteLength(input.body),
  );
}

/**
 * The comparison on its own, for callers that hashed the body themselves (a 200 MiB capture is
 * streamed through the HMACs, never held in memory): `digests[i]` is the HMAC under secret i.
 */
export function checkSignature(
  signature: VerifyInput['signature'],
  digests: readonly Buffer[],
  bodyLength: number,
): Verdict {
  const given = readSignature(signature);
  if (!Buffer.isBuffer(given)) return given;
  let matched: number | null = null;
  // Every secret is checked, whatever matched first, so timing does not tell which one it was.
  digests.forEach((expected, index) => {
    if (timingSafeEqual(expected, given) && matched === null) matched = index;
  });
  return verdictFor(matched, digests.length, bodyLength);
}

/** The 32 signature bytes from a header value, or the verdict that says why there are none. */
export function readSignature(signature: VerifyInput['signature']): Buffer | Verdict {
  const values = normalizeSignature(signature);
  if (values.length === 0) return fail('missing_signature', 'the request has no x-oblic-signature header');
  if (values.length > 1) {
    return fail(
      'malformed_signature',
      `the request has ${values.length} x-oblic-signature headers; Oblic sends exactly one`,
    );
  }
  const only = values[0];
  if (typeof only !== 'string')
    return fail(
      'malformed_signature',
      `the x-oblic-signature value is not text (it is ${only === null ? 'null' : typeof only})`,
    );
  const value = only.trim();
  if (!HEX64.test(value)) return fail('malformed_signature', describeMalformed(value));
  return Buffer.from(value, 'hex');
}

/** The verdict once the signature was compared under each secret: `matched` is the first that matched. */
export function verdictFor(matched: number | null, secretCount: number, bodyLength: number): Verdict {
  if (matched !== null)
    return { verified: true, reason: null, message: 'the signature matches the body', matchedSecret: matched };
  const under = secretCount === 1 ? 'the secret' : `any of the ${secretCount} secrets`;
  return fail('mismatch', `the signature does not match the body (${plural(bodyLength, 'byte')}) under ${under}`);
}

function fail(reason: FailureReason, message: string): Verdict {
  return { verified: false, reason, message, matchedSecret: null };
}

/**
 * Header values as Node, undici or a capture give them. Every value counts, strings or not, so
 * `[hex, 42]` is two headers, not one valid one (issue 13, item 12).
 */
function normalizeSignature(signature: unknown): unknown[] {
  if (signature === undefined || signature === null) return [];
  return Array.isArray(signature) ? signature : [signature];
}

function describeMalformed(value: string): string {
  if (value === '') return 'the x-oblic-signature header is empty';
  const hex = /^[0-9a-fA-F]+$/.test(value);
  const what = hex ? plural(value.length, 'hex digit') : `${plural(value.length, 'character')}, not all hex`;
  return `the x-oblic-signature value is not 64 hex digits (it has ${what})`;
}

function byteLength(body: SignableBody): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}
