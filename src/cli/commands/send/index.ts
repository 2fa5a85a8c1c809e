import { Option, type Command } from 'commander';
import type { Body, BodySource } from '../../../samples/bodies.js';
import { InputError } from '../../../base/errors.js';
import { resolveEventTypes, type EventType } from '../../../oblic/events.js';
import { buildRequest, parseHeader, renderCurl, renderHttp, type HeaderOverride } from '../../../wire/request.js';
import { parseAssignment, type Assignment } from '../../../samples/set-path.js';
import { parseTarget } from '../../../wire/target.js';
import type { Ui } from '../../io.js';
import {
  addSecretOptions,
  collect,
  MAX_INPUT_TEXT,
  parseIntFlag,
  parseTimeout,
  readBytes,
  useSecret,
  type SecretFlags,
  type UiFactory,
} from '../../flags.js';
import { lazy } from '../../lazy.js';

interface SendFlags extends SecretFlags {
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

const EXAMPLES = `
Examples:
  $ oblic-hooks send message.created                      # to http://localhost:4242/ (oblic-hooks listen)
  $ oblic-hooks send message.updated --to localhost:3000/webhooks
  $ oblic-hooks send all --to 3000                        # all fifteen types, one each
  $ oblic-hooks send 'message.*' --set payload.message='¡Hola! 👋' --seed 7
  $ oblic-hooks send --data captured.json --to 3000       # these exact bytes, signed as they are
  $ oblic-hooks send message.created --count 20000 --concurrency 64 --to 3000
  $ oblic-hooks send contact.deleted -H 'x-oblic-signature: bad' --to 3000   # test your rejection path
  $ oblic-hooks send group.created --print-curl

With --count above 1 only failed deliveries are listed, then a summary; --json lists every one.
Ctrl-C stops a run: what was sent so far is summed up (with latency percentiles) and it exits 130.
Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing listened), 2 usage error,
130 interrupted by Ctrl-C.`;

export function registerSend(program: Command, ui: UiFactory): void {
  addSecretOptions(
    program
      .command('send')
      .description('build realistic sample events, sign them as Oblic does and POST them to your endpoint')
      .argument('[event-types...]', 'event types, globs (message.*), a resource (message) or all')
      .option(
        '--to <url>',
        'where to deliver: a URL, host:port, host or port (a bare host means port 4242)',
        'localhost',
      )
      .option(
        '--set <path=value>',
        'set a field of the event, e.g. payload.message=hi (value parsed as JSON when it is JSON; repeatable)',
        collect,
      )
      .option(
        '--data <file|->',
        `send these exact bytes as the body instead of a sample event (up to ${MAX_INPUT_TEXT})`,
      )
      .option('--seed <n>', 'make ids, data and timestamps reproducible', parseIntFlag('--seed', 0, 2 ** 32 - 1))
      .option(
        '-H, --header <header>',
        'add or replace a header, "Name: value"; an empty value removes it (repeatable)',
        collect,
      )
      .option(
        '-n, --count <n>',
        'events of each type to send, each one fresh',
        parseIntFlag('--count', 1, 100_000_000),
        1,
      )
      .option('-c, --concurrency <n>', 'deliveries in flight at once', parseIntFlag('--concurrency', 1, 1024), 1)
      .option('--timeout <duration>', 'give up on a response after this long (ms, or 10s, 1m)', '10s')
      .option(
        '--retries <n>',
        'retry network errors and 5xx this often, with exponential backoff',
        parseIntFlag('--retries', 0, 10),
        0,
      )
      .option('-i, --include', 'show the response headers')
      .option('--json', 'print one JSON object per delivery and nothing else on stdout')
      // Nothing is delivered, so there are no results for --json to print (issue 13, item 20).
      .addOption(
        new Option('--dry-run', 'print the exact HTTP request instead of sending it (not with --json)').conflicts(
          'json',
        ),
      )
      .addOption(
        new Option(
          '--print-curl',
          'print a curl command that sends the same bytes, instead of sending (not with --json)',
        ).conflicts(['dryRun', 'json']),
      ),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (patterns: string[], opts: SendFlags) => {
      const u = await ui();
      const plan = await makePlan(patterns, opts, u);
      const { createEventSource, createFixedSource } = await lazy.bodies();
      const source: BodySource = plan.data
        ? createFixedSource(plan.data)
        : createEventSource({
            types: plan.types,
            seed: opts.seed,
            assignments: plan.assignments,
            now: Math.floor(Date.now() / 1000),
          });
      source(0); // a --set path that does not fit the event fails here, before anything is signed or sent
      const { secret } = await useSecret(u, opts, 'signing');
      const makeRequest = (body: Body) => buildRequest(plan.url, body.bytes, secret, plan.headers);
      if (opts.dryRun || opts.printCurl) {
        for (let i = 0; i < plan.total; i++) {
          const request = makeRequest(source(i));
          const bytes = opts.dryRun ? renderHttp(request) : Buffer.concat([renderCurl(request), Buffer.from('\n')]);
          u.io.stdout.write(i > 0 ? Buffer.concat([Buffer.from('\n'), bytes]) : bytes);
        }
        return;
      }
      const { runDeliveries, checkDeliveries } = await lazy.deliveries();
      const summary = await runDeliveries(u, {
        url: plan.url,
        total: plan.total,
        concurrency: opts.concurrency,
        timeoutMs: plan.timeoutMs,
        retries: opts.retries,
        json: opts.json === true,
        include: opts.include === true,
        listEach: opts.count === 1, // one delivery per named type: list each one
        source,
        makeRequest,
      });
      checkDeliveries(summary, plan.total);
    });
}

async function makePlan(patterns: string[], opts: SendFlags, ui: Ui): Promise<SendPlan> {
  const url = parseTarget(opts.to);
  const headers = (opts.header ?? []).map(parseHeader);
  const assignments = (opts.set ?? []).map(parseAssignment);
  const timeoutMs = parseTimeout(opts.timeout);
  if (opts.data !== undefined) {
    if (assignments.length > 0)
      throw new InputError('--set edits a sample event; with --data the body is sent exactly as given');
    if (opts.seed !== undefined)
      throw new InputError('--seed shapes sample events; with --data the body is sent exactly as given');
    if (patterns.length > 0)
      throw new InputError('with --data the body is yours: drop the event types, or drop --data');
    const data = await readBytes(opts.data, ui, {
      label: `--data ${opts.data}`,
      ttyMessage: '--data - reads standard input, but it is a terminal; pipe the body in',
    });
    return { url, types: [], assignments, headers, data, total: opts.count, timeoutMs };
  }
  if (patterns.length === 0) {
    throw new InputError(
      'name an event type (message.created), a glob (message.*) or all; `oblic-hooks events` lists them',
    );
  }
  const types = resolveEventTypes(patterns);
  return { url, types, assignments, headers, data: undefined, total: types.length * opts.count, timeoutMs };
}
