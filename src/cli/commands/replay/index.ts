import type { Command } from 'commander';
import { InputError } from '../../../base/errors.js';
import { printable } from '../../../base/text.js';
import { caHelp, insecureHelp } from '../../tls-flags.js';
import { addSecretOptions, MAX_INPUT_TEXT, once, parseIntFlag, type UiFactory } from '../../flags.js';
import type { ReplayFlags } from './run.js';

const MAX_LAST = 100_000;

const HELP = `
Sends captured requests again, byte for byte (headers in their order, duplicates kept), with their
original signature; with --secret or --secret-file they are re-signed with that secret instead.
Each argument is one of:
  a capture file   what \`listen --save\` stores, a raw HTTP request, or one \`listen --json\` line
  a log            a file of \`listen --json\` lines: each line is replayed (requests listen
                   refused unread, with no body, are skipped and counted)
  an event id      16 letters and digits: the capture(s) of that event in the --save directory
                   (a file of that name, if there is one, wins)
  -                standard input
--last [n] adds the newest n captures (default 1) of the --save directory, oldest of them first;
newest is by file name, the order they arrived in, not by modification time. The --save directory
is --from's, else the one \`listen --save\` last used (remembered in the config directory), else
./captures; stderr says which and why. --events keeps only those event types, from any argument;
with --last it picks the newest n of those types. Arguments are replayed in the order given, then
--last's; a saved capture asked for twice is sent once. Each file is read up to ${MAX_INPUT_TEXT}.
The captured path and query are kept unless --to gives a path; the host is always --to's.

Examples:
  $ oblic-hooks replay --last --to 3000
  $ oblic-hooks replay --last 5 --events 'message.*' --from captures --to 3000
  $ oblic-hooks replay a056V7R7NmNRjl70 --to localhost:3000/webhooks
  $ oblic-hooks replay listen.ndjson --events contact.updated --to 3000
  $ oblic-hooks replay captures/*.http --to 3000
  $ oblic-hooks replay request.http --to localhost:3000/webhooks --secret-file .new-secret

Ctrl-C stops a run: what was sent so far is summed up and it exits 130.
Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing listened), 2 usage, an unreadable
capture, no capture of an event id or nothing to replay, 130 interrupted by Ctrl-C.`;

/** --last's count; commander's optional value also takes an argument meant for replay itself, so say how to avoid it. */
function parseLast(value: string): number {
  try {
    return parseIntFlag('--last', 1, MAX_LAST)(value);
  } catch (error) {
    if (/^\d+$/.test(value.trim())) throw error;
    throw new InputError(
      `--last takes a count, not "${printable(value)}": put files and event ids before --last, or write --last 1`,
    );
  }
}

export function registerReplay(program: Command, ui: UiFactory): void {
  const command = program
    .command('replay')
    .description('resend captured requests byte for byte: files, `listen --json` logs, event ids or the last ones')
    .argument('[captures...]', 'capture files, `listen --json` logs, event ids, or - for standard input')
    .option('--to <url>', 'where to deliver: a URL, host:port, host or port', once('--to'), 'localhost')
    .option('--last [n]', 'also replay the newest n captures (default 1) of the --save directory', parseLast)
    .option(
      '--from <dir>',
      'the --save directory for --last and event ids (default: the last `listen --save`)',
      once('--from'),
    )
    .option('--events <list>', 'replay only these event types (comma list or globs: message.*)', once('--events'));
  addSecretOptions(command, {
    secret: 're-sign with this secret instead of keeping the captured signature',
    file: 're-sign with the secret in this file',
  })
    .option('-c, --concurrency <n>', 'deliveries in flight at once', parseIntFlag('--concurrency', 1, 1024), 1)
    .option('--timeout <duration>', 'give up on a response after this long', '10s')
    .option('--ca <file>', caHelp('target'), once('--ca'))
    .option('--insecure', insecureHelp('target'))
    .option('--retries <n>', 'retry network errors and 5xx this often', parseIntFlag('--retries', 0, 10), 0)
    .option('-i, --include', 'show the response headers')
    .option('--json', 'print one JSON object per delivery and nothing else on stdout')
    .addHelpText('after', HELP)
    .action(async (args: string[], flags: ReplayFlags, command: Command) => {
      const [u, { run }, { applyProjectConfig }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      // The config's `to`, and its `save` as where to replay from; never its secretFile: replay keeps
      // each capture's own signature unless a secret is given on the command line.
      const applied = await applyProjectConfig(command, flags, ['to'], u);
      const save = applied.config?.values.save;
      const configSave =
        typeof save === 'string' && applied.config ? { path: save, label: applied.config.label } : undefined;
      return run(args, { ...applied.flags, ...(configSave ? { configSave } : {}) }, u);
    });
}
