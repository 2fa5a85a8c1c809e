import { caHelp, insecureHelp } from '../../tls-flags.js';
import { type Command, Option } from 'commander';
import { CheckError, InputError } from '../../../base/errors.js';
import { formatCount } from '../../../base/text.js';
import { addSecretOptions, once, parseIntFlag, type UiFactory } from '../../flags.js';
import { parseSize } from '../../units.js';
import { DEFAULT_PORT } from '../../../wire/target.js';
import { LOOPBACK, MAX_BODY, MAX_BODY_LIMIT, UI_HISTORY_BYTES } from './defaults.js';
import type { ListenFlags } from './plan.js';

const HELP = `
Each request is read (up to --max-body), verified, and shown as one block on stdout: time, event type,
id, a badge (verified, invalid signature with the reason, unsigned) and a one-line summary. Requests
that are not Oblic events are shown too, with their badge and why they are not; a method other than
POST gets 405. With several secrets a verified row says which matched: #1 is the first --secret or
--secret-file given. A delivery of an event id already seen in this run (the last 65,536 ids) is
marked "↻ duplicate of 10:15:03.412 (same bytes)" or "(same id, different bytes)"; --json gives it as
duplicate_of. The ready line, warnings and the final summary go to stderr.

Examples:
  $ oblic-hooks listen                                   # http://127.0.0.1:4242/, the development secret
  $ oblic-hooks listen --forward-to localhost:3000/webhooks
  $ oblic-hooks listen --json --save captures/ > events.ndjson
  $ oblic-hooks listen --port 0 --exit-after 15 --timeout 30s --events 'message.*'
  $ oblic-hooks listen --reject-invalid --status 204 --delay 2s -v

Defaults for --port, --path, --forward-to, --save and --secret-file come from
oblic-hooks.config.json (here or above; --config).

Exit codes: 0 stopped by Ctrl-C or SIGTERM, or by --exit-after or --timeout with every request verified;
1 with --exit-after or --timeout (a CI gate), a request that did not verify or could not be saved,
or --timeout before --exit-after; 2 usage error (port in use, bad flag value).`;

export function registerListen(program: Command, ui: UiFactory): void {
  const command = program
    .command('listen')
    .description('run a local listener that verifies and pretty-prints every delivery')
    .option(
      '-p, --port <port>',
      'port to listen on; 0 picks a free one',
      parseIntFlag('--port', 0, 65535),
      DEFAULT_PORT,
    )
    .option('--host <host>', 'address to bind (anything but loopback is reachable from your network)', LOOPBACK)
    .option('--path <path>', 'accept only this path (404 elsewhere)', once('--path'))
    .addOption(
      new Option(
        '--max-body <size>',
        "largest body accepted (e.g. 512kB, at most 256MiB); larger gets 413. With --forward-to it caps the app's answer too",
      )
        .argParser(parseMaxBody)
        .default(MAX_BODY, '1MiB'),
    );
  addSecretOptions(
    command,
    { secret: 'secret to verify with; repeat it while rotating', file: 'read a secret from a file; repeatable' },
    { several: true },
  )
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
      once('--events'),
    )
    .option('--forward-to <url>', "forward each request to your app and return the app's answer", once('--forward-to'))
    .option('--forward-timeout <duration>', "answer 504 when the app's whole answer takes longer (default 10s)")
    .option('--ca <file>', caHelp('--forward-to app'), once('--ca'))
    .option('--insecure', insecureHelp('--forward-to app'))
    .option('--json', 'print one JSON object per request (NDJSON) and nothing else on stdout')
    .option(
      '--save <dir>',
      'store every request in DIR as a raw HTTP capture (verify and replay read them)',
      once('--save'),
    )
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
    .action(async (given: ListenFlags, command: Command) => {
      const u = await ui();
      const [{ runListen }, { planListen }, { applyProjectConfig }] = await Promise.all([
        import('./run.js'),
        import('./plan.js'),
        import('../../config-apply.js'),
      ]);
      const keys = ['port', 'path', 'forwardTo', 'save', 'secretFile'] as const;
      const flags = (await applyProjectConfig(command, given, keys, u)).flags;
      const outcome = await runListen(u, await planListen(flags, u));
      if (outcome.timedOut) throw new CheckError(outcome.timedOut);
      // --timeout alone is a CI gate too: it must not pass what did not verify (issue 13, item 22).
      if (flags.exitAfter === undefined && flags.timeout === undefined) return;
      if (outcome.invalidSeen)
        throw new CheckError(`${formatCount(outcome.invalidSeen)} of the requests did not verify`);
      // A capture --save could not write was answered 500: a CI gate must not pass it either.
      if (outcome.failedSeen)
        throw new CheckError(`${formatCount(outcome.failedSeen)} of the requests could not be saved (answered 500)`);
    });
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
  if (size > MAX_BODY_LIMIT)
    throw new InputError(
      `--max-body "${value}" is over the 256MiB a listener holds in memory for one body; give at most 256MiB`,
    );
  return size;
}
