import { checkEvent, type ParseError, parseEvent } from './parse.js';

/** What a delivery is, in a word: its type and id, when the body is an Oblic event envelope. */
export interface EventLabel {
  id: string;
  type: string;
}

/** Bodies larger than this are not parsed for a label (they are still verified byte for byte). */
const EVENT_PARSE_LIMIT = 8 * 1024 * 1024;

/** The event's type and id when the body is an Oblic event envelope. */
export function eventOf(body: Buffer): EventLabel | null {
  if (body.length === 0 || body.length > EVENT_PARSE_LIMIT) return null;
  const value = parseJson(body);
  return value === NOT_JSON ? null : labelOf(value);
}

/**
 * The label and the contract check of a body from one JSON.parse, as this runs for every request
 * the listener takes: a signed body that is no valid event says why (issue 13, item 19).
 */
export function readEvent(body: Buffer): { event: EventLabel | null; eventError: ParseError | null } {
  if (body.length > EVENT_PARSE_LIMIT) return { event: null, eventError: null };
  const value = parseJson(body);
  // Not JSON: parsed again, for parseEvent's own wording of why, off the everyday path.
  const checked = value === NOT_JSON ? parseEvent(body) : checkEvent(value);
  return { event: value === NOT_JSON ? null : labelOf(value), eventError: checked.ok ? null : checked.error };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')); // only for labels: a non-UTF-8 body is still checked byte for byte
  } catch {
    return NOT_JSON;
  }
}

function labelOf(value: unknown): EventLabel | null {
  if (value === null || typeof value !== 'object') return null;
  const { id, type } = value as { id?: unknown; type?: unknown };
  return typeof id === 'string' && typeof type === 'string' ? { id, type } : null;
}
