import { createHmac } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { parseHttpHead, truncated } from './http1.js';
import { InputError } from '../base/errors.js';
import type { Inspection } from './verdict.js';
import { describeFsError } from '../base/files.js';
import { checkSignature } from '../signing/verify.js';

/** Past this size a file is streamed through the HMACs instead of read into memory. */
export const STREAM_THRESHOLD = 16 * 1024 * 1024;
const HEAD_PROBE = 64 * 1024;

/**
 * Verifies a large raw capture (or, with `signature`, a large bare body) in one streamed pass: the
 * head is read, then only the body's bytes go through one HMAC per secret, 1 MiB at a time.
 * Returns null when the file is not one this path handles (small, chunked, JSON): the caller then
 * reads it whole. Hints need the body in memory and are not computed here.
 */
export async function inspectLargeFile(
  path: string,
  secrets: readonly string[],
  signature?: string,
): Promise<Inspection | null> {
  let size: number;
  let probe: Buffer;
  try {
    // One stat decides; a small file is then read once, whole, by the caller.
    size = (await stat(path)).size;
    if (size <= STREAM_THRESHOLD) return null;
    const handle = await open(path, 'r');
    try {
      probe = Buffer.alloc(HEAD_PROBE);
      const { bytesRead } = await handle.read(probe, 0, HEAD_PROBE, 0);
      probe = probe.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  let start = 0;
  let end = size; // exclusive
  let headers: Array<[string, string]> = [['x-oblic-signature', signature ?? '']];
  if (signature === undefined) {
    if (!/^[A-Z]+ \S+ HTTP\/\d\.\d\r?\n/.test(probe.subarray(0, 8192).toString('latin1'))) return null;
    const head = parseHttpHead(probe);
    if (head.framing.kind === 'chunked') return null;
    headers = head.headers;
    start = head.bodyStart;
    if (head.framing.kind === 'length') {
      if (start + head.framing.length > size) throw truncated(head.framing.length, size - start);
      end = start + head.framing.length;
    }
  }
  const hmacs = secrets.map((secret) => createHmac('sha256', secret));
  await hashRange(path, start, end, hmacs);
  const values = headers.filter(([name]) => name.toLowerCase() === 'x-oblic-signature').map(([, value]) => value);
  const verdict = checkSignature(
    values,
    hmacs.map((hmac) => hmac.digest()),
    end - start,
  );
  // Said as the hints' own "not every hint was tried", so no renderer also says "none matched".
  const hints = verdict.verified
    ? []
    : [
        {
          code: 'hints_skipped',
          message: 'not every hint was tried: the body is over 16 MiB, so it was streamed and no hint was computed',
        },
      ];
  const notes =
    signature === undefined && end < size ? [`${size - end} bytes after the Content-Length body ignored`] : [];
  return { verdict, hints, event: labelFrom(probe.subarray(start, start + 4096)), notes };
}

/** The event's type and id from the start of the body, when they lead it as Oblic's envelope does. */
function labelFrom(prefix: Buffer): { id: string; type: string } | null {
  const text = prefix.toString('utf8');
  const match = /^\s*\{\s*"id"\s*:\s*"([A-Za-z0-9]{1,64})"\s*,\s*"type"\s*:\s*"([a-z_]+\.[a-z_]+)"/.exec(text);
  return match ? { id: match[1]!, type: match[2]! } : null;
}

/**
 * Hashes [start, end) with two alternating buffers: the next chunk is read on libuv's thread pool
 * while the main thread hashes the current one, so reading and hashing overlap on two cores.
 */
async function hashRange(
  path: string,
  start: number,
  end: number,
  hmacs: ReadonlyArray<ReturnType<typeof createHmac>>,
): Promise<void> {
  const handle = await open(path, 'r');
  const size = 4 * 1024 * 1024;
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  const readAt = (at: number, which: number) => handle.read(buffers[which]!, 0, Math.min(size, end - at), at);
  try {
    let at = start;
    let which = 0;
    let pending = at < end ? readAt(at, which) : null;
    while (pending) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) throw new InputError(`${path} changed while it was read`);
      const chunk = buffers[which]!.subarray(0, bytesRead);
      at += bytesRead;
      which ^= 1;
      pending = at < end ? readAt(at, which) : null;
      for (const hmac of hmacs) hmac.update(chunk);
    }
  } finally {
    await handle.close();
  }
}
