import type { NamedSecret } from '../signing/diagnose.js';
import { inspectRequest, reasonOf } from '../wire/verdict-request.js';
import type { Forwarder } from './forward.js';
import type { RequestRecord } from './record.js';
import { markRepeat, type Repeats } from './repeats.js';

/*
 * The listener's policy, one request at a time: refuse, verify, reject, forward, save, delay, and
 * what the answer is. The server (server.ts) reads each request, calls these in turn and writes the
 * answer they give; they fill in the record as they go. Synchronous unless forwarding or saving.
 */

/** What `listen`'s flags ask of every request. */
export interface ListenPolicy {
  /** Accept only this path (404 elsewhere). */
  path?: string | undefined;
  maxBody: number;
  secrets: readonly string[];
  otherSecrets?: readonly NamedSecret[];
  /** The answer when not forwarding. */
  status: number;
  delayMs: number;
  rejectInvalid: boolean;
  /** Verify and label each request here (the default); false leaves `inspection` null for the caller to fill. */
  inspect?: boolean;
  forwarder?: Forwarder | undefined;
  saveDir?: string | undefined;
  /** The event ids seen so far, to mark repeats with (repeats.ts); without it none is marked. */
  repeats?: Repeats | undefined;
}

/** An answer's body and headers (names and values in turn); its status is the record's. */
export interface Answer {
  body: Buffer;
  headers: readonly string[];
  /** A 405's Allow header (RFC 9110 §15.5.6), set on the response as soon as the request is refused. */
  allow?: string;
}

const JSON_TYPE: readonly string[] = ['content-type', 'application/json'];
const jsonAnswer = (value: unknown): Answer => ({ body: Buffer.from(JSON.stringify(value)), headers: JSON_TYPE });
// The everyday answer, made once: the hot path of a listener under load allocates as little as it can.
const RECEIVED_ANSWER = jsonAnswer({ received: true });

/** A policy that contradicts itself is a bug of the caller's. */
export function checkPolicy(policy: ListenPolicy): void {
  if (policy.rejectInvalid && policy.inspect === false)
    throw new TypeError('rejectInvalid needs the listener to inspect requests');
}

function refuse(record: RequestRecord, status: number, refusal: string): Answer {
  record.status = status;
  record.refusal = refusal;
  return jsonAnswer({ error: refusal });
}

/**
 * Before the body is read: the answer to a request this listener does not take (method, path, a
 * declared size over --max-body, or it is stopping), whose body is then never read; null to read it.
 */
export function refuseUnread(record: RequestRecord, policy: ListenPolicy, stopping: boolean): Answer | null {
  // Counted as refused; the body is not read (issue 13, item 4).
  if (stopping) return refuse(record, 503, 'the listener is stopping; send it again to a running one');
  if (record.method !== 'POST')
    return { ...refuse(record, 405, `${record.method} is not allowed; Oblic delivers with POST`), allow: 'POST' };
  if (policy.path !== undefined && pathOf(record.path) !== policy.path)
    return refuse(record, 404, `nothing at ${pathOf(record.path)}; this listener takes ${policy.path}`);
  if (record.size > policy.maxBody)
    return refuse(record, 413, `the body of ${record.size} bytes is over --max-body (${policy.maxBody})`);
  return null;
}

/** A body that turned out larger than --max-body as it was read (chunked, or longer than it said). */
export function refuseTooLarge(record: RequestRecord, policy: ListenPolicy): Answer {
  return refuse(record, 413, `the body is over --max-body (${policy.maxBody} bytes)`);
}

/**
 * The body has been read: verify and label it, reject it if asked to, then forward and save it if
 * asked to. The answer at once, or once forwarded and saved.
 */
export function deliver(record: RequestRecord, body: Buffer, policy: ListenPolicy): Answer | Promise<Answer> {
  if (policy.inspect !== false) {
    record.inspection = inspectRequest(
      { method: record.method, path: record.path, headers: record.headers, body },
      policy.secrets,
      policy.otherSecrets,
    );
    // Before a rejection: a repeat is marked whatever is answered to it.
    if (policy.repeats) markRepeat(policy.repeats, record, body);
  }
  if (policy.rejectInvalid && record.inspection && !record.inspection.verdict.verified)
    return refuse(record, 401, `rejected: ${record.inspection.verdict.message}`);
  if (!policy.forwarder && policy.saveDir === undefined) return RECEIVED_ANSWER;
  return forwardAndSave(record, body, policy);
}

async function forwardAndSave(record: RequestRecord, body: Buffer, policy: ListenPolicy): Promise<Answer> {
  let answer = RECEIVED_ANSWER;
  if (policy.forwarder) {
    record.forward = await policy.forwarder.forward(record.method, record.headers, body);
    const { error } = record.forward;
    record.status = error ? error.status : (record.forward.status ?? 502);
    answer = error
      ? jsonAnswer({ error: `oblic-hooks could not forward this to the app: ${error.message}` })
      : { body: record.forward.body, headers: record.forward.headers.flat() };
  }
  if (policy.saveDir !== undefined) {
    // Loaded the first time it is needed: a listen without --save does not pay for its file.
    const { captureName, renderCapture, writeCapture } = await import('./save.js');
    const event = record.inspection?.event;
    const name = captureName(record.receivedAt, record.seq, event?.type ?? null, event?.id ?? null);
    record.savedAs = await writeCapture(policy.saveDir, name, renderCapture(record, body));
  }
  return answer;
}

/** The 500 of a failure of ours (a bug, a capture that cannot be written): the listener goes on. */
export function failedAnswer(error: unknown): Answer {
  return jsonAnswer({ error: `oblic-hooks failed on this request: ${reasonOf(error)}` });
}

/** A failure before the request was shown: it is shown and counted with it (issue 13, item 6). */
export function failRecord(record: RequestRecord, error: unknown): Answer {
  record.status = 500;
  record.failure = reasonOf(error);
  return failedAnswer(error);
}

/**
 * When a shown request's answer may go: after what showing it holds it for (output backpressure),
 * then --delay. Null when that is now.
 */
export function answerDelay(held: void | Promise<void>, policy: ListenPolicy): Promise<unknown> | null {
  if (!held && policy.delayMs === 0) return null;
  return Promise.resolve(held).then(
    () => policy.delayMs > 0 && new Promise((resolve) => setTimeout(resolve, policy.delayMs)),
  );
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}
