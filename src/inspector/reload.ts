import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readSmallFile } from '../base/files.js';
import { parseCapture } from '../wire/capture.js';
import { inspectCapture } from '../wire/verdict.js';
import type { Entry } from './history.js';

/** The largest capture reloaded; a larger file is skipped like one that does not parse. */
const RELOAD_FILE_LIMIT = 16 * 1024 * 1024;

/** Yesterday's deliveries: the newest `limit` captures of the --save directory, checked again, oldest first, each to `keep`. */
export async function reload(
  dir: string,
  limit: number,
  secrets: readonly string[],
  keep: (entry: Entry) => void,
): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir))
      .filter((name) => name.endsWith('.http'))
      .sort()
      .slice(-limit);
  } catch {
    return;
  }
  for (const [i, name] of names.entries()) {
    try {
      // readSmallFile: a FIFO named *.http is skipped at once instead of blocking start-up (issue 13, item 23).
      const capture = parseCapture((await readSmallFile(join(dir, name), { limit: RELOAD_FILE_LIMIT })).bytes);
      keep({
        seq: i + 1,
        receivedAt: receivedAtOf(name),
        method: capture.method ?? 'POST',
        path: capture.path ?? '/',
        httpVersion: '1.1',
        headers: capture.headers,
        body: capture.body,
        inspection: inspectCapture(capture, secrets),
        status: null,
        forward: null,
      });
    } catch {
      // a capture that no longer parses is skipped, not fatal
    }
  }
}

/** When a capture was received, from the stamp its name starts with (see captureName); the epoch without one. */
function receivedAtOf(name: string): Date {
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(name);
  return stamp
    ? new Date(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}.${stamp[7]}Z`)
    : new Date(0);
}
