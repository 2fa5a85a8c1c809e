import type { DeliveryResult } from '../wire/attempt.js';
import { isSuccess } from '../wire/status.js';
import type { Craft, ProbeRequest } from './craft.js';

// What `oblic-hooks check` is made of (issue 15): probes, each a few requests sent to the user's
// endpoint and a grade of what came back. Nothing here prints or sends: suite.ts sends, the CLI shows.

export type ProbeGroup = 'deliveries' | 'signatures' | 'robustness' | 'compatibility';
export type Verdict = 'pass' | 'fail' | 'warn';

/**
 * A probe's requests go in rounds, one round after another: a round `atOnce` is sent all together
 * (a burst, a duplicate at once); otherwise its requests go a few at a time (suite.ts).
 */
export interface Round {
  requests: ProbeRequest[];
  atOnce: boolean;
}

/** A request and what the endpoint answered. */
export interface Exchange {
  /** The id of the probe that sent it. */
  probe: string;
  sent: ProbeRequest;
  result: DeliveryResult;
  /** Whether this answer is the one a correct endpoint gives. */
  expected: boolean;
}

export interface Grade {
  verdict: Verdict;
  /** One line: what was seen. */
  detail: string;
  /** On a fail or warn: what is wrong in the endpoint and how such endpoints usually get it wrong. */
  fix: string | null;
  /** The exchanges to report, when not the probe's own (answers-in-time lists the slowest of the run). */
  exchanges?: Exchange[];
}

export interface GradeContext {
  /** The answer time `answers-in-time` grades against (--deadline). */
  deadlineMs: number;
  timeoutMs: number;
  /** Every exchange of the run so far, for `answers-in-time`. */
  all: readonly Exchange[];
  /** Which secret the run signs with, in words, for the fix of an endpoint that refuses every event. */
  signingWith?: string;
}

export interface Probe {
  id: string;
  group: ProbeGroup;
  title: string;
  /** What it sends, in one line, for --list and the README. */
  sends: string;
  /**
   * Runs first and alone: when none of its deliveries gets a 2xx (a wrong path, another secret), no
   * other probe's answers mean anything, and the run stops (accepts-every-type).
   */
  gate?: boolean;
  /** Runs with nothing else in flight, so that "at once" means at once (the burst). */
  alone?: boolean;
  /** Grades every exchange of the run (`answers-in-time`): runs last, and sends its own only when run alone. */
  gradesTheRun?: boolean;
  build(craft: Craft): Round[];
  /** Whether an answer is the one a correct endpoint gives to this probe's requests. */
  expects(result: DeliveryResult): boolean;
  grade(exchanges: readonly Exchange[], context: GradeContext): Grade;
}

/** What a probe reports: its grade, how long it took and every exchange. */
export interface ProbeReport extends Grade {
  id: string;
  group: ProbeGroup;
  title: string;
  ms: number;
  exchanges: Exchange[];
}

/** How an endpoint answered, in the classes the grades are made of. */
export type Answer = 'accepted' | 'rejected' | 'throttled' | 'server-error' | 'redirect' | 'no-answer' | 'other';

export function answerOf(result: DeliveryResult): Answer {
  const { status } = result;
  if (status === null) return 'no-answer';
  if (isSuccess(status)) return 'accepted';
  if (status >= 600) return 'other'; // not HTTP's (RFC 9110 §15 ends at 599): not a "try again later"
  if (status >= 500) return 'server-error';
  // 408 and 429 say "not now", not "I refuse this": a rate limit that answers every forgery 429 has
  // refused nothing, and a sender tries again.
  if (status === 408 || status === 429) return 'throttled';
  if (status >= 400) return 'rejected';
  if (status >= 300) return 'redirect';
  return 'other';
}

/** A correct endpoint answers 2xx. */
export const accepts = (result: DeliveryResult): boolean => answerOf(result) === 'accepted';

/** A correct rejection is a 4xx: a 5xx asks the sender to try again, and a 2xx takes the forgery. */
export const rejects = (result: DeliveryResult): boolean => answerOf(result) === 'rejected';

/** The exchanges a probe's grade is about: those that did not get the expected answer. */
export function unexpected(exchanges: readonly Exchange[]): Exchange[] {
  return exchanges.filter((exchange) => !exchange.expected);
}

/** The statuses of `exchanges` that got one, each once, in order: "401", "500 and 503". */
export function statusesOf(exchanges: readonly Exchange[]): string {
  const seen = [...new Set(exchanges.flatMap(({ result }) => (result.status === null ? [] : [String(result.status)])))];
  return seen.length <= 1 ? (seen[0] ?? '') : `${seen.slice(0, -1).join(', ')} and ${seen.at(-1)}`;
}

/** Whether an attempt ended because no whole response came within --timeout. */
export function timedOut(result: DeliveryResult): boolean {
  return result.error?.code === 'UND_ERR_HEADERS_TIMEOUT' || result.error?.code === 'UND_ERR_BODY_TIMEOUT';
}

/** The fix for a 5xx where a refusal or an acceptance was due: `what` crashed the handler. */
export function crashFix(what: string, answer: string): string {
  return `${what} crashed the handler (5xx): a 5xx tells the sender to try again, and this one will fail again; ${answer}`;
}

/**
 * The fix for answers that are wrong whatever the probe: no answer, a redirect, a body limit. Null
 * when the probe's own words apply.
 */
export function commonFix(exchanges: readonly Exchange[], timeoutMs: number): string | null {
  const answers = new Set(exchanges.map(({ result }) => answerOf(result)));
  if (answers.has('no-answer')) {
    const failed = exchanges.find(({ result }) => result.error !== null)?.result;
    if (failed && timedOut(failed))
      return `no answer within ${timeoutMs} ms (--timeout): a sender gives up and delivers again; answer first, then do the work`;
    // Closed after a long wait: a server or proxy timeout (Node's server.timeout, nginx) cut it short.
    if (failed && failed.ms >= 1000)
      return `the app closed the connection after ${Math.round(failed.ms)} ms without answering: a server or proxy timeout cut the request short; answer first, then do the work`;
    return `the connection failed (${failed?.error?.code ?? 'no answer'}): did the app crash? see its log`;
  }
  if (answers.has('redirect')) {
    const location = exchanges.find(({ result }) => result.headers.location)?.result.headers.location;
    return `the endpoint redirects${location ? ` (to ${String(location).slice(0, 200)})` : ''}: webhooks are not redirected; point check at the final URL`;
  }
  if (answers.has('throttled')) {
    const limited = exchanges.find(({ result }) => result.status === 429)?.result;
    const after = limited?.headers['retry-after'];
    return limited
      ? `the endpoint rate-limits (429${after ? `, retry-after ${String(after).slice(0, 40)}` : ''}): a sender tries again later, and Oblic sends bursts; exempt the webhook route from the limit or raise it`
      : 'the endpoint timed out reading the request (408): a sender tries again; read the body as it comes';
  }
  if (exchanges.some(({ result }) => result.status === 413))
    return 'the endpoint refuses a large body with 413: Oblic publishes no size limit, so allow at least 1 MiB (express.raw() and express.json() stop at 100 kB unless given { limit: "1mb" })';
  return null;
}

/** "answered 204", "all 15 answered 204", "3 of 15 answered 500", "2 of 15 got no answer", "…answered 500 or got no answer". */
function answered(exchanges: readonly Exchange[], of?: number): string {
  const statuses = statusesOf(exchanges);
  const silent = exchanges.some(({ result }) => result.status === null);
  const verb = statuses === '' ? 'got no answer' : `answered ${statuses}${silent ? ' or got no answer' : ''}`;
  if (of !== undefined && of > 1) return `${exchanges.length} of ${of} ${verb}`;
  if (exchanges.length === 1) return verb;
  return exchanges.length === 2 ? `both ${verb}` : `all ${exchanges.length} ${verb}`;
}

/**
 * When every wrong answer here is to an event type that `accepts-every-type` already found failing,
 * the fix is that one: the same bug, not one of this probe's.
 */
function sameAsEveryType(bad: readonly Exchange[], context: GradeContext): string | null {
  const failing = new Map<string, string>();
  for (const { probe, sent, result, expected } of context.all)
    if (probe === 'accepts-every-type' && !expected && sent.type)
      failing.set(sent.type, String(result.status ?? 'no answer'));
  if (
    failing.size === 0 ||
    !bad.every(({ probe, sent }) => probe !== 'accepts-every-type' && sent.type && failing.has(sent.type))
  )
    return null;
  const types = [...new Set(bad.map(({ sent }) => sent.type!))];
  return `these are event types accepts-every-type found failing (${types.map((type) => `${type}: ${failing.get(type)}`).join(', ')}): fix that first`;
}

/** When every wrong answer is to one event type and the others got a 2xx, that type is the bug, not the probe's. */
function oneType(bad: readonly Exchange[], exchanges: readonly Exchange[]): string | null {
  const types = new Set(bad.map(({ sent }) => sent.type));
  const [type] = types;
  // Not for accepts-every-type, whose own fix names the failing types, nor for a probe of two.
  if (exchanges.length < 3 || bad[0]?.probe === 'accepts-every-type') return null;
  if (types.size !== 1 || !type || !exchanges.some(({ sent, expected }) => expected && sent.type !== type)) return null;
  return `every failure here is ${type} (${bad.length} of ${exchanges.length}), and the other types got a 2xx: the endpoint fails ${type}; see its log`;
}

/**
 * The grade of a probe whose every request has one right answer: a pass when each got it, else a
 * fail whose fix is, in turn: that accepts-every-type found these types failing, or that one type
 * fails (for a probe whose answers should be 2xx: `accepting`); the common one (no answer, a
 * redirect, a body limit); or the probe's own (`wrong`).
 */
export function gradeEach(
  exchanges: readonly Exchange[],
  context: GradeContext,
  wrong: (bad: readonly Exchange[]) => string | null,
  { accepting = true } = {},
): Grade {
  const bad = unexpected(exchanges);
  if (bad.length === 0) return { verdict: 'pass', detail: answered(exchanges), fix: null };
  const rootCause = accepting ? (sameAsEveryType(bad, context) ?? oneType(bad, exchanges)) : null;
  return {
    verdict: 'fail',
    detail: answered(bad, exchanges.length),
    fix:
      rootCause ??
      commonFix(bad, context.timeoutMs) ??
      wrong(bad) ??
      'the endpoint did not answer as a correct one would (see the answers above)',
  };
}

/** The grade of a probe that `gradeEach` grades, with `wrong` as its own fix: most probes are this. */
export function graded(wrong: (bad: readonly Exchange[]) => string | null, accepting = true): Probe['grade'] {
  return (exchanges, context) => gradeEach(exchanges, context, wrong, { accepting });
}

/** One round of requests, sent a few at a time: what most probes send. */
export function inTurn(requests: ProbeRequest[]): Round[] {
  return [{ atOnce: false, requests }];
}

/** The first line of a response body, as text, at most 200 characters; null for an empty or absent one. */
export function firstBodyLine(body: Buffer | null): string | null {
  if (body === null || body.length === 0) return null;
  const line = body.toString('utf8').split(/\r?\n/, 1)[0]!.trim();
  return line === '' ? null : line.slice(0, 200);
}
