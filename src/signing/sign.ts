import { createHmac } from 'node:crypto';

export type SignableBody = Buffer | Uint8Array | string;

/**
 * The lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the UTF-8 bytes of the secret
 * (CONTRACT.md, "A delivery"). A string body is hashed as its UTF-8 encoding.
 */
export function sign(secret: string, body: SignableBody): string {
  assertSecret(secret);
  assertBody(body);
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function assertSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string') throw new TypeError(`the secret must be a string, got ${typeof secret}`);
  if (secret === '') throw new TypeError('the secret is empty');
}

/** Signing a parsed object is the bug users hit most: say so rather than hash "[object Object]". */
export function assertBody(body: unknown): asserts body is SignableBody {
  if (typeof body === 'string' || body instanceof Uint8Array) return;
  const what = body === null ? 'null' : typeof body;
  throw new TypeError(
    `the body must be the raw bytes (Buffer, Uint8Array or string), got ${what}; ` +
      'sign and verify the body exactly as received, never a parsed and re-serialized object',
  );
}

/** The same signature over a stream of chunks, so a large body is never held in memory at once. */
export async function signStream(secret: string, chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  assertSecret(secret);
  const hmac = createHmac('sha256', secret);
  for await (const chunk of chunks) hmac.update(chunk);
  return hmac.digest('hex');
}
