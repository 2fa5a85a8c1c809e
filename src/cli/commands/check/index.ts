import { caHelp, insecureHelp } from '../../tls-flags.js';
import { type Command, Option } from 'commander';
import { addSecretOptions, collect, once, parseIntFlag, SIGNING_SECRET, type UiFactory } from '../../flags.js';
import type { CheckFlags } from './run.js';

// The probe ids and groups are written out here so that --help costs no sample factory; a test holds
// this list to src/check/probes.ts.
const HELP = `
Sends your endpoint real deliveries, signed as Oblic signs them, and forged and odd ones, and grades
what it answers: 2xx for what Oblic sends, 4xx (never 5xx) for what it must refuse. The deliveries are
real: run it against a development app (handles-duplicates sends the same event twice).

Probes (--only and --skip take these ids or the group names):
  deliveries     accepts-every-type, handles-duplicates, handles-burst, answers-in-time
  signatures     accepts-exact-bytes, rejects-missing-signature, rejects-wrong-secret,
                 rejects-tampered-body, rejects-malformed-signature
  robustness     rejects-invalid-json, large-event
  compatibility  tolerates-unknown-fields, tolerates-unknown-type
\`oblic-hooks check --list\` says what each one sends. accepts-every-type runs first: when no validly
signed delivery gets a 2xx (a wrong path, another secret), nothing else runs and one line says why.

--deadline (default 5s) and --timeout (default 10s) are this tool's assumptions: Oblic publishes no
timeout. An endpoint that answers right but slowly fails answers-in-time and nothing else.

Examples:
  $ oblic-hooks check localhost:3000/webhooks           # the secret as for send: flag, file, env, dev secret
  $ oblic-hooks check 3000/webhooks --json > report.ndjson
  $ oblic-hooks check 3000/webhooks --junit check.xml   # for CI test reports
  $ oblic-hooks check 3000/webhooks --only signatures --deadline 2s
  $ oblic-hooks check 3000/webhooks --skip handles-burst --seed 7 --verbose

Defaults for the URL ("to"), --deadline and --secret-file come from
oblic-hooks.config.json (here or above; --config).

Exit codes: 0 no probe failed (warnings allowed unless --strict), 1 a probe failed, nothing
listened at the URL or the run stopped short, 2 usage error (bad URL, unknown probe, bad secret, a
--junit path that cannot be written), 130 interrupted by Ctrl-C, 143 terminated by SIGTERM.`;

export function registerCheck(program: Command, ui: UiFactory): void {
  addSecretOptions(
    program
      .command('check')
      .description('grade your endpoint: does it take what Oblic sends and refuse what it must?')
      .argument('[url]', 'your endpoint: a URL, host:port/path or port/path (3000/webhooks)')
      .option('--only <probes>', 'run only these probes or groups (comma-separated; repeatable)', collect)
      .option('--skip <probes>', 'leave out these probes or groups (comma-separated; repeatable)', collect)
      .option('--deadline <duration>', 'the answer time answers-in-time grades against (ms, or 5s)', '5s')
      .option('--timeout <duration>', 'give up on one response after this long', '10s')
      .option('--ca <file>', caHelp('endpoint'), once('--ca'))
      .option('--insecure', insecureHelp('endpoint'))
      .option(
        '--seed <n>',
        'make every body reproducible (the report says the seed used)',
        parseIntFlag('--seed', 0, 2 ** 32 - 1),
      )
      .option('--json', 'print one JSON object per probe, then a summary object, and nothing else on stdout')
      .option('--junit <file>', 'also write the report as JUnit XML to this file', once('--junit'))
      .option('--strict', 'a warning fails the run too')
      .option('-v, --verbose', 'print every request and response on stderr')
      .addOption(new Option('--list', 'list the probes and what each sends, then exit').conflicts(['only', 'skip'])),
    SIGNING_SECRET,
  )
    .addHelpText('after', HELP)
    // The re-run line carries --deadline and --timeout only when they were given: commander knows.
    // A value from the project config counts as given: the re-run line then does not depend on the file.
    .action(async (url: string | undefined, flags: CheckFlags, command: Command) => {
      const [u, { run }, { applyProjectConfig, sayUsed }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      const applied = await applyProjectConfig(command, flags, ['deadline', 'secretFile'], u);
      const to = applied.config?.values.to;
      if (url === undefined && to !== undefined && !flags.list)
        u.say(u.err.dim(sayUsed('the URL', to, applied.config!)));
      const given = (name: string) => command.getOptionValueSource(name) !== 'default';
      const deadline = given('deadline') || applied.used.has('deadline');
      return run(url ?? to, { ...applied.flags, given: { deadline, timeout: given('timeout') } }, u);
    });
}
