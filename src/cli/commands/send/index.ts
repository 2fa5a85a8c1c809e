import { caHelp, insecureHelp } from '../../tls-flags.js';
import { type Command, Option } from 'commander';
import {
  addBehaviourOptions,
  addSecretOptions,
  collect,
  MAX_INPUT_TEXT,
  once,
  parseIntFlag,
  SIGNING_SECRET,
  type UiFactory,
} from '../../flags.js';
import type { SendFlags } from './run.js';

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
  $ oblic-hooks send all --to 3000 --duplicate 0.3 --reorder 3 --seed 7    # at-least-once, out of order
  $ oblic-hooks send message.created --to 3000 --retry-schedule 0,5s,30s,5m,30m --time-scale 0.01

With --count above 1 only failed deliveries are listed, then a summary; --json lists every one.
With --duplicate, --reorder, --retry-schedule or --time-scale every attempt is a line (simulated and
real time, attempt number, dup and moved marks), then a summary; --json adds a summary object.
A retry resends the identical bytes after a timeout, a connection error or a 5xx, never after a 4xx.
Ctrl-C stops a run: what was sent so far is summed up (with latency percentiles, but for a run with
the delivery behaviour flags, which sums up its attempts) and it exits 130.
Defaults for --to and --secret-file come from oblic-hooks.config.json (here or above; --config).
Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing listened), 2 usage error,
130 interrupted by Ctrl-C.`;

export function registerSend(program: Command, ui: UiFactory): void {
  addSecretOptions(
    addBehaviourOptions(
      program
        .command('send')
        .description('build realistic sample events, sign them as Oblic does and POST them to your endpoint')
        .argument('[event-types...]', 'event types, globs (message.*), a resource (message) or all')
        .option(
          '--to <url>',
          'where to deliver: a URL, host:port, host or port (a bare host means port 4242)',
          once('--to'),
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
          once('--data'),
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
        .option('--ca <file>', caHelp('target'), once('--ca'))
        .option('--insecure', insecureHelp('target'))
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
    ),
    SIGNING_SECRET,
  )
    .addHelpText('after', EXAMPLES)
    .action(async (patterns: string[], flags: SendFlags, command: Command) => {
      const [u, { run }, { applyProjectConfig }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      return run(patterns, (await applyProjectConfig(command, flags, ['to', 'secretFile'], u)).flags, u);
    });
}
