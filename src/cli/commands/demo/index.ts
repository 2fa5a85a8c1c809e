import type { Command } from 'commander';
import { CheckError } from '../../../base/errors.js';
import { EVENT_TYPES } from '../../../oblic/events.js';
import { describeSecret, loadDevSecret } from '../../secrets.js';
import { listenDefaults } from '../listen/index.js';
import type { UiFactory } from '../../flags.js';
import { lazy } from '../../lazy.js';
import { skipOptimizedHttpParser } from '../../runtime.js';

export function registerDemo(program: Command, ui: UiFactory): void {
  program
    .command('demo')
    .description('the tour: a listener on a free port receives all fifteen sample events, signed and verified')
    .addHelpText(
      'after',
      '\nNo set-up and no second terminal: it uses the local development secret, which send and listen share.\n' +
        'Exit codes: 0 all fifteen verified, 1 otherwise.',
    )
    .action(async () => {
      const u = await ui();
      await skipOptimizedHttpParser(); // fifteen deliveries
      const [{ openListener, summarize }, { createEventSource }, { createDeliverer }, { runBatch }, { buildRequest }] =
        await Promise.all([lazy.listenRun(), lazy.bodies(), lazy.deliver(), lazy.batch(), lazy.request()]);
      const dev = await loadDevSecret(u.io.env);
      if (dev.created)
        u.say(
          u.err.dim(`created a development secret in ${dev.path} (send, sign, verify and listen use it by default)`),
        );
      const secret = { secret: dev.secret, source: 'dev' as const, origin: `the development secret in ${dev.path}` };
      const open = await openListener(u, { ...listenDefaults([secret]), port: 0 });
      const url = open.listener.url;
      u.say(
        u.err.bold(`demo: a listener on ${url.href}, verifying with ${secret.origin} (${describeSecret(dev.secret)})`),
      );
      u.say(u.err.dim(`sending the ${EVENT_TYPES.length} Oblic event types to it, signed as Oblic signs them:\n`));
      const deliverer = createDeliverer(url, { connections: 1, timeoutMs: 10_000, retries: 0 });
      try {
        await runBatch({
          total: EVENT_TYPES.length,
          concurrency: 1,
          source: createEventSource({
            types: EVENT_TYPES.map((info) => info.type),
            now: Math.floor(Date.now() / 1000),
          }),
          makeRequest: (body) => buildRequest(url, body.bytes, dev.secret),
          deliverer,
        });
      } finally {
        await deliverer.close();
        await open.stop();
      }
      u.say(`\n${summarize(u, open.tally)}`);
      if (open.tally.verified !== EVENT_TYPES.length)
        throw new CheckError(`only ${open.tally.verified} of ${EVENT_TYPES.length} events verified`);
      u.say(
        `${u.err.green('✔')} all ${EVENT_TYPES.length} events verified. Next: \`oblic-hooks listen\` in one terminal, ` +
          '`oblic-hooks send message.created` in another, or `oblic-hooks send all --to <your app>`.',
      );
    });
}
