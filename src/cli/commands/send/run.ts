import { randomInt } from 'node:crypto';
import type { TlsOptions } from '../../../wire/tls.js';
import { readTls, type TlsFlags } from '../../tls-read.js';
import { InputError } from '../../../base/errors.js';
import { resolveEventTypes, type EventType } from '../../../oblic/events.js';
import { type Body, createEventSource, createFixedSource, type BodySource } from '../../../samples/bodies.js';
import { parseAssignment, type Assignment } from '../../../samples/set-path.js';
import { buildRequest, parseHeader, renderCurl, renderHttp, type HeaderOverride } from '../../../wire/request.js';
import { parseTarget } from '../../../wire/target.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import { readBytes } from '../../input.js';
import type { Ui } from '../../io.js';
import { useSecret } from '../../secrets.js';
import { type BehaviourFlags, wantsBehaviour } from '../../behaviour.js';

export interface SendFlags extends SecretFlags, BehaviourFlags, TlsFlags {
  to: string;
  set?: string[];
  data?: string;
  seed?: number;
  header?: string[];
  count: number;
  concurrency: number;
  timeout: string;
  retries: number;
  include?: boolean;
  json?: boolean;
  dryRun?: boolean;
  printCurl?: boolean;
}

interface SendPlan {
  url: URL;
  types: EventType[];
  assignments: Assignment[];
  headers: HeaderOverride[];
  data: Buffer | undefined;
  total: number;
  timeoutMs: number;
}

export async function run(patterns: string[], flags: SendFlags, ui: Ui): Promise<void> {
  if (flags.retrySchedule !== undefined && flags.retries > 0)
    throw new InputError('--retries backs off on its own; --retry-schedule gives the delays: give one of them');
  if (wantsBehaviour(flags) && (flags.dryRun || flags.printCurl))
    throw new InputError(
      '--dry-run and --print-curl print requests; delivery behaviour flags need a run that delivers',
    );
  const plan = await makePlan(patterns, flags, ui);
  const made: BodySource = plan.data
    ? createFixedSource(plan.data)
    : createEventSource({
        types: plan.types,
        seed: flags.seed,
        assignments: plan.assignments,
        now: Math.floor(Date.now() / 1000),
      });
  // A --set path that does not fit the event fails here, before anything is signed or sent; the
  // body made is the first one sent.
  const first = made(0);
  const source: BodySource = (index) => (index === 0 ? first : made(index));
  const tls = await readTls(flags, plan.url, ui);
  const { secret } = await useSecret(ui, flags.secretSources ?? [], 'signing');
  const makeRequest = (body: Body) => buildRequest(plan.url, body.bytes, secret, plan.headers);
  if (flags.dryRun || flags.printCurl) {
    for (let i = 0; i < plan.total; i++) {
      const request = makeRequest(source(i));
      const bytes = flags.dryRun ? renderHttp(request) : Buffer.concat([renderCurl(request), Buffer.from('\n')]);
      ui.io.stdout.write(i > 0 ? Buffer.concat([Buffer.from('\n'), bytes]) : bytes);
    }
    return;
  }
  if (wantsBehaviour(flags)) return sendAtLeastOnce(plan, flags, source, makeRequest, ui, tls);
  // Only a run that delivers loads the deliverer, its HTTP client and the renderers.
  const { runDeliveries, checkDeliveries } = await import('../../deliveries.js');
  const summary = await runDeliveries(ui, {
    url: plan.url,
    total: plan.total,
    concurrency: flags.concurrency,
    timeoutMs: plan.timeoutMs,
    retries: flags.retries,
    json: flags.json === true,
    include: flags.include === true,
    listEach: flags.count === 1, // one delivery per named type: list each one
    source,
    makeRequest,
    ...(tls ? { tls } : {}),
  });
  checkDeliveries(summary, plan.total);
}

async function makePlan(patterns: string[], flags: SendFlags, ui: Ui): Promise<SendPlan> {
  const url = parseTarget(flags.to);
  const headers = (flags.header ?? []).map(parseHeader);
  const assignments = (flags.set ?? []).map(parseAssignment);
  const timeoutMs = parseTimeout(flags.timeout, '--timeout');
  if (flags.data !== undefined) {
    if (assignments.length > 0)
      throw new InputError('--set edits a sample event; with --data the body is sent exactly as given');
    if (flags.seed !== undefined)
      throw new InputError('--seed shapes sample events; with --data the body is sent exactly as given');
    if (patterns.length > 0)
      throw new InputError('with --data the body is yours: drop the event types, or drop --data');
    const data = await readBytes(flags.data, ui, {
      label: `--data ${flags.data}`,
      ttyMessage: '--data - reads standard input, but it is a terminal; pipe the body in',
    });
    return { url, types: [], assignments, headers, data, total: flags.count, timeoutMs };
  }
  if (patterns.length === 0) {
    throw new InputError(
      'name an event type (message.created), a glob (message.*) or all; `oblic-hooks events` lists them',
    );
  }
  const types = resolveEventTypes(patterns);
  return { url, types, assignments, headers, data: undefined, total: types.length * flags.count, timeoutMs };
}

/** --duplicate, --reorder, --retry-schedule, --time-scale: every attempt shown (cli/attempts.ts). */
async function sendAtLeastOnce(
  plan: SendPlan,
  flags: SendFlags,
  source: BodySource,
  makeRequest: (body: Body) => ReturnType<typeof buildRequest>,
  ui: Ui,
  tls: TlsOptions | undefined,
): Promise<void> {
  if (flags.dryRun || flags.printCurl)
    throw new InputError(
      '--dry-run and --print-curl print requests; delivery behaviour flags need a run that delivers',
    );
  const { MAX_ARRANGED, runAttempts, checkAttempts } = await import('../../attempts.js');
  if (plan.total > MAX_ARRANGED)
    throw new InputError(`with delivery behaviour flags a run holds at most ${MAX_ARRANGED} deliveries; lower --count`);
  const planned = Array.from({ length: plan.total }, (_, index) => ({
    body: source(index),
    step: null,
    waitMs: 0,
    expect: null,
  }));
  const summary = await runAttempts(ui, {
    url: plan.url,
    planned,
    flags,
    seed: flags.seed ?? randomInt(2 ** 32 - 1),
    concurrency: flags.concurrency,
    timeoutMs: plan.timeoutMs,
    json: flags.json === true,
    requestFor: makeRequest,
    ...(tls ? { tls } : {}),
  });
  checkAttempts(summary, plan.total);
}
