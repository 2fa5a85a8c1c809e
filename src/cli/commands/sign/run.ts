import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../../../base/errors.js';
import { describeFsError } from '../../../base/files.js';
import { signStream } from '../../../signing/sign.js';
import type { SecretFlags } from '../../flags.js';
import type { Ui } from '../../io.js';
import { useSecret } from '../../secrets.js';

export async function run(file: string | undefined, flags: SecretFlags, ui: Ui): Promise<void> {
  const name = file ?? 'standard input';
  // The file is opened, and its error caught, before anything else is awaited: a stream made
  // first emitted 'error' while the secret was being resolved, with nothing listening yet, and
  // crashed with a stack trace (issue 13, item 13).
  const handle = file === undefined || file === '-' ? undefined : await openFile(file);
  try {
    if (!handle && ui.io.stdin.isTTY) throw new InputError('no input: give a file, or pipe the body on standard input');
    const { secret } = await useSecret(ui, flags.secretSources ?? [], 'signing');
    // The stream is made only when it is read, so that its errors always have a listener.
    const input = handle ? handle.createReadStream({ autoClose: false }) : ui.io.stdin;
    ui.io.stdout.write(`${await hmacOfStream(secret, input, name)}\n`);
  } finally {
    await handle?.close();
  }
}

async function openFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${describeFsError(error)}`);
  }
}

/**
 * The most `sign` reads. It streams, so memory stays flat, but `sign /dev/zero` would hash for ever:
 * 1 GiB is far beyond any webhook body and takes a few seconds.
 */
const SIGN_LIMIT = 1024 ** 3;

async function hmacOfStream(secret: string, input: Readable, name: string): Promise<string> {
  const tooLarge = new InputError(
    `${name} is over the 1 GiB sign reads; a webhook body is far smaller (is it the right file?)`,
  );
  try {
    return await signStream(secret, bounded(input, SIGN_LIMIT, tooLarge));
  } catch (error) {
    if (error === tooLarge) throw error;
    throw new InputError(`cannot read ${name}: ${describeFsError(error)}`);
  }
}

/** The chunks of `input`, throwing `error` once more than `limit` bytes have come. */
async function* bounded(input: Readable, limit: number, error: Error): AsyncGenerator<Uint8Array | string> {
  let size = 0;
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (size > limit) {
      input.destroy();
      throw error;
    }
    yield chunk;
  }
}
