import { isUtf8 } from 'node:buffer';
import { isEventType, resourceOf } from '../oblic/events.js';
import { summarizeEvent } from '../oblic/summary.js';
import { renderCurl, replayRequest, replayUrl } from '../wire/request.js';
import type { Inspection } from '../wire/verdict.js';
import { renderCapture } from '../listen/save.js';
import type { Entry } from './history.js';

// What the API says about a delivery: a row of the list, everything the detail view shows (with
// "copy as curl"), and whether it matches a search.

function badgeOf(inspection: Inspection | null): string {
  if (!inspection) return 'none';
  if (inspection.verdict.verified) return 'verified';
  return inspection.verdict.reason === 'missing_signature' ? 'unsigned' : 'invalid';
}

/** A row of the list. */
export function summaryOf(entry: Entry) {
  const event = entry.inspection?.event ?? null;
  const resource = event && isEventType(event.type) ? resourceOf(event.type) : null;
  return {
    seq: entry.seq,
    time: entry.receivedAt.toISOString(),
    method: entry.method,
    path: entry.path,
    type: event?.type ?? null,
    id: event?.id ?? null,
    resource,
    badge: badgeOf(entry.inspection),
    status: entry.status,
    appStatus: entry.forward?.status ?? null,
    size: entry.body?.length ?? 0,
    // A repeat of an event id seen earlier in this run: when it first came, and whether the body was the same.
    duplicateOf: entry.duplicateOf
      ? { time: entry.duplicateOf.receivedAt.toISOString(), sameBytes: entry.duplicateOf.sameBytes }
      : null,
  };
}

/** Everything the detail view shows; "copy as curl" goes to the listener, at the captured path only (issue 13, item 27). */
export function detailOf(entry: Entry, listener: URL) {
  const body = entry.body ?? Buffer.alloc(0);
  const text = isUtf8(body) ? body.toString('utf8') : null;
  let summary = '';
  try {
    const parsed = JSON.parse(text ?? '') as { type?: unknown; payload?: unknown };
    if (typeof parsed.type === 'string') summary = summarizeEvent(parsed.type, parsed.payload);
  } catch {
    // not JSON: no summary
  }
  return {
    ...summaryOf(entry),
    headers: entry.headers,
    body: text,
    bodyBase64: text === null ? body.toString('base64') : null,
    raw: renderCapture(entry, body).toString('latin1'),
    verdict: entry.inspection?.verdict ?? null,
    hints: entry.inspection?.hints ?? [],
    summary,
    curl: renderCurl(replayRequest(replayUrl(listener, entry.path), entry.headers, body)).toString('utf8'),
  };
}

/** The capture file of a delivery, as "download .http" saves it. */
export function captureOf(entry: Entry): Buffer {
  return renderCapture(entry, entry.body ?? Buffer.alloc(0));
}

/** Free-text search over the id, the type and the body; `q` is lower case. */
export function matches(entry: Entry, q: string): boolean {
  const event = entry.inspection?.event;
  return [event?.id ?? '', event?.type ?? '', entry.body?.toString('utf8') ?? ''].some((text) =>
    text.toLowerCase().includes(q),
  );
}
