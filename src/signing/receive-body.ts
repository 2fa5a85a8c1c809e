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

/** A body as `readLimited` ends it: the bytes, or why there are none (both up to the sender). */
export type LimitedBody = Buffer | 'too large' | 'aborted';

/** Bodies of a known length from this size up are copied into one buffer as they come. */
const LARGE_BODY = 64 * 1024;

/**
 * Reads a Node stream up to `limit` bytes in one pass and calls `done` once, synchronously on the
 * last chunk (the listener answers in the same turn). Past the limit nothing more is kept: the rest
 * is read and dropped, not destroyed, so the socket stays up to carry the 413 or the app's answer
 * (issue 13, item 10). A large body whose `length` is known is copied into its place as it comes: no
 * second copy at the end, and each chunk is garbage at once (issue 13, item 3: 300 bodies of 1 MiB).
 * `onChunk` sees each chunk kept (the HMACs hash as it streams). The server, `readNodeBody` and the
 * inspector read their bodies with this.
 */
export function readLimited(
  stream: Readable,
  limit: number,
  done: (body: LimitedBody) => void,
  { length, onChunk }: { length?: number; onChunk?: (chunk: Buffer) => void } = {},
): void {
  const chunks: Buffer[] = [];
  let whole = length !== undefined && length >= LARGE_BODY && length <= limit ? Buffer.allocUnsafeSlow(length) : null;
  let size = 0;
  let ended = false;
  const end = (body: LimitedBody) => {
    if (ended) return;
    ended = true;
    stream.off('data', onData);
    done(body);
  };
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) {
      chunks.length = 0;
      whole = null;
      end('too large');
      stream.resume(); // flowing with no 'data' listener: what is left is dropped as it arrives
      return;
    }
    if (whole !== null && size <= whole.length) bytes.copy(whole, size - bytes.length);
    else {
      // More than the length said (a stream that is not HTTP's): what was copied joins the chunks.
      if (whole !== null) chunks.push(whole.subarray(0, size - bytes.length));
      whole = null;
      chunks.push(bytes);
    }
    onChunk?.(bytes);
  };
  stream.on('data', onData);
  stream.once('end', () =>
    end(whole === null ? Buffer.concat(chunks, size) : size === whole.length ? whole : whole.subarray(0, size)),
  );
  // The error listener stays after the end, so a sender aborting later is never an unhandled 'error'.
  stream.on('error', () => end('aborted'));
  // A stream closes after its 'end'; closed before it, the body will not be complete.
  stream.once('close', () => end('aborted'));
}

/**
 * Reads a Node request body up to `limit` bytes, handing each chunk to `onChunk` as it arrives (the
 * HMACs hash as it streams); see `readLimited`.
 */
export function readNodeBody(stream: Readable, limit: number, onChunk: (chunk: Buffer) => void): Promise<BodyRead> {
  return new Promise((resolve) =>
    readLimited(
      stream,
      limit,
      (body) =>
        resolve(body === 'too large' ? tooLarge(limit) : body === 'aborted' ? incomplete() : { ok: true, body }),
      { onChunk },
    ),
  );
}

/**
 * Reads a Web Request body up to `limit` bytes, handing each chunk to `onChunk` as it arrives (the
 * HMACs hash as it streams); past the limit the stream is cancelled unread.
 */
export async function readWebBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  onChunk: (chunk: Uint8Array) => void,
): Promise<BodyRead> {
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
      onChunk(value);
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
