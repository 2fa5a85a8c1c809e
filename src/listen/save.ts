import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../base/errors.js';
import { describeFsError, makeDir } from '../base/files.js';

export interface CaptureHead {
  method: string;
  path: string;
  httpVersion: string;
  /** As received: names keep their case, duplicates stay separate. */
  headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * The request as a raw HTTP/1.1 capture: the head as received, then the exact body. A chunked
 * request is stored with its decoded body, so its Transfer-Encoding becomes a Content-Length.
 */
export function renderCapture(head: CaptureHead, body: Buffer): Buffer {
  const chunked = head.headers.some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v));
  const lines = [`${head.method} ${head.path} HTTP/${head.httpVersion}`];
  for (const [name, value] of head.headers) {
    if (chunked && name.toLowerCase() === 'transfer-encoding') continue;
    lines.push(`${name}: ${value}`);
  }
  if (chunked) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** `20261129T101503.412Z-000042-message.updated-a056V7R7NmNRjl70.http`: sorts by arrival, says what it is. */
export function captureName(receivedAt: Date, seq: number, type: string | null, id: string | null): string {
  const stamp = receivedAt.toISOString().replace(/[-:]/g, '');
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  const what = type && id ? `${safe(type)}-${safe(id)}` : 'request';
  return `${stamp}-${String(seq).padStart(6, '0')}-${what}.http`;
}

/**
 * The hidden name a capture is written under until its rename: `.<capture name>.<8 hex>.tmp`. The
 * clean-up at start removes these and nothing else, not a user's own `.env.tmp` (issue 13, item 5).
 */
const TEMPORARY_NAME = /^\.\d{8}T\d{6}\.\d{3}Z-\d{6,}-[A-Za-z0-9._-]+\.http\.[0-9a-f]{8}\.tmp$/;

function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
}

function temporaryName(name: string): string {
  const tmp = `.${name}.${randomBytes(4).toString('hex')}.tmp`;
  // A name the clean-up would not know is a file left behind for ever: the pattern is the definition.
  if (!isTemporaryName(tmp)) throw new TypeError(`not a capture name: ${name}`);
  return tmp;
}

/** Creates the directory, and removes temporary files a killed run left behind. */
export async function prepareSaveDir(dir: string): Promise<void> {
  try {
    await makeDir(dir); // not Node's recursive mkdir, which spins for ever on /proc/x (issue 13, item 23)
    for (const name of await readdir(dir))
      if (isTemporaryName(name)) await unlink(join(dir, name)).catch(() => undefined);
  } catch (error) {
    throw new InputError(`cannot use --save ${dir}: ${describeFsError(error)}`);
  }
}

/**
 * Written to a hidden temporary file, then renamed: a capture is either complete or absent. A
 * capture that cannot be written (disk full, directory gone) leaves no partial file behind and
 * throws an Error saying why (issue 13, item 6).
 */
export async function writeCapture(dir: string, name: string, data: Buffer): Promise<string> {
  const tmp = join(dir, temporaryName(name));
  const path = join(dir, name);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw new Error(`the capture could not be written to ${dir}: ${describeFsError(error)}`);
  }
  return path;
}
