/** The verifying thread of `listen` (see thread.ts): verifies, counts and formats each batch. */
import { parentPort, workerData } from 'node:worker_threads';
import { createRepeats, markRepeat } from '../../../listen/repeats.js';
import { inspectRequest } from '../../../wire/verdict-request.js';
import { PLAIN } from '../../io.js';
import { createShower } from './show.js';
import { fromWire, type Batch, type Reply, type ThreadSetup } from './thread.js';

const setup = workerData as ThreadSetup;
// Not a top-level await: the bundle is CommonJS. Batches sent before chalk has loaded wait in the
// port, which starts delivering them when the listener below is added.
void start();

async function start(): Promise<void> {
  const c = setup.color ? new (await import('chalk')).Chalk({ level: 1 }) : PLAIN;
  const shower = createShower(c, setup.show);
  // This thread inspects every request, in the order they were taken, so it is the one that remembers ids.
  const repeats = createRepeats(setup.secrets, setup.repeatLimits);

  parentPort!.on('message', (batch: Batch) => {
    const lines: string[] = [];
    const records = fromWire(batch);
    for (const record of records) {
      if (record.body !== null) {
        record.inspection = inspectRequest(
          { method: record.method, path: record.path, headers: record.headers, body: record.body },
          setup.secrets,
          setup.otherSecrets,
        );
        markRepeat(repeats, record, record.body);
      }
      const text = shower.show(record);
      if (text !== undefined) lines.push(text);
    }
    const reply: Reply = {
      text: lines.length > 0 ? lines.join('\n') : null,
      records: records.length,
      tally: shower.tally,
      reached: shower.reached,
    };
    parentPort!.postMessage(reply);
  });
}
