import type { ChalkInstance } from 'chalk';
import { CheckError, EXIT_CODES, InputError, OblicHooksError } from '../base/errors.js';
import { formatCount, formatMs, plural, printable, terminalText } from '../base/text.js';
import { isEventType, resourceOf } from '../oblic/events.js';
import { arrange, type Planned } from '../send/arrange.js';
import { type AtLeastOnceSummary, type AttemptRecord, runAtLeastOnce } from '../send/at-least-once.js';
import { createDeliverer } from '../wire/deliver.js';
import type { OutgoingRequest } from '../wire/request.js';
import { meets } from '../wire/status.js';
import { parseDuration } from './units.js';
import { LineWriter, onCtrlC, type Ui } from './io.js';
import type { TlsOptions } from '../wire/tls.js';
import { paintResource, paintStatus } from './paint.js';
import type { BehaviourFlags } from './behaviour.js';

// A run with real delivery behaviour (issue 16): --duplicate, --reorder, --retry-schedule and
// --time-scale, for `send` (and scenarios). Each attempt is a line, then a summary.

/** The most deliveries a run with delivery behaviour holds (it arranges them all before sending). */
export const MAX_ARRANGED = 100_000;

/** `0,5s,30s,5m,30m`: the simulated delays before each retry; at most 20. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > 20 || parts.some((part) => part === ''))
    throw new InputError(
      `--retry-schedule "${text}" must be up to 20 durations, comma-separated, e.g. 0,5s,30s,5m,30m`,
    );
  return parts.map((part) => parseDuration(part, '--retry-schedule'));
}

export interface ArrangedRun {
  url: URL;
  /** --ca, --insecure for an https target. */
  tls?: TlsOptions;
  planned: readonly Planned[];
  flags: BehaviourFlags;
  seed: number;
  concurrency: number;
  timeoutMs: number;
  /** The request for a body; made once per planned delivery, so a repeat or a retry is the same bytes. */
  requestFor: (body: Planned['body']) => OutgoingRequest;
  /** How one attempt is shown on stdout (a line of text or of JSON). */
  line: (record: AttemptRecord) => string;
  /** Scale of a scenario's waits (default: --time-scale, else 1); 0 keeps them on the simulated clock. */
  waitScale?: number;
}

/**
 * The one way a run with delivery behaviour is made, for send and scenario run: arranged (repeats,
 * reordering), delivered at least once (retries of the identical bytes), each attempt a line on
 * stdout; Ctrl-C aborts what is in flight and drops the retries waiting.
 */
export async function deliverArranged(ui: Ui, run: ArrangedRun): Promise<AtLeastOnceSummary> {
  if (run.planned.length > MAX_ARRANGED)
    throw new InputError(
      `--duplicate, --reorder and --retry-schedule hold the run in memory: at most ${formatCount(MAX_ARRANGED)} deliveries`,
    );
  if (run.flags.duplicateLater && !run.flags.duplicate)
    throw new InputError('--duplicate-later says where repeats go; give --duplicate <p> too, e.g. --duplicate 0.3');
  const slots = arrange(run.planned, {
    duplicate: run.flags.duplicate ?? 0,
    duplicateLater: run.flags.duplicateLater === true,
    reorder: run.flags.reorder ?? 1,
    seed: run.seed,
  });
  const retrySchedule = run.flags.retrySchedule === undefined ? [] : parseRetrySchedule(run.flags.retrySchedule);
  const deliverer = createDeliverer(run.url, {
    connections: run.concurrency,
    timeoutMs: run.timeoutMs,
    retries: 0,
    deliveries: slots.length * (retrySchedule.length + 1),
    ...(run.tls ? { tls: run.tls } : {}),
  });
  const requests = new Map<number, OutgoingRequest>();
  const stdout = new LineWriter(ui.io.stdout);
  const interrupt = new AbortController();
  const offCtrlC = onCtrlC(ui.io, () => {
    interrupt.abort();
    void deliverer.destroy();
  });
  try {
    return await runAtLeastOnce({
      slots,
      deliverer,
      makeRequest: (slot) => {
        let request = requests.get(slot.index);
        if (!request) requests.set(slot.index, (request = run.requestFor(slot.planned.body)));
        return request;
      },
      retrySchedule,
      timeScale: run.flags.timeScale ?? 1,
      waitScale: run.waitScale ?? run.flags.timeScale ?? 1,
      concurrency: run.concurrency,
      signal: interrupt.signal,
      onAttempt: (record) => stdout.write(run.line(record)),
    });
  } finally {
    offCtrlC();
    await stdout.flush();
    if (!interrupt.signal.aborted) await deliverer.close();
  }
}

export interface AttemptsRun extends Omit<ArrangedRun, 'line'> {
  json: boolean;
}

/** Simulated time since the start: `+00:02:30.000`. */
export function simulatedOffset(ms: number): string {
  const pad = (n: number, width = 2) => String(Math.floor(n)).padStart(width, '0');
  return `+${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}:${pad((ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/**
 * One attempt, for send and scenario run alike: `+00:00:02.000 (real 20 ms)  hello  message.created
 * 8sSKXMWd1RyEt77s  200  3.1 ms`, then what was expected when not met (and not about to be retried)
 * and the marks of an attempt after the first, a duplicate, a reordered delivery and a retry to come.
 */
export function attemptText(c: ChalkInstance, record: AttemptRecord): string {
  const { slot, result, attempt } = record;
  const { planned } = slot;
  const type = planned.body.type ?? '(no type)';
  const painted = isEventType(type)
    ? paintResource(c, resourceOf(type), type.padEnd(20))
    : printable(type, 40).padEnd(20);
  const expected =
    meets(planned.expect, result.status) || record.retrying ? '' : `  ${c.red(`expected ${planned.expect ?? '2xx'}`)}`;
  const error = result.error ? `  ${c.dim(terminalText(result.error.message))}` : '';
  const marks = [
    attempt > 1 ? c.yellow(`attempt ${attempt}`) : '',
    slot.duplicate ? c.magenta('dup') : '',
    slot.reordered ? c.cyan('moved') : '',
    record.retrying ? c.yellow('→ retry') : '',
  ].filter(Boolean);
  return [
    `${c.dim(simulatedOffset(record.simulatedMs))} ${c.dim(`(real ${formatMs(record.realMs)})`.padEnd(16))}`,
    ...(planned.step === null ? [] : [printable(planned.step, 40).padEnd(18)]),
    painted,
    printable(planned.body.id ?? '(no id)', 40).padEnd(16),
    paintStatus(c, result.status),
    `${formatMs(result.ms)}${expected}${error}${marks.length > 0 ? `  ${marks.join(' ')}` : ''}`,
  ].join('  ');
}

/**
 * One attempt of --json, for both commands: `{step, type, id, attempt, duplicate, reordered, status,
 * ms, simulated_at, real_at, ok, expect, error}`; `simulated_at` an ISO time on the simulated clock,
 * which starts at `startMs` (Unix ms), `real_at` milliseconds since the run began.
 */
export function attemptJson({ slot, attempt, result, simulatedMs, realMs }: AttemptRecord, startMs: number): string {
  return JSON.stringify({
    step: slot.planned.step,
    type: slot.planned.body.type,
    id: slot.planned.body.id,
    attempt,
    duplicate: slot.duplicate,
    reordered: slot.reordered,
    status: result.status,
    ms: Math.round(result.ms * 100) / 100,
    simulated_at: new Date(startMs + simulatedMs).toISOString(),
    real_at: Math.round(realMs),
    ok: meets(slot.planned.expect, result.status),
    expect: slot.planned.expect,
    error: result.error?.message ?? null,
  });
}

/** The summary's numbers, the same for both commands' --json. */
export function summaryFields(summary: AtLeastOnceSummary, events: number): Record<string, number | boolean> {
  const unmet = summary.mismatched.length;
  return {
    events,
    deliveries: summary.attempts,
    duplicates: summary.duplicates,
    retries: summary.retries,
    no_2xx: summary.undelivered.length - unmet,
    mismatches: unmet,
    not_sent: summary.unsent.length,
    real_ms: Math.round(summary.realMs),
    simulated_ms: Math.round(summary.simulatedMs),
    ok: summary.undelivered.length + summary.unsent.length === 0,
  };
}

/** send's run with delivery behaviour: every attempt a line, then its summary (cli/attempts.ts). */
export async function runAttempts(ui: Ui, run: AttemptsRun): Promise<AtLeastOnceSummary> {
  const startMs = Date.now();
  const summary = await deliverArranged(ui, {
    ...run,
    line: (record) => (run.json ? attemptJson(record, startMs) : attemptText(ui.out, record)),
  });
  if (summary.fatal) return summary;
  if (run.json)
    ui.io.stdout.write(
      `${JSON.stringify({ kind: 'summary', ...summaryFields(summary, run.planned.length), seed: run.seed })}\n`,
    );
  else
    ui.say(
      renderSummary(
        ui,
        summary,
        run.planned.length,
        run.planned.some((p) => p.expect !== null),
      ),
    );
  return summary;
}

function renderSummary(ui: Ui, summary: AtLeastOnceSummary, events: number, expects: boolean): string {
  const parts = [
    plural(events, 'event'),
    plural(summary.attempts, 'attempt'),
    plural(summary.duplicates, 'duplicate'),
    plural(summary.retries, 'retry', 'retries'),
    summary.undelivered.length > summary.mismatched.length
      ? ui.err.red(`${summary.undelivered.length - summary.mismatched.length} never got a 2xx`)
      : ui.err.green(expects ? 'every one got the answer it expects' : 'every one got a 2xx'),
    ...(summary.mismatched.length > 0
      ? [ui.err.red(`${plural(summary.mismatched.length, 'expectation')} not met`)]
      : []),
  ];
  return `${parts.join(' · ')} · ${formatMs(summary.realMs)} real for ${simulatedOffset(summary.simulatedMs)} simulated`;
}

/** Exit 1 when nothing listened or an event never got a 2xx; 130 when Ctrl-C cut the run short. */
export function checkAttempts(summary: AtLeastOnceSummary, events: number): void {
  if (summary.fatal) throw new CheckError(summary.fatal.message);
  if (summary.interrupted)
    throw new OblicHooksError(`interrupted after ${plural(summary.attempts, 'attempt')}`, EXIT_CODES.interrupted);
  const unmet = summary.mismatched.length;
  const lost = summary.undelivered.length - unmet;
  if (lost > 0 || unmet > 0)
    throw new CheckError(
      [
        lost > 0 ? `${lost} of ${plural(events, 'event')} never got a 2xx response` : '',
        unmet > 0 ? `${plural(unmet, 'expectation')} not met` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
}
