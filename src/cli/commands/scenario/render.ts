import type { ChalkInstance } from 'chalk';
import { formatMs, plural, printable, terminalText } from '../../../base/text.js';
import { isEventType, resourceOf } from '../../../oblic/events.js';
import type { AtLeastOnceSummary, AttemptRecord } from '../../../send/at-least-once.js';
import { meets } from '../../../wire/status.js';
import type { Scenario } from '../../../scenario/file.js';
import { paintResource, paintStatus } from '../../paint.js';

/** `conversation  a contact is created, …` */
export function listText(c: ChalkInstance, scenarios: readonly Scenario[]): string {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) => `${c.bold(s.name.padEnd(width))}  ${s.description} ${c.dim(`(${plural(s.steps.length, 'step')})`)}\n`)
    .join('');
}

/** Simulated time since the start: `+00:02:30.000`. */
export function simulatedOffset(ms: number): string {
  const pad = (n: number, width = 2) => String(Math.floor(n)).padStart(width, '0');
  return `+${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}:${pad((ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/**
 * `+00:00:02.000  hello  message.created  8sSKXMWd1RyEt77s  200  3.1 ms`, with the attempt when it is
 * a retry, `dup` and `moved` marks, and what was expected when not met.
 */
export function outcomeText(c: ChalkInstance, record: AttemptRecord): string {
  const { slot, result, attempt } = record;
  const { planned } = slot;
  const type = planned.body.type ?? '(no type)';
  const painted = isEventType(type)
    ? paintResource(c, resourceOf(type), type.padEnd(20))
    : printable(type, 40).padEnd(20);
  const ok = meets(planned.expect, result.status);
  const expected = ok ? '' : `  ${c.red(`expected ${planned.expect ?? '2xx'}`)}`;
  const error = result.error ? `  ${c.dim(terminalText(result.error.message))}` : '';
  const marks = [
    attempt > 1 ? c.yellow(`attempt ${attempt}`) : '',
    slot.duplicate ? c.magenta('dup') : '',
    slot.reordered ? c.cyan('moved') : '',
    record.retrying ? c.yellow('→ retry') : '',
  ].filter(Boolean);
  return [
    c.dim(simulatedOffset(record.simulatedMs)),
    printable(planned.step ?? '', 40).padEnd(18),
    painted,
    printable(planned.body.id ?? '(no id)', 40).padEnd(16),
    paintStatus(c, result.status),
    `${formatMs(result.ms)}${expected}${error}${marks.length > 0 ? `  ${marks.join(' ')}` : ''}`,
  ].join('  ');
}

/** One line of --json: `{step, type, id, attempt, duplicate, reordered, status, ms, simulated_at, ok, expect, error}`. */
export function outcomeJson(record: AttemptRecord, startMs: number): string {
  const { slot, result } = record;
  return JSON.stringify({
    step: slot.planned.step,
    type: slot.planned.body.type,
    id: slot.planned.body.id,
    attempt: record.attempt,
    duplicate: slot.duplicate,
    reordered: slot.reordered,
    status: result.status,
    ms: Math.round(result.ms * 100) / 100,
    simulated_at: new Date(startMs + record.simulatedMs).toISOString(),
    ok: meets(slot.planned.expect, result.status),
    expect: slot.planned.expect,
    error: result.error?.message ?? null,
  });
}

export function summaryJson(scenario: Scenario, summary: AtLeastOnceSummary, events: number, seed: number): string {
  const unmet = summary.mismatched.length;
  return JSON.stringify({
    kind: 'summary',
    scenario: scenario.name,
    events,
    deliveries: summary.attempts,
    duplicates: summary.duplicates,
    retries: summary.retries,
    no_2xx: summary.undelivered.length - unmet,
    mismatches: unmet,
    not_sent: summary.unsent.length,
    ok: summary.undelivered.length + summary.unsent.length === 0,
    seed,
  });
}

/** `conversation: 11 events, 11 deliveries · every event got a 2xx · seed 7` */
export function summaryText(
  c: ChalkInstance,
  scenario: Scenario,
  summary: AtLeastOnceSummary,
  events: number,
  seed: number,
): string {
  const expecting = scenario.steps.filter((step) => 'expect' in step && step.expect !== undefined).length;
  const unmet = summary.mismatched.length;
  const lost = summary.undelivered.length - unmet;
  const parts = [
    `${plural(events, 'event')}, ${plural(summary.attempts, 'delivery', 'deliveries')}`,
    ...(summary.duplicates > 0 ? [plural(summary.duplicates, 'duplicate')] : []),
    ...(summary.retries > 0 ? [plural(summary.retries, 'retry', 'retries')] : []),
    lost > 0
      ? c.red(`${plural(lost, 'event')} never got a 2xx`)
      : c.green(expecting > 0 ? 'every event without an expect got a 2xx' : 'every event got a 2xx'),
    ...(unmet > 0 ? [c.red(`${plural(unmet, 'expectation')} not met`)] : []),
    ...(summary.unsent.length > 0 ? [c.yellow(`${plural(summary.unsent.length, 'event')} not sent`)] : []),
    `seed ${seed}`,
  ];
  return `\n${terminalText(scenario.name)}: ${parts.join(' · ')}`;
}
