import { InputError } from '../base/errors.js';

const TIME: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500`, `500ms`, `10s`, `1.5m`, `2h` to milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new InputError(`${flag} "${text}" is not a duration; e.g. 500ms, 10s, 2m or 1.5h`);
  const ms = Math.round(Number(match[1]) * TIME[match[2] ?? 'ms']!);
  // Node's timers hold 2^31-1 ms; a longer one fires after 1 ms, so `--timeout 600h` would stop at once.
  if (ms > MAX_DURATION_MS)
    throw new InputError(`${flag} "${text}" is longer than the 24 days a timer can wait; e.g. 72h`);
  return ms;
}

/** The longest duration a flag takes: 2^31-1 ms, about 24.8 days (Node's timer limit). */
const MAX_DURATION_MS = 2 ** 31 - 1;

const SIZE: Record<string, number> = {
  b: 1,
  kb: 1000,
  k: 1024,
  kib: 1024,
  mb: 1_000_000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1e9,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `1048576`, `512kb`, `1MiB`, `2m` to bytes; a bare number is bytes. */
export function parseSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined)
    throw new InputError(`${flag} "${text}" is not a size; e.g. 1MiB, 512kB or 1048576`);
  return Math.floor(Number(match[1]) * unit);
}
