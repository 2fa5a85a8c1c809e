import { STATUS_CODES } from 'node:http';
import { CheckError, EXIT_CODES, InputError, OblicHooksError } from '../base/errors.js';
import { formatCount, formatMs, plural, printable } from '../base/text.js';
import { arrange, type Planned } from '../send/arrange.js';
import { type AtLeastOnceSummary, type AttemptRecord, runAtLeastOnce } from '../send/at-least-once.js';
import { createDeliverer } from '../wire/deliver.js';
import type { OutgoingRequest } from '../wire/request.js';
import { isSuccess } from '../wire/status.js';
import { parseDuration } from './units.js';
import { LineWriter, type Ui } from './io.js';
import { paintStatus } from './paint.js';
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
  });
  const requests = new Map<number, OutgoingRequest>();
  const stdout = new LineWriter(ui.io.stdout);
  const interrupt = new AbortController();
  const onInterrupt = () => {
    interrupt.abort();
    void deliverer.destroy();
  };
  process.once('SIGINT', onInterrupt);
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
    process.off('SIGINT', onInterrupt);
    await stdout.flush();
    if (!interrupt.signal.aborted) await deliverer.close();
  }
}

export interface AttemptsRun extends Omit<ArrangedRun, 'line'> {
  json: boolean;
}

/** `+0:00:35.000` on the simulated clock. */
function clock(ms: number): string {
  const total = Math.round(ms);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(total % 1000).padStart(3, '0')}`;
}

/** One attempt of --json; `simulated_at` on the simulated clock, which starts at `startMs` (Unix ms), as scenario run's. */
function attemptJson({ slot, attempt, result, simulatedMs, realMs }: AttemptRecord, startMs: number): string {
  const { body, step } = slot.planned;
  return JSON.stringify({
    step,
    type: body.type,
    id: body.id,
    attempt,
    duplicate: slot.duplicate,
    reordered: slot.reordered,
    status: result.status,
    ms: Math.round(result.ms * 100) / 100,
    simulated_at: new Date(startMs + simulatedMs).toISOString(),
    real_at: Math.round(realMs),
    ok: isSuccess(result.status),
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
  });
}

function attemptLine(ui: Ui, { slot, attempt, result, simulatedMs, realMs, retrying }: AttemptRecord): string {
  const c = ui.out;
  const { body, step } = slot.planned;
  const status = result.error
    ? c.red(printable(result.error.message, 160))
    : paintStatus(c, result.status, `${result.status} ${STATUS_CODES[result.status!] ?? ''}`.trim());
  return [
    c.dim(`${clock(simulatedMs)} ${`(real ${formatMs(realMs)})`.padEnd(16)}`),
    ...(step ? [printable(step, 40).padEnd(14)] : []),
    printable(body.type ?? '(not an event)', 40).padEnd(21),
    c.dim(printable(body.id ?? '', 20).padEnd(17)),
    `#${attempt}`,
    slot.duplicate ? c.magenta('dup') : '   ',
    slot.reordered ? c.cyan('moved') : '     ',
    status,
    c.dim(formatMs(result.ms)),
    retrying ? c.yellow('→ retry') : '',
  ]
    .join(' ')
    .trimEnd();
}

/** send's run with delivery behaviour: every attempt a line, then its summary (cli/attempts.ts). */
export async function runAttempts(ui: Ui, run: AttemptsRun): Promise<AtLeastOnceSummary> {
  const startMs = Date.now();
  const summary = await deliverArranged(ui, {
    ...run,
    line: (record) => (run.json ? attemptJson(record, startMs) : attemptLine(ui, record)),
  });
  if (summary.fatal) return summary;
  if (run.json) ui.io.stdout.write(`${summaryJson(summary, run.planned.length)}\n`);
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

function summaryJson(summary: AtLeastOnceSummary, events: number): string {
  return JSON.stringify({
    kind: 'summary',
    events,
    deliveries: summary.slots,
    attempts: summary.attempts,
    duplicates: summary.duplicates,
    retries: summary.retries,
    undelivered: summary.undelivered.length - summary.mismatched.length,
    mismatched: summary.mismatched.length,
    real_ms: Math.round(summary.realMs),
    simulated_ms: Math.round(summary.simulatedMs),
    ok: summary.undelivered.length === 0,
  });
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
  return `${parts.join(' · ')} · ${formatMs(summary.realMs)} real for ${clock(summary.simulatedMs)} simulated`;
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
