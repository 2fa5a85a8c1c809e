import { headerValues, type Capture } from './capture.js';
import { diagnose, type Hint, type NamedSecret } from '../signing/diagnose.js';
import { checkEvent, parseEvent, type ParseError } from '../oblic/parse.js';
import { verify, type Verdict } from '../signing/verify.js';

export interface EventLabel {
  id: string;
  type: string;
}

export interface Inspection {
  verdict: Verdict;
  /** Empty when verified. */
  hints: Hint[];
  event: EventLabel | null;
  /** Why the body is not a valid Oblic event (parseEvent's first problem); null when it is one, or was not checked. */
  eventError?: ParseError | null;
  notes: string[];
}

const EVENT_PARSE_LIMIT = 8 * 1024 * 1024;

/**
 * Verifies a capture and, when it fails, explains why as far as the usual causes go. With
 * `hints: false` the explanation is left to the caller (`hintsFor`), who may want to gather more
 * secrets first and pay for it only on failure.
 */
export function inspectCapture(
  capture: Capture,
  secrets: readonly string[],
  otherSecrets: readonly NamedSecret[] = [],
  { hints = true }: { hints?: boolean } = {},
): Inspection {
  const signatures = headerValues(capture, 'x-oblic-signature');
  const verdict = verify({ body: capture.body, signature: signatures, secrets });
  if (verdict.reason === 'missing_signature' && capture.format !== 'body') {
    const names = [...new Set(capture.headers.map(([name]) => name.toLowerCase()))];
    verdict.message +=
      names.length > 0
        ? ` (it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})`
        : ' (it has no headers at all)';
  }
  return {
    verdict,
    hints: verdict.verified || !hints ? [] : hintsFor(capture, secrets, otherSecrets),
    ...readEvent(capture.body),
    notes: capture.notes,
  };
}

/** What would have made a failed capture verify: the usual mistakes, tried one by one. */
export function hintsFor(capture: Capture, secrets: readonly string[], otherSecrets: readonly NamedSecret[]): Hint[] {
  return diagnose({
    body: capture.body,
    signatures: headerValues(capture, 'x-oblic-signature'),
    headers: capture.headers,
    secrets,
    otherSecrets,
  });
}

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
function readEvent(body: Buffer): Pick<Inspection, 'event' | 'eventError'> {
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
