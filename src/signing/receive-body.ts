import type { Readable } from 'node:stream';

/** The body as read, or why it could not be: both are up to the sender, so neither is an exception. */
export type BodyRead =
  | { ok: true; body: Uint8Array }
  | { ok: false; reason: 'body_too_large' | 'body_incomplete'; message: string };

/**
 * A declared length over the limit is refused before a byte is read (issue 13, item 10); a chunked
 * body is still capped as it streams.
 */
export function declaredTooLarge(length: string | null | undefined, limit: number): BodyRead | null {
  const declared = Number(length);
  return length != null && length !== '' && declared > limit ? tooLarge(limit) : null;
}

/**
 * Reads a Node request body up to `limit` bytes, handing each chunk to `onChunk` as it arrives (the
 * HMACs hash as it streams). Past the limit nothing more is buffered: the rest is read and dropped,
 * not destroyed, so the socket stays up to carry the app's answer (issue 13, item 10).
 */
export function readNodeBody(stream: Readable, limit: number, onChunk: (chunk: Buffer) => void): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) {
        settle(tooLarge(limit));
        stream.resume(); // flowing with no 'data' listener: what is left is dropped as it arrives
        return;
      }
      chunks.push(bytes);
      onChunk(bytes);
    };
    stream.on('data', onData);
    stream.once('end', () => settle({ ok: true, body: Buffer.concat(chunks, size) }));
    // The error listener stays after settling, so a sender aborting later is never an unhandled 'error'.
    stream.on('error', () => settle(incomplete()));
    stream.once('close', () => settle(incomplete())); // after 'end' this is a no-op
  });
}

/** Reads a Web Request body up to `limit` bytes; past it the stream is cancelled unread. */
export async function readWebBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<BodyRead> {
  if (body === null) return { ok: true, body: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {}); // nothing to do if the sender is gone already
        return tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch {
    return incomplete();
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, body: joined };
}

export function tooLarge(limit: number): BodyRead {
  return {
    ok: false,
    reason: 'body_too_large',
    message: `the body is over maxBody (${limit} bytes); raise maxBody if your events are larger`,
  };
}

function incomplete(): BodyRead {
  return {
    ok: false,
    reason: 'body_incomplete',
    message: 'the body ended before it was complete: the sender closed the connection',
  };
}
