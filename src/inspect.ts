import { headerValues, type Capture } from './capture.js';
import { diagnose, type Hint, type NamedSecret } from './diagnose.js';
import { verify, type Verdict } from './verify.js';

export interface EventLabel {
  id: string;
  type: string;
}

export interface Inspection {
  verdict: Verdict;
  /** Empty when verified. */
  hints: Hint[];
  event: EventLabel | null;
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
    verdict.message += names.length > 0 ? ` (it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})` : ' (it has no headers at all)';
  }
  return {
    verdict,
    hints: verdict.verified || !hints ? [] : hintsFor(capture, secrets, otherSecrets),
    event: eventOf(capture.body),
    notes: capture.notes,
  };
}

/** What would have made a failed capture verify: the usual mistakes, tried one by one. */
export function hintsFor(capture: Capture, secrets: readonly string[], otherSecrets: readonly NamedSecret[]): Hint[] {
  return diagnose({ body: capture.body, signatures: headerValues(capture, 'x-oblic-signature'), headers: capture.headers, secrets, otherSecrets });
}

/** The event's type and id when the body is an Oblic event envelope. */
export function eventOf(body: Buffer): EventLabel | null {
  if (body.length === 0 || body.length > EVENT_PARSE_LIMIT) return null;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8')); // only for labels: a non-UTF-8 body is still checked byte for byte
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { id, type } = value as { id?: unknown; type?: unknown };
  return typeof id === 'string' && typeof type === 'string' ? { id, type } : null;
}
