import { randomInt } from 'node:crypto';
import { readTls, type TlsFlags } from '../../tls-read.js';
import { existsSync } from 'node:fs';
import { CheckError, EXIT_CODES, InputError, OblicHooksError } from '../../../base/errors.js';
import { nearest, plural } from '../../../base/text.js';
import { SEEDED_NOW } from '../../../samples/bodies.js';
import { BUILTIN_SCENARIOS, findScenario, scenarioFile } from '../../../scenario/builtins.js';
import { parseScenario, type Scenario } from '../../../scenario/file.js';
import { planScenario } from '../../../scenario/plan.js';
import { buildRequest, parseHeader } from '../../../wire/request.js';
import { parseTarget } from '../../../wire/target.js';
import { attemptJson, attemptText, deliverArranged, parseRetrySchedule } from '../../attempts.js';
import type { BehaviourFlags } from '../../behaviour.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import { readBytes } from '../../input.js';
import { LineWriter, type Ui } from '../../io.js';
import { useSecret } from '../../secrets.js';
import { listText, summaryJson, summaryText } from './render.js';

export interface ScenarioRunFlags extends SecretFlags, BehaviourFlags, TlsFlags {
  to: string;
  concurrency: number;
  header?: string[];
  seed?: number;
  timeout: string;
  json?: boolean;
}

const NAMES = BUILTIN_SCENARIOS.map((scenario) => scenario.name);

export async function runList(flags: { json?: boolean }, ui: Ui): Promise<void> {
  ui.io.stdout.write(
    flags.json
      ? BUILTIN_SCENARIOS.map(
          (s) => `${JSON.stringify({ name: s.name, description: s.description, steps: s.steps.length })}\n`,
        ).join('')
      : listText(ui.out, BUILTIN_SCENARIOS),
  );
}

export async function runShow(name: string, ui: Ui): Promise<void> {
  ui.io.stdout.write(scenarioFile(builtin(name)));
}

function builtin(name: string): Scenario {
  const found = findScenario(name);
  if (found) return found;
  const near = nearest(name, NAMES);
  throw new InputError(
    `no built-in scenario named "${name}"${near ? `; did you mean ${near}?` : ''} (built in: ${NAMES.join(', ')})`,
  );
}

/** A built-in name, else a file (or - for standard input); a bare word that is neither is a name mistyped. */
async function loadScenario(source: string, ui: Ui): Promise<Scenario> {
  const found = findScenario(source);
  if (found) return found;
  if (source !== '-' && !existsSync(source) && !/[/\\.]/.test(source)) builtin(source);
  const label = source === '-' ? 'standard input' : source;
  const bytes = await readBytes(source, ui, {
    label,
    ttyMessage: 'scenario run - reads the scenario from standard input, but it is a terminal; pipe a file in',
  });
  return parseScenario(bytes.toString('utf8').replace(/^\uFEFF/, ''), label);
}

/** A problem found while planning, named with the file it is in, as a problem of its shape is. */
function planIn<T>(source: string, plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof InputError) || findScenario(source)) throw error;
    throw new InputError(`${source === '-' ? 'standard input' : source}: ${error.message}`);
  }
}

export async function runScenario(source: string, flags: ScenarioRunFlags, ui: Ui): Promise<void> {
  const url = parseTarget(flags.to);
  const headers = (flags.header ?? []).map(parseHeader);
  const timeoutMs = parseTimeout(flags.timeout, '--timeout');
  // A bad schedule is a usage error before the file is read or anything is sent.
  if (flags.retrySchedule !== undefined) parseRetrySchedule(flags.retrySchedule);
  const scenario = await loadScenario(source, ui);
  const seed = flags.seed ?? randomInt(2 ** 32 - 1);
  const startMs = flags.seed === undefined ? Date.now() : SEEDED_NOW * 1000;
  // Every problem of the file (a reference to no step, an update of nothing) is found here, before
  // the secret is read or anything is sent.
  const plan = planIn(source, () => planScenario(scenario, { seed, startMs }));
  const tls = await readTls(flags, url, ui);
  const { secret } = await useSecret(ui, flags.secretSources ?? [], 'signing');
  // One arrangement and one at-least-once executor with send (cli/attempts.ts); a scenario's waits
  // are simulated time unless --time-scale asks for them in real time.
  const summary = await deliverArranged(ui, {
    url,
    ...(tls ? { tls } : {}),
    planned: plan,
    flags,
    seed,
    concurrency: flags.concurrency,
    timeoutMs,
    requestFor: (body) => buildRequest(url, body.bytes, secret, headers),
    line: (record) => (flags.json ? attemptJson(record, startMs) : attemptText(ui.out, record)),
    waitScale: flags.timeScale ?? 0,
  });
  const stdout = new LineWriter(ui.io.stdout);
  if (summary.fatal) throw new CheckError(summary.fatal.message);
  if (flags.json) await stdout.write(summaryJson(scenario, summary, plan.length, seed));
  else ui.say(summaryText(ui.err, scenario, summary, plan.length, seed));
  await stdout.flush();
  if (summary.interrupted) {
    throw new OblicHooksError(
      `interrupted after ${plan.length - summary.unsent.length} of ${plural(plan.length, 'event')}`,
      EXIT_CODES.interrupted,
    );
  }
  const unmet = summary.mismatched.length;
  const lost = summary.undelivered.length - unmet;
  if (lost + unmet > 0) {
    const parts = [
      ...(lost > 0 ? [`${plural(lost, 'event')} got no 2xx`] : []),
      ...(unmet > 0 ? [`${plural(unmet, 'expectation')} not met`] : []),
    ];
    throw new CheckError(`${parts.join(' and ')} (of ${plural(plan.length, 'event')})`);
  }
}
