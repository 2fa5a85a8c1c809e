import { InputError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500`, `500ms`, `10s`, `1.5m`, `2h` to milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new InputError(`${flag} "${text}" is not a duration; e.g. 500ms, 10s or 2m`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}
