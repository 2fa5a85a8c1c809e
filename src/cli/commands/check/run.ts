import { randomInt } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { CheckError, EXIT_CODES, InputError, OblicHooksError } from '../../../base/errors.js';
import { describeFsError } from '../../../base/files.js';
import { Craft } from '../../../check/craft.js';
import { renderJunit } from '../../../check/junit.js';
import { PROBES, selectProbes } from '../../../check/probes.js';
import { countRequests, planSuite, runSuite } from '../../../check/suite.js';
import { SEEDED_NOW } from '../../../samples/bodies.js';
import { createDeliverer } from '../../../wire/deliver.js';
import { parseTarget } from '../../../wire/target.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import type { Ui } from '../../io.js';
import { describeSecrets, useSecret } from '../../secrets.js';
import { createReporter, listJson, listText, summarize } from './render.js';

export interface CheckFlags extends SecretFlags {
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
  // A report file that cannot be written is found before anything is sent.
  const junit = flags.junit === undefined ? undefined : await openReport(flags.junit);
  try {
    const resolved = await useSecret(ui, flags.secretSources ?? [], 'signing');
    const seed = flags.seed ?? randomInt(2 ** 32 - 1);
    const now = flags.seed === undefined ? Math.floor(Date.now() / 1000) : SEEDED_NOW;
    const plans = planSuite(probes, new Craft(url, resolved.secret, seed, now));
    const deliverer = createDeliverer(url, {
      connections: CONNECTIONS,
      timeoutMs,
      retries: 0,
      deliveries: countRequests(plans),
      words: WORDS,
    });
    const reporter = createReporter(ui, { json: flags.json === true, verbose: flags.verbose === true, url, seed });
    // Ctrl-C stops the run at once: what is in flight is aborted, not waited for (a second Ctrl-C kills).
    const interrupt = new AbortController();
    const onInterrupt = () => {
      interrupt.abort();
      void deliverer.destroy();
    };
    process.once('SIGINT', onInterrupt);
    let result: Awaited<ReturnType<typeof runSuite>>;
    try {
      result = await runSuite({
        plans,
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
      process.off('SIGINT', onInterrupt);
      if (!interrupt.signal.aborted) await deliverer.close();
    }
    if (result.unreachable) throw new CheckError(result.unreachable.message);
    if (result.interrupted)
      throw new OblicHooksError(
        `interrupted after ${result.deliveries} deliveries, before every probe was graded: no report`,
        EXIT_CODES.interrupted,
      );
    const summary = summarize(result, { target: url.href, seed, strict: flags.strict === true, deadlineMs, timeoutMs });
    await reporter.summary(summary, target, flags);
    if (junit)
      await junit.write(
        renderJunit(result.reports, { target: url.href, seed, strict: flags.strict === true, ms: result.ms }),
      );
    if (!summary.ok)
      throw new CheckError(
        summary.failed > 0
          ? `${summary.failed} of ${summary.probes} probes failed`
          : `${summary.warned} of ${summary.probes} probes warned, and --strict counts a warning as a failure`,
      );
  } finally {
    await junit?.close();
  }
}

interface Report {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

async function openReport(path: string): Promise<Report> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (error) {
    throw new InputError(`cannot write the JUnit report ${path}: ${describeFsError(error)}`);
  }
  return {
    write: async (text) => {
      await handle.write(text);
    },
    close: () => handle.close(),
  };
}
