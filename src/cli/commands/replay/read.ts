import { InputError, isOblicHooksError } from '../../../base/errors.js';
import { plural, printable } from '../../../base/text.js';
import { CAPTURE_PROBE, looksLikeCapture, notACapture, parseCaptures, type Capture } from '../../../wire/capture.js';
import { readBytes } from '../../input.js';
import type { Ui } from '../../io.js';

/** The captures in a file: one, or one per line of a `listen --json` log. */
export async function readCaptures(file: string, ui: Ui): Promise<Capture[]> {
  const label = printable(file);
  const data = await readBytes(file, ui, {
    label,
    ttyMessage: 'no input: give a capture file, or pipe one in on standard input',
    // Refused from its first bytes, before the rest is read (issue 13, item 9).
    start: {
      bytes: CAPTURE_PROBE,
      check: (start) => {
        if (!looksLikeCapture(start)) throw new InputError(`${label}: ${notACapture().message}`);
      },
    },
  });
  const { kept, unread } = dropUnread(data);
  if (unread > 0)
    ui.say(
      `${label}: ${plural(unread, 'line')} skipped: ${unread === 1 ? 'a request' : 'requests'} the listener refused unread, with no body to resend`,
    );
  try {
    return kept === null ? [] : parseCaptures(kept);
  } catch (error) {
    throw isOblicHooksError(error) ? new InputError(`${label}: ${error.message}`) : error;
  }
}

/**
 * A `listen --json` log also holds the requests listen refused without reading them (wrong method
 * or path, over --max-body): `"body":null`. They are not captures, so a log is not refused for
 * them; they are left out, and counted. Lines are kept as they are (blank, so numbers in errors stay right).
 */
function dropUnread(data: Buffer): { kept: Buffer | null; unread: number } {
  if (!data.subarray(0, 16).toString('latin1').trimStart().startsWith('{')) return { kept: data, unread: 0 };
  const lines = data.toString('utf8').split('\n');
  let unread = 0;
  const kept = lines.map((line) => {
    if (!line.includes('"body":null') || !isUnread(line)) return line;
    unread += 1;
    return '';
  });
  if (unread === 0) return { kept: data, unread };
  const filled = kept.filter((line) => line.trim() !== '');
  return { kept: filled.length === 0 ? null : Buffer.from(kept.join('\n'), 'utf8'), unread };
}

function isUnread(line: string): boolean {
  try {
    const value = JSON.parse(line) as { body?: unknown; body_base64?: unknown } | null;
    return value !== null && typeof value === 'object' && value.body === null && value.body_base64 === undefined;
  } catch {
    return false;
  }
}
