import { InputError } from '../../../base/errors.js';
import { readTls, type TlsFlags } from '../../tls-read.js';
import type { TlsOptions } from '../../../wire/tls.js';
import { resolveEventTypes } from '../../../oblic/events.js';
import { DEFAULT_PORT, parseTarget } from '../../../wire/target.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import type { Ui } from '../../io.js';
import { resolveSecrets, type ResolvedSecret } from '../../secrets.js';
import { parseDuration } from '../../units.js';
import { FORWARD_TIMEOUT_MS, LOOPBACK, MAX_BODY } from './defaults.js';

// What listen is asked to do, checked: the flags as commander parsed them (ListenFlags) become the
// plan the listener runs (ListenPlan). demo starts a listener from listenDefaults().

export interface ListenFlags extends SecretFlags, TlsFlags {
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
  /** --ca, --insecure for an https --forward-to app. */
  forwardTls?: TlsOptions;
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

/** The flags as a plan: every value checked, the secrets resolved. */
export async function planListen(opts: ListenFlags, ui: Ui): Promise<ListenPlan> {
  if (opts.path !== undefined && !opts.path.startsWith('/'))
    throw new InputError(`--path "${opts.path}" must start with /`);
  const filter = opts.events === undefined ? undefined : new Set(resolveEventTypes([opts.events]));
  // Before the secrets: a bad flag is refused before a development secret is created.
  const timeoutMs =
    opts.timeout === undefined
      ? undefined
      : parseTimeout(opts.timeout, '--timeout', { would: 'stop before any request', example: '30s' });
  const forwardTo = opts.forwardTo === undefined ? undefined : forwardTarget(opts);
  if (!forwardTo && (opts.ca !== undefined || opts.insecure))
    throw new InputError(
      `${opts.insecure ? '--insecure' : '--ca'} is for an https --forward-to app; give --forward-to`,
    );
  const forwardTls = forwardTo ? await readTls(opts, forwardTo, ui, '--forward-to') : undefined;
  const secrets = await resolveSecrets({ sources: opts.secretSources ?? [] }, ui.io.env, {
    createDev: true,
    all: true,
  });
  return {
    ...(forwardTls ? { forwardTls } : {}),
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
    forwardTo,
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

function forwardTimeout(opts: ListenFlags): number {
  if (opts.forwardTimeout === undefined) return FORWARD_TIMEOUT_MS;
  if (opts.forwardTo === undefined) throw new InputError('--forward-timeout needs --forward-to');
  return parseTimeout(opts.forwardTimeout, '--forward-timeout', { would: 'time out every forward', example: '10s' });
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
