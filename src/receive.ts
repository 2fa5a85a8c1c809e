import type { IncomingMessage } from 'node:http';
import { parseEvent, type ParseError } from './parse-event.js';
import type { OblicEvent } from './models.js';
import { readSignature, verdictFor, verify, type Verdict } from './verify.js';

export interface VerifyRequestOptions {
  /** The endpoint's secret, or several while rotating. */
  secrets: string | readonly string[];
}

export interface RequestVerdict extends Verdict {
  /** The exact body bytes that were checked. */
  body: Uint8Array;
  /** The typed event, when verified and the body is a valid Oblic event. */
  event: OblicEvent | null;
  /** Why a verified body is not a valid event, if it is not. */
  eventError: ParseError | null;
}

/** What Express (or Connect, Fastify's raw request…) gives a handler: a Node request, maybe with a body. */
type NodeLikeRequest = IncomingMessage & { body?: unknown };

/**
 * Verifies an incoming Oblic delivery and returns a verdict with the typed event:
 * - a Web `Request` (Next.js route handlers, Hono, Bun, Deno, Workers): read and checked with
 *   WebCrypto's constant-time HMAC verify;
 * - an Express request after `express.raw({ type: 'application/json' })`: `req.body` is the raw bytes;
 *   a parsed body (express.json()) is a TypeError, because its signature cannot be checked;
 * - a plain Node `IncomingMessage`: the raw body is read here.
 * A wrong signature is a verdict, never an exception.
 */
export async function verifyRequest(request: Request | NodeLikeRequest, options: VerifyRequestOptions): Promise<RequestVerdict> {
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : [...options.secrets];
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s !== '')) {
    throw new TypeError('verifyRequest() needs at least one non-empty secret (is OBLIC_WEBHOOK_SECRET set?)');
  }
  if (isWebRequest(request)) return verifyWebRequest(request, secrets);
  const body = await nodeBody(request);
  const verdict = verify({ body, signature: request.headers['x-oblic-signature'], secrets });
  return withEvent(verdict, body);
}

function isWebRequest(request: unknown): request is Request {
  return typeof (request as Request).arrayBuffer === 'function' && typeof (request as Request).headers?.get === 'function';
}

async function verifyWebRequest(request: Request, secrets: string[]): Promise<RequestVerdict> {
  const body = new Uint8Array(await request.arrayBuffer());
  const given = readSignature(request.headers.get('x-oblic-signature'));
  if (!Buffer.isBuffer(given)) return withEvent(given, body);
  const encoder = new TextEncoder();
  let matched: number | null = null;
  for (const [index, secret] of secrets.entries()) {
    const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    // subtle.verify compares in constant time.
    if ((await crypto.subtle.verify('HMAC', key, new Uint8Array(given), body)) && matched === null) matched = index;
  }
  return withEvent(verdictFor(matched, secrets.length, body.byteLength), body);
}

async function nodeBody(request: NodeLikeRequest): Promise<Uint8Array> {
  if (request.body !== undefined) {
    if (request.body instanceof Uint8Array) return request.body;
    if (typeof request.body === 'string') return new TextEncoder().encode(request.body);
    throw new TypeError(
      'req.body is already parsed, so its signature cannot be checked: the signature covers the exact bytes Oblic sent. ' +
        "Mount express.raw({ type: 'application/json' }) on the webhook route instead of express.json().",
    );
  }
  if (request.readableEnded) {
    throw new TypeError('the request body was already read by something else; verify the webhook before any body parser runs');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function withEvent(verdict: Verdict, body: Uint8Array): RequestVerdict {
  if (!verdict.verified) return { ...verdict, body, event: null, eventError: null };
  const parsed = parseEvent(body);
  return { ...verdict, body, event: parsed.ok ? parsed.event : null, eventError: parsed.ok ? null : parsed.error };
}
