import type { ChalkInstance } from 'chalk';
import { formatMs, plural, printable, terminalText } from '../../../base/text.js';
import { isEventType, resourceOf } from '../../../oblic/events.js';
import type { ScenarioOutcome, ScenarioSummary } from '../../../scenario/execute.js';
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

/** `+00:00:02.000  hello  message.created  8sSKXMWd1RyEt77s  200  3.1 ms` (and what was expected, when not met). */
export function outcomeText(c: ChalkInstance, outcome: ScenarioOutcome): string {
  const { delivery, status } = outcome;
  const type = delivery.body.type ?? '(no type)';
  const painted = isEventType(type)
    ? paintResource(c, resourceOf(type), type.padEnd(20))
    : printable(type, 40).padEnd(20);
  const expected = outcome.ok ? '' : `  ${c.red(`expected ${delivery.expect ?? '2xx'}`)}`;
  const error = outcome.error ? `  ${c.dim(terminalText(outcome.error.message))}` : '';
  return [
    c.dim(simulatedOffset(outcome.simulatedMs)),
    delivery.step.padEnd(18),
    painted,
    printable(delivery.body.id ?? '(no id)', 40).padEnd(16),
    paintStatus(c, status),
    `${formatMs(outcome.ms)}${expected}${error}`,
  ].join('  ');
}

/** One line of --json: `{step, type, id, attempt, duplicate, reordered, status, ms, simulated_at, ok, expect, error}`. */
export function outcomeJson(outcome: ScenarioOutcome, startMs: number): string {
  return JSON.stringify({
    step: outcome.delivery.step,
    type: outcome.delivery.body.type,
    id: outcome.delivery.body.id,
    attempt: outcome.attempt,
    duplicate: outcome.duplicate,
    reordered: outcome.reordered,
    status: outcome.status,
    ms: Math.round(outcome.ms * 100) / 100,
    simulated_at: new Date(startMs + outcome.simulatedMs).toISOString(),
    ok: outcome.ok,
    expect: outcome.delivery.expect,
    error: outcome.error?.message ?? null,
  });
}

export function summaryJson(scenario: Scenario, summary: ScenarioSummary, seed: number): string {
  return JSON.stringify({
    kind: 'summary',
    scenario: scenario.name,
    events: summary.events,
    deliveries: summary.deliveries,
    no_2xx: summary.unanswered,
    mismatches: summary.mismatches,
    not_sent: summary.notSent,
    ok: summary.unanswered + summary.mismatches + summary.notSent === 0,
    seed,
  });
}

/** `conversation: 11 events, 11 deliveries · every event got a 2xx · seed 7` */
export function summaryText(c: ChalkInstance, scenario: Scenario, summary: ScenarioSummary, seed: number): string {
  const expecting = scenario.steps.filter((step) => 'expect' in step && step.expect !== undefined).length;
  const parts = [
    `${plural(summary.events, 'event')}, ${plural(summary.deliveries, 'delivery', 'deliveries')}`,
    summary.unanswered > 0
      ? c.red(`${plural(summary.unanswered, 'event')} never got a 2xx`)
      : c.green(expecting > 0 ? 'every event without an expect got a 2xx' : 'every event got a 2xx'),
    ...(summary.mismatches > 0 ? [c.red(`${plural(summary.mismatches, 'expectation')} not met`)] : []),
    ...(summary.notSent > 0 ? [c.yellow(`${plural(summary.notSent, 'event')} not sent`)] : []),
    `seed ${seed}`,
  ];
  return `\n${terminalText(scenario.name)}: ${parts.join(' · ')}`;
}
