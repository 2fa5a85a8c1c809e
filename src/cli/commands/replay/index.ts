import type { Command } from 'commander';
import { caHelp, insecureHelp } from '../../tls-flags.js';
import { addSecretOptions, MAX_INPUT_TEXT, once, parseIntFlag, type UiFactory } from '../../flags.js';
import type { ReplayFlags } from './run.js';

const HELP = `
Sends captured requests again, byte for byte (headers in their order, duplicates kept), with their
original signature; with --secret or --secret-file they are re-signed with that secret instead.
Captures are what \`listen --save\` stores, raw HTTP requests, or \`listen --json\` output (a file of
such lines replays each line). Each file is read up to ${MAX_INPUT_TEXT}. The captured path and query are
kept unless --to gives a path; the host is always --to's.

Examples:
  $ oblic-hooks replay captures/*.http --to 3000
  $ oblic-hooks replay request.http --to localhost:3000/webhooks --secret-file .new-secret

Ctrl-C stops a run: what was sent so far is summed up and it exits 130.
Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing listened), 2 usage or unreadable
capture, 130 interrupted by Ctrl-C.`;

export function registerReplay(program: Command, ui: UiFactory): void {
  const command = program
    .command('replay')
    .description('resend captured requests byte for byte, with their signature or re-signed')
    .argument('<captures...>', 'capture files (- for standard input)')
    .option('--to <url>', 'where to deliver: a URL, host:port, host or port', once('--to'), 'localhost');
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
    .action(async (files: string[], flags: ReplayFlags) => (await import('./run.js')).run(files, flags, await ui()));
}
