import { createHmac } from 'node:crypto';
import { printable } from '../base/text.js';
import { parseEvent, type ParseError } from '../oblic/parse.js';
import type { OblicEvent } from '../oblic/models.js';
import { declaredTooLarge, readNodeBody, readWebBody, tooLarge, type BodyRead } from './receive-body.js';
import { sourceOf, type Caller, type ReceivedRequest, type Source } from './receive-source.js';
import { checkSignature, readSignature, type FailureReason, type Verdict } from './verify.js';

export type { ReceivedRequest } from './receive-source.js';

export interface VerifyRequestOptions {
  /**
   * The endpoint's secret, or several while rotating. An unset one (undefined or '') is skipped, so
   * `[process.env.OBLIC_WEBHOOK_SECRET]` type-checks; with none left it is a TypeError.
   */
  secrets: string | undefined | readonly (string | undefined)[];
  /** The largest body read, in bytes (default 1 MiB, as `listen --max-body`); past it the verdict is `body_too_large`. */
  maxBody?: number;
}

/**
 * Why a request did not verify: the signature's reasons, a body over `maxBody` or cut short by the
 * sender, or one of a content type Oblic never sends that a body parser of the app took first.
 */
export type RequestFailureReason = FailureReason | 'body_too_large' | 'body_incomplete' | 'body_parsed';

export interface RequestVerdict extends Omit<Verdict, 'reason'> {
  /** null when verified; `body_too_large` deserves a 413, the others a 401 (or 400). */
  reason: RequestFailureReason | null;
  /** The exact body bytes that were checked; empty when the request was refused before its body was read. */
  body: Uint8Array;
  /** The typed event, when verified and the body is a valid Oblic event. */
  event: OblicEvent | null;
  /** Why a verified body is not a valid event, if it is not. */
  eventError: ParseError | null;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const NO_BODY = new Uint8Array(0);

/**
 * Verifies an incoming Oblic delivery and returns a verdict with the typed event. It takes a Web
 * `Request` (Next.js, Hono's c.req.raw, Bun, Deno, Workers), a Node request
 * (plain node:http, Express 4 and 5 with or without `express.raw()`, Koa's ctx.req), or Fastify's
 * request with a `parseAs: 'buffer'` parser. The signature header is checked before the body is read,
 * and the body is read up to `maxBody` (issue 13, item 10).
 * Whatever the sender does is a verdict, never an exception; misuse (no secret, a parsed body, the
 * wrong object) is a TypeError that names the fix.
 */
export async function verifyRequest(request: ReceivedRequest, options: VerifyRequestOptions): Promise<RequestVerdict> {
  return verifyChecked(request, readOptions(options, 'verifyRequest'), 'verifyRequest');
}

/** The options as readOptions checked them: the secrets given, and where each was in the list. */
export interface CheckedOptions {
  secrets: string[];
  positions: number[];
  maxBody: number;
}

/** verifyRequest with options already checked by readOptions; `caller` picks whose fix a TypeError names. */
export async function verifyChecked(
  request: ReceivedRequest,
  { secrets, positions, maxBody }: CheckedOptions,
  caller: Caller,
): Promise<RequestVerdict> {
  const source = sourceOf(request, caller);
  const given = readSignature(source.signature);
  if (!Buffer.isBuffer(given)) return withEvent(given, NO_BODY);
  if (source.gone) {
    if ('misuse' in source.gone) throw source.gone.misuse;
    return failure({
      reason: 'body_parsed',
      message: `a body parser took the body (${printable(source.gone.notOblic, 60)}) before it could be checked; Oblic sends application/json`,
    });
  }
  // The body is hashed under every secret as it arrives, whichever kind of request carries it.
  const hmacs = secrets.map((secret) => createHmac('sha256', secret));
  const hash = (chunk: Uint8Array) => hmacs.forEach((hmac) => hmac.update(chunk));
  const read =
    source.kind === 'web'
      ? (declaredTooLarge(source.request.headers.get('content-length'), maxBody) ??
        (await readWebBody(source.request.body, maxBody, hash)))
      : await nodeBytes(source, maxBody, hash);
  if (!read.ok) return failure(read);
  const verdict = checkSignature(
    source.signature,
    hmacs.map((hmac) => hmac.digest()),
    read.body.byteLength,
  );
  const matchedSecret = verdict.matchedSecret === null ? null : (positions[verdict.matchedSecret] ?? null);
  return withEvent({ ...verdict, matchedSecret }, read.body);
}

/** The bytes a body parser kept (express.raw, Fastify's buffer parser), else the stream, read here. */
async function nodeBytes(
  source: Extract<Source, { kind: 'node' }>,
  maxBody: number,
  onChunk: (chunk: Uint8Array) => void,
): Promise<BodyRead> {
  if (source.body === undefined) {
    return (
      declaredTooLarge(source.stream.headers['content-length'], maxBody) ??
      readNodeBody(source.stream, maxBody, onChunk)
    );
  }
  const body = typeof source.body === 'string' ? new TextEncoder().encode(source.body) : (source.body as Uint8Array);
  if (body.byteLength > maxBody) return tooLarge(maxBody);
  onChunk(body);
  return { ok: true, body };
}

/**
 * Options are the developer's, so a wrong one is a TypeError that says what to pass (issue 13, item
 * 12); `who` is the function the message names (createWebhooks checks its options with this too).
 */
export function readOptions(options: VerifyRequestOptions | undefined, who: string): CheckedOptions {
  const given: unknown = options?.secrets;
  if (given === undefined || given === null) {
    throw new TypeError(
      `${who}(${who === 'verifyRequest' ? 'request, ' : ''}{ secrets }) needs the endpoint secret, or an array of them while rotating (is OBLIC_WEBHOOK_SECRET set?)`,
    );
  }
  if (typeof given !== 'string' && typeof (given as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${who}() secrets must be a string or an array of strings, got ${typeof given}`);
  }
  const listed: unknown[] = typeof given === 'string' ? [given] : [...(given as Iterable<unknown>)];
  const wrong = listed.findIndex((s) => s !== undefined && typeof s !== 'string');
  if (wrong !== -1) {
    throw new TypeError(
      `${who}() secrets[${wrong}] is ${listed[wrong] === null ? 'null' : typeof listed[wrong]}, not a string`,
    );
  }
  // An unset variable is skipped, so [env.CURRENT, env.PREVIOUS] works once PREVIOUS is gone;
  // `positions` keeps where each one was given, for the verdict's matchedSecret.
  const positions = listed.flatMap((s, index) => (typeof s === 'string' && s !== '' ? [index] : []));
  const secrets = positions.map((index) => listed[index] as string);
  if (secrets.length === 0) {
    throw new TypeError(`${who}() needs at least one non-empty secret (is OBLIC_WEBHOOK_SECRET set?)`);
  }
  const maxBody = options?.maxBody ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBody) || maxBody < 0)
    throw new TypeError(`${who}() maxBody must be a number of bytes, e.g. ${DEFAULT_MAX_BODY}; got ${String(maxBody)}`);
  return { secrets, positions, maxBody };
}

function failure(read: { reason: Exclude<RequestFailureReason, FailureReason>; message: string }): RequestVerdict {
  return {
    verified: false,
    reason: read.reason,
    message: read.message,
    matchedSecret: null,
    body: NO_BODY,
    event: null,
    eventError: null,
  };
}

function withEvent(verdict: Verdict, body: Uint8Array): RequestVerdict {
  if (!verdict.verified) return { ...verdict, body, event: null, eventError: null };
  const parsed = parseEvent(body);
  return { ...verdict, body, event: parsed.ok ? parsed.event : null, eventError: parsed.ok ? null : parsed.error };
}
