import type { ChalkInstance } from 'chalk';
import { plural, terminalText } from '../../../base/text.js';
import type { AtLeastOnceSummary } from '../../../send/at-least-once.js';
import { summaryFields } from '../../attempts.js';
import type { Scenario } from '../../../scenario/file.js';

/** `conversation  a contact is created, …` */
export function listText(c: ChalkInstance, scenarios: readonly Scenario[]): string {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) => `${c.bold(s.name.padEnd(width))}  ${s.description} ${c.dim(`(${plural(s.steps.length, 'step')})`)}\n`)
    .join('');
}

export function summaryJson(scenario: Scenario, summary: AtLeastOnceSummary, events: number, seed: number): string {
  return JSON.stringify({ kind: 'summary', scenario: scenario.name, ...summaryFields(summary, events), seed });
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
      : c.green(
          `every event${summary.unsent.length > 0 ? ' sent' : ''}${expecting > 0 ? ' without an expect' : ''} got a 2xx`,
        ),
    ...(unmet > 0 ? [c.red(`${plural(unmet, 'expectation')} not met`)] : []),
    ...(summary.unsent.length > 0 ? [c.yellow(`${plural(summary.unsent.length, 'event')} not sent`)] : []),
    `seed ${seed}`,
  ];
  return `\n${terminalText(scenario.name)}: ${parts.join(' · ')}`;
}
