import { Option, type Command } from 'commander';
import { CheckError, InputError } from '../../../base/errors.js';
import { resolveEventTypes } from '../../../oblic/events.js';
import { describeSecret, resolveSecrets, type ResolvedSecret } from '../../secrets.js';
import { DEFAULT_PORT, parseTarget } from '../../../wire/target.js';
import { formatCount } from '../../../base/text.js';
import type { Ui } from '../../io.js';
import { parseDuration, parseSize } from '../../units.js';
import { once, parseIntFlag, type UiFactory } from '../../flags.js';
import { secretFileOption, secretOption, type SecretSourceFlags } from '../../secret-flags.js';
import { lazy } from '../../lazy.js';

interface ListenFlags extends SecretSourceFlags {
  port: number;
  host: string;
  path?: string;
  maxBody: number;
  status?: number;
  delay?: string;
  rejectInvalid?: boolean;
  events?: string;
  forwardTo?: string;
  forwardTimeout?: string;
  json?: boolean;
  save?: string;
  exitAfter?: number;
  timeout?: string;
  verbose?: boolean;
  headers?: boolean;
  ui?: boolean;
  uiPort: number;
  uiHistory: number;
  uiHistorySize: number;
}

const HELP = `
Each request is read (up to --max-body), verified, and shown as one block on stdout: time, event type,
id, a badge (verified, invalid signature with the reason, unsigned) and a one-line summary. Requests
that are not Oblic events are shown too, with their badge and why they are not; a method other than
POST gets 405. With several secrets a verified row says which matched: #1 is the first --secret or
--secret-file given. The ready line, warnings and the final summary go to stderr.

Examples:
  $ oblic-hooks listen                                   # http://127.0.0.1:4242/, the development secret
  $ oblic-hooks listen --forward-to localhost:3000/webhooks
  $ oblic-hooks listen --json --save captures/ > events.ndjson
  $ oblic-hooks listen --port 0 --exit-after 15 --timeout 30s --events 'message.*'
  $ oblic-hooks listen --reject-invalid --status 204 --delay 2s -v

Exit codes: 0 stopped by Ctrl-C or SIGTERM, or by --exit-after or --timeout with every request verified;
1 with --exit-after or --timeout (a CI gate), a request that did not verify or could not be saved,
or --timeout before --exit-after; 2 usage error (port in use, bad flag value).`;

export function registerListen(program: Command, ui: UiFactory): void {
  program
    .command('listen')
    .description('run a local listener that verifies and pretty-prints every delivery')
    .option(
      '-p, --port <port>',
      'port to listen on; 0 picks a free one',
      parseIntFlag('--port', 0, 65535),
      DEFAULT_PORT,
    )
    .option('--host <host>', 'address to bind (anything but loopback is reachable from your network)', LOOPBACK)
    .option('--path <path>', 'accept only this path (404 elsewhere)')
    .addOption(
      new Option(
        '--max-body <size>',
        "largest body accepted (e.g. 512kB, at most 256MiB); larger gets 413. With --forward-to it caps the app's answer too",
      )
        .argParser(parseMaxBody)
        .default(MAX_BODY, '1MiB'),
    )
    .addOption(secretOption('secret to verify with; repeat it while rotating'))
    .addOption(secretFileOption('read a secret from a file; repeatable'))
    .option(
      '--status <code>',
      'status to answer with when not forwarding (200 to 599; 204, 205 and 304 have no body; default 200)',
      parseStatus,
    )
    .option('--delay <duration>', 'wait this long before answering (e.g. 2s), to test your timeouts')
    .option('--reject-invalid', 'answer 401 to requests that do not verify, as a correct app would')
    .option(
      '--events <list>',
      'show only these event types (comma list or globs: message.*); others are counted and answered',
    )
    .option('--forward-to <url>', "forward each request to your app and return the app's answer", once('--forward-to'))
    .option('--forward-timeout <duration>', "answer 504 when the app's whole answer takes longer (default 10s)")
    .option('--json', 'print one JSON object per request (NDJSON) and nothing else on stdout')
    .option('--save <dir>', 'store every request in DIR as a raw HTTP capture (verify and replay read them)')
    .option('--exit-after <n>', 'stop after n requests (those --events shows)', parseIntFlag('--exit-after', 1, 1e9))
    .option('--timeout <duration>', 'stop after this long (e.g. 30s; more than 0)')
    .option('-v, --verbose', 'show the whole payload, pretty-printed')
    .option('--headers', 'show the request headers')
    .option('--ui', 'open a local web inspector: live list, details, search, replay, diff (loopback only)')
    .option('--ui-port <port>', 'port of the inspector; 0 picks a free one', parseIntFlag('--ui-port', 0, 65535), 4243)
    .option(
      '--ui-history <n>',
      'deliveries the inspector keeps in memory',
      parseIntFlag('--ui-history', 1, 1_000_000),
      1000,
    )
    .addOption(
      new Option('--ui-history-size <size>', 'memory those deliveries may take (e.g. 16MiB); the oldest go first')
        .argParser((v) => parseSize(v, '--ui-history-size'))
        .default(UI_HISTORY_BYTES, '64MiB'),
    )
    .addHelpText('after', HELP)
    .action(async (opts: ListenFlags) => {
      const u = await ui();
      const { runListen } = await lazy.listenRun();
      const outcome = await runListen(u, await plan(opts, u));
      if (outcome.timedOut) throw new CheckError(outcome.timedOut);
      // --timeout alone is a CI gate too: it must not pass what did not verify (issue 13, item 22).
      if (opts.exitAfter === undefined && opts.timeout === undefined) return;
      if (outcome.invalidSeen)
        throw new CheckError(`${formatCount(outcome.invalidSeen)} of the requests did not verify`);
      // A capture --save could not write was answered 500: a CI gate must not pass it either.
      if (outcome.failedSeen)
        throw new CheckError(`${formatCount(outcome.failedSeen)} of the requests could not be saved (answered 500)`);
    });
}

export interface ListenPlan {
  host: string;
  port: number;
  path: string | undefined;
  maxBody: number;
  secrets: ResolvedSecret[];
  status: number;
  delayMs: number;
  rejectInvalid: boolean;
  /** --events: the event types shown; undefined shows all. */
  events: ReadonlySet<string> | undefined;
  forwardTo: URL | undefined;
  /** --forward-timeout: the deadline of one whole forward. */
  forwardTimeoutMs: number;
  json: boolean;
  saveDir: string | undefined;
  exitAfter: number | undefined;
  timeoutMs: number | undefined;
  verbose: boolean;
  headers: boolean;
  /** The web inspector, when asked for. */
  ui: { port: number; history: { count: number; bytes: number } } | undefined;
}

const LOOPBACK = '127.0.0.1';
const MAX_BODY = 1024 * 1024;
const MAX_BODY_LIMIT = 256 * 1024 * 1024;
// Oblic publishes no timeout (CONTRACT.md): this is our assumption, the same as send's --timeout.
const FORWARD_TIMEOUT_MS = 10_000;
/** Without a bound in bytes, any sender could make the inspector hold 1,000 × 1 MiB (issue 13, item 28). */
const UI_HISTORY_BYTES = 64 * 1024 * 1024;

/** What listen does with no flags: the defaults the flags override, and all that demo needs. */
export function listenDefaults(secrets: ResolvedSecret[]): ListenPlan {
  return {
    host: LOOPBACK,
    port: DEFAULT_PORT,
    path: undefined,
    maxBody: MAX_BODY,
    secrets,
    status: 200,
    delayMs: 0,
    rejectInvalid: false,
    events: undefined,
    forwardTo: undefined,
    forwardTimeoutMs: FORWARD_TIMEOUT_MS,
    json: false,
    saveDir: undefined,
    exitAfter: undefined,
    timeoutMs: undefined,
    verbose: false,
    headers: false,
    ui: undefined,
  };
}

async function plan(opts: ListenFlags, ui: Ui): Promise<ListenPlan> {
  if (opts.path !== undefined && !opts.path.startsWith('/'))
    throw new InputError(`--path "${opts.path}" must start with /`);
  const filter = opts.events === undefined ? undefined : new Set(resolveEventTypes([opts.events]));
  // Before the secrets: a bad flag is refused before a development secret is created.
  const timeoutMs = opts.timeout === undefined ? undefined : parseTimeout(opts.timeout);
  const secrets = await resolveSecrets({ sources: opts.secretSources ?? [] }, ui.io.env, {
    createDev: true,
    all: true,
  });
  return {
    ...listenDefaults(secrets),
    host: opts.host,
    port: opts.port,
    path: opts.path,
    maxBody: opts.maxBody,
    status: answerStatus(opts),
    delayMs: opts.delay === undefined ? 0 : parseDuration(opts.delay, '--delay'),
    rejectInvalid: opts.rejectInvalid === true,
    // An event type outside the filter is hidden; a request that is not an event is always shown.
    events: filter,
    forwardTo: opts.forwardTo === undefined ? undefined : forwardTarget(opts),
    forwardTimeoutMs: forwardTimeout(opts),
    json: opts.json === true,
    saveDir: opts.save,
    exitAfter: opts.exitAfter,
    timeoutMs,
    verbose: opts.verbose === true,
    headers: opts.headers === true,
    ui: opts.ui ? { port: opts.uiPort, history: { count: opts.uiHistory, bytes: opts.uiHistorySize } } : undefined,
  };
}

// Values that would make the listener useless are refused up front (issue 13, items 14 and 20).

/** 1xx answers are interim: they cannot end a request, so a sender would wait for a final one. */
function parseStatus(value: string): number {
  if (/^\s*1\d\d\s*$/.test(value))
    throw new InputError(
      `--status ${value.trim()} is an interim (1xx) status that cannot answer a request; use 200 to 599`,
    );
  return parseIntFlag('--status', 200, 599)(value);
}

function parseMaxBody(value: string): number {
  const size = parseSize(value, '--max-body');
  if (size === 0)
    throw new InputError(`--max-body "${value}" would refuse every delivery; give a size above 0, e.g. 1MiB`);
  // A body is held whole in memory while it is verified (and an app's answer while it is forwarded).
  if (size > MAX_BODY_LIMIT)
    throw new InputError(
      `--max-body "${value}" is over the 256MiB a listener holds in memory for one body; give at most 256MiB`,
    );
  return size;
}

function parseTimeout(value: string): number {
  const ms = parseDuration(value, '--timeout');
  if (ms === 0)
    throw new InputError(`--timeout "${value}" would stop before any request; give a duration above 0, e.g. 30s`);
  return ms;
}

function forwardTimeout(opts: ListenFlags): number {
  if (opts.forwardTimeout === undefined) return FORWARD_TIMEOUT_MS;
  if (opts.forwardTo === undefined) throw new InputError('--forward-timeout needs --forward-to');
  const ms = parseDuration(opts.forwardTimeout, '--forward-timeout');
  if (ms <= 0)
    throw new InputError(
      `--forward-timeout "${opts.forwardTimeout}" would time out every forward; give a duration above 0, e.g. 10s`,
    );
  return ms;
}

/**
 * --forward-to, unless it names this very listener: each request would be forwarded to itself, and
 * one delivery became thousands of forwards in seconds (`--forward-to 4242` is an easy slip).
 */
function forwardTarget(opts: ListenFlags): URL {
  const url = parseTarget(opts.forwardTo!, '--forward-to');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const here =
    host === opts.host || host === 'localhost' || host === '::1' || host === '0.0.0.0' || /^127\./.test(host);
  if (opts.port !== 0 && port === opts.port && here) {
    throw new InputError(
      `--forward-to ${url.href} is this listener itself (port ${port}): every request would be forwarded back to it; give your app's port`,
    );
  }
  return url;
}

/** --status is the listener's own answer: forwarding answers with the app's, so both at once is a mistake. */
function answerStatus(opts: ListenFlags): number {
  if (opts.status !== undefined && opts.forwardTo !== undefined) {
    throw new InputError(
      `--status ${opts.status} has no effect with --forward-to, which answers with your app's status; drop one of them`,
    );
  }
  return opts.status ?? 200;
}

export function describeSecrets(secrets: ResolvedSecret[]): string {
  return secrets.map((s) => `${s.origin} (${describeSecret(s.secret)})`).join(' and ');
}
