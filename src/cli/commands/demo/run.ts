import { CheckError } from '../../../base/errors.js';
import { EVENT_TYPES } from '../../../oblic/events.js';
import { createEventSource } from '../../../samples/bodies.js';
import { runBatch } from '../../../send/batch.js';
import { createDeliverer } from '../../../wire/deliver.js';
import { buildRequest } from '../../../wire/request.js';
import { loadDevSecret } from '../../dev-secret.js';
import type { Ui } from '../../io.js';
import { describeSecrets, fromDevSecret } from '../../secrets.js';
import { listenDefaults } from '../listen/plan.js';
import { openListener, summarize } from '../listen/run.js';

export async function run(ui: Ui): Promise<void> {
  const dev = await loadDevSecret(ui.io.env);
  if (dev.created)
    ui.say(ui.err.dim(`created a development secret in ${dev.path} (send, sign, verify and listen use it by default)`));
  const secret = fromDevSecret(dev);
  const open = await openListener(ui, { ...listenDefaults([secret]), port: 0 });
  const url = open.listener.url;
  ui.say(ui.err.bold(`demo: a listener on ${url.href}, verifying with ${describeSecrets([secret])}`));
  ui.say(ui.err.dim(`sending the ${EVENT_TYPES.length} Oblic event types to it, signed as Oblic signs them:\n`));
  const deliverer = createDeliverer(url, {
    connections: 1,
    timeoutMs: 10_000,
    retries: 0,
    deliveries: EVENT_TYPES.length,
  });
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
  ui.say(`\n${summarize(ui, open.tally)}`);
  if (open.tally.verified !== EVENT_TYPES.length)
    throw new CheckError(`only ${open.tally.verified} of ${EVENT_TYPES.length} events verified`);
  ui.say(
    `${ui.err.green('✔')} all ${EVENT_TYPES.length} events verified. Next: \`oblic-hooks listen\` in one terminal, ` +
      '`oblic-hooks send message.created` in another, or `oblic-hooks send all --to <your app>`; ' +
      'then `oblic-hooks check <your app>/webhooks` grades your endpoint.',
  );
}
