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

/** Verifies a capture and, when it fails, explains why as far as the usual causes go. */
export function inspectCapture(capture: Capture, secrets: readonly string[], otherSecrets: readonly NamedSecret[] = []): Inspection {
  const signatures = headerValues(capture, 'x-oblic-signature');
  const verdict = verify({ body: capture.body, signature: signatures, secrets });
  if (verdict.reason === 'missing_signature' && capture.format !== 'body') {
    const names = [...new Set(capture.headers.map(([name]) => name.toLowerCase()))];
    verdict.message += names.length > 0 ? ` (it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})` : ' (it has no headers at all)';
  }
  const hints = verdict.verified ? [] : diagnose({ body: capture.body, signatures, headers: capture.headers, secrets, otherSecrets });
  return { verdict, hints, event: eventOf(capture.body), notes: capture.notes };
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
