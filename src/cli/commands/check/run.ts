import { randomInt } from 'node:crypto';
import { readTls, type TlsFlags } from '../../tls-read.js';
import type { TlsOptions } from '../../../wire/tls.js';
import { CheckError, EXIT_CODES, InputError, OblicHooksError } from '../../../base/errors.js';
import { plural } from '../../../base/text.js';
import { Craft } from '../../../check/craft.js';
import { PROBES, selectProbes } from '../../../check/probes.js';
import { countRequests, planSuite } from '../../../check/plan.js';
import { runSuite, type SuiteResult } from '../../../check/suite.js';
import { SEEDED_NOW } from '../../../samples/bodies.js';
import { createDeliverer } from '../../../wire/deliver.js';
import { parseTarget } from '../../../wire/target.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import { onCtrlC, type Ui } from '../../io.js';
import { describeSecrets, type ResolvedSecret, useSecret } from '../../secrets.js';
import { openReportFile, type ReportFile, renderJunit } from './junit.js';
import { createReporter, listJson, listText, type Summary, summarize } from './render.js';
import { rerunCommand } from './rerun.js';

export interface CheckFlags extends SecretFlags, TlsFlags {
  only?: string[];
  skip?: string[];
  deadline: string;
  timeout: string;
  seed?: number;
  json?: boolean;
  junit?: string;
  strict?: boolean;
  verbose?: boolean;
  list?: boolean;
  /** Which of the flags with a default were given on the command line (for the re-run line). */
  given?: { deadline: boolean; timeout: boolean };
}

/** Connections kept open to the endpoint: enough for the burst's 50 at once. */
const CONNECTIONS = 50;
const WORDS = { target: 'the URL', timeout: '--timeout', receiver: 'your app' };

export async function run(target: string | undefined, flags: CheckFlags, ui: Ui): Promise<void> {
  if (flags.list) {
    ui.io.stdout.write(flags.json ? listJson(PROBES) : listText(ui.out, PROBES));
    return;
  }
  if (target === undefined)
    throw new InputError('name the endpoint to check, e.g. `oblic-hooks check localhost:3000/webhooks`');
  const url = parseTarget(target, 'the URL');
  const probes = selectProbes(flags.only ?? [], flags.skip ?? []);
  const deadlineMs = parseTimeout(flags.deadline, '--deadline');
  const timeoutMs = parseTimeout(flags.timeout, '--timeout');
  // A --ca that cannot be read is refused with the other flags, before the secret is read.
  const tls = await readTls(flags, url, ui);
  const seed = flags.seed ?? randomInt(2 ** 32 - 1);
  const started = Date.now();
  const junit = { target: url.href, seed, strict: flags.strict === true, ms: 0 };
  // A report file that cannot be written is found before anything is sent; whatever ends the run
  // after this, the file says it (a testcase in error), never left empty or stale.
  const report: ReportFile | undefined = flags.junit === undefined ? undefined : await openReportFile(flags.junit);
  let saved = false;
  try {
    const resolved = await useSecret(ui, flags.secretSources ?? [], 'signing');
    const { result, summary } = await runChecks({ url, probes, seed, deadlineMs, timeoutMs, resolved, flags, ui, tls });
    const notRun = {
      probes: PROBES.filter((probe) => result.notRun.includes(probe.id)),
      why: `not run: ${summary.stopped ?? 'stopped'}`,
    };
    // A run stopped short says why in a testcase of its own, in error: the probes it did not run
    // are <skipped>, and a CI report must not look green for them.
    const stopped = summary.stopped === null ? {} : { error: summary.stopped };
    await report?.save(renderJunit(result.reports, { ...junit, ms: result.ms, notRun, ...stopped }));
    saved = true;
    if (summary.stopped) throw new CheckError(summary.stopped);
    if (summary.ok) return;
    ui.say(ui.err.dim(`the same bodies again: ${rerunCommand(target, flags, summary, resolved)}`));
    throw new CheckError(
      summary.failed > 0
        ? `${summary.failed} of ${summary.probes} probes failed`
        : `${summary.warned} of ${summary.probes} probes warned, and --strict counts a warning as a failure`,
    );
  } catch (error) {
    if (report && !saved && error instanceof OblicHooksError)
      await report.save(renderJunit([], { ...junit, ms: Date.now() - started, error: error.message }));
    throw error;
  } finally {
    await report?.discard();
  }
}

interface Checks {
  url: URL;
  probes: ReturnType<typeof selectProbes>;
  seed: number;
  deadlineMs: number;
  timeoutMs: number;
  resolved: ResolvedSecret;
  flags: CheckFlags;
  ui: Ui;
  tls: TlsOptions | undefined;
}

/** Plans and runs the probes, reporting each as it is graded; a run that could not be made is an error. */
async function runChecks(checks: Checks): Promise<{ result: SuiteResult; summary: Summary }> {
  const { url, probes, seed, deadlineMs, timeoutMs, resolved, flags, ui, tls } = checks;
  // Every body comes from the seed, its timestamps too (leading up to 2026-01-01, as with send
  // --seed), so the seed the report prints makes the very same run again.
  const plan = planSuite(probes, new Craft(url, resolved.secret, seed, SEEDED_NOW));
  const deliverer = createDeliverer(url, {
    ...(tls ? { tls } : {}),
    connections: CONNECTIONS,
    timeoutMs,
    retries: 0,
    deliveries: countRequests(plan),
    words: WORDS,
  });
  const reporter = createReporter(ui, { json: flags.json === true, url, seed });
  // Ctrl-C, or a SIGTERM (kill, a CI job's timeout), stops the run at once: what is in flight is
  // aborted, not waited for, and the JUnit file says the run was cut short. A second one kills.
  const interrupt = new AbortController();
  let signal = 'SIGINT' as NodeJS.Signals;
  const onSignal = (name: NodeJS.Signals) => {
    signal = name;
    interrupt.abort();
    void deliverer.destroy();
  };
  const offCtrlC = onCtrlC(ui.io, () => onSignal('SIGINT'));
  process.once('SIGTERM', onSignal);
  let result: SuiteResult;
  try {
    result = await runSuite({
      plan,
      deliverer,
      deadlineMs,
      timeoutMs,
      signingWith: describeSecrets([resolved]),
      readBody: 512,
      onReport: reporter.report,
      ...(flags.verbose ? { onExchange: reporter.exchange } : {}),
      signal: interrupt.signal,
    });
  } finally {
    offCtrlC();
    process.off('SIGTERM', onSignal);
    if (!interrupt.signal.aborted) await deliverer.close();
  }
  if (result.interrupted)
    throw new OblicHooksError(
      `${signal === 'SIGTERM' ? 'terminated' : 'interrupted'} after ${plural(result.deliveries, 'delivery', 'deliveries')}, before every probe was graded: no report`,
      signal === 'SIGTERM' ? EXIT_CODES.terminated : EXIT_CODES.interrupted,
    );
  const summary = summarize(result, { target: url.href, seed, strict: flags.strict === true, deadlineMs, timeoutMs });
  // Nothing to talk to is one line on a terminal; --json still ends with its summary object.
  if (!result.unreachable || flags.json) await reporter.summary(summary);
  return { result, summary };
}
