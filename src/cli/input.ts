import { type FileHandle, open } from 'node:fs/promises';
import { InputError, OblicHooksError } from '../base/errors.js';
import { describeFsError } from '../base/files.js';
import { MAX_INPUT, MAX_INPUT_TEXT } from './flags.js';
import type { Ui } from './io.js';

export interface InputOptions {
  /** Names the input in errors ("--data body.bin"). */
  label: string;
  /** Said when standard input is a terminal, which would wait for typing forever. */
  ttyMessage: string;
  /** Said after "over the limit": what the command can do with a larger input, if anything. */
  tooLarge?: string;
  /**
   * Sees the first `bytes` of the input (fewer only at its end) and throws when they show it is the
   * wrong kind, so that a large input of the wrong kind is refused unread.
   */
  start?: { bytes: number; check: (start: Buffer) => void };
}

/** The bytes of a file, or of standard input for "-", up to MAX_INPUT. */
export async function readBytes(path: string, ui: Ui, options: InputOptions): Promise<Buffer> {
  if (path === '-' && ui.io.stdin.isTTY) throw new InputError(options.ttyMessage);
  try {
    const source = path === '-' ? ui.io.stdin : fileChunks(await open(path, 'r'));
    return await readBounded(source, options);
  } catch (error) {
    if (error instanceof OblicHooksError) throw error;
    throw new InputError(`cannot read ${options.label}: ${describeFsError(error)}`);
  }
}

/**
 * A file's bytes in chunks of up to 1 MiB, read straight from its handle: a ReadStream would load
 * Node's stream machinery, about 4 ms of a cold `verify`. The handle is closed however reading ends.
 */
async function* fileChunks(handle: FileHandle): AsyncGenerator<Buffer> {
  try {
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(1024 * 1024), 0, 1024 * 1024, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function readBounded(source: AsyncIterable<Buffer | string>, options: InputOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let pending = options.start; // the check of the first bytes, until it is made
  for await (const chunk of source) {
    const bytes = Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (size > MAX_INPUT) {
      throw new InputError(
        `${options.label} is over ${MAX_INPUT_TEXT}, the most read into memory${options.tooLarge ? `; ${options.tooLarge}` : ''}`,
      );
    }
    if (pending && size >= pending.bytes) {
      const { bytes: probe, check } = pending;
      pending = undefined;
      check(Buffer.concat(chunks).subarray(0, probe));
    }
  }
  const data = Buffer.concat(chunks, size);
  if (pending && size > 0) pending.check(data);
  return data;
}
