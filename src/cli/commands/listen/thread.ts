import { Worker } from 'node:worker_threads';
import type { NamedSecret } from '../../../signing/diagnose.js';
import type { RequestRecord } from '../../../listen/record.js';
import type { RepeatLimits } from '../../../listen/repeats.js';
import { newTally, type ShowOptions, type Tally } from './show.js';

/**
 * The verifying thread of `listen`. Under load the main thread has all it can do reading requests
 * and answering them; verifying, labelling and formatting each one (about 13 µs with a 1 kB body)
 * happen on the machine's other core instead. Requests go over in batches, one message per turn
 * of the event loop with every body in one transferred buffer; the text of a batch comes back in one
 * message and is written by the main thread, in order.
 */

/** What the worker is started with. */
export interface ThreadSetup {
  secrets: readonly string[];
  otherSecrets: readonly NamedSecret[];
  show: ShowOptions;
  color: boolean;
  /** How many event ids it remembers to mark repeats (REPEAT_LIMITS unless a test asks for fewer). */
  repeatLimits?: RepeatLimits;
}

/** A request as it crosses to the worker: the record without its body, which is in the batch's buffer. */
interface WireRecord {
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  httpVersion: string;
  headers: Array<[string, string]>;
  /** Where the body starts in the batch's bytes, or -1 when it was not read. */
  bodyAt: number;
  bodyLength: number;
  size: number;
  status: number;
  refusal: string | null;
  failure: string | undefined;
}

export interface Batch {
  records: WireRecord[];
  bytes: ArrayBuffer;
}

export interface Reply {
  /** The lines of the batch's shown requests, joined; null when none was shown. */
  text: string | null;
  records: number;
  tally: Tally;
  reached: boolean;
}

function toWire(records: readonly RequestRecord[]): Batch {
  let total = 0;
  for (const record of records) total += record.body?.length ?? 0;
  const bytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  const wire = records.map((record): WireRecord => {
    const body = record.body;
    const bodyAt = body === null ? -1 : at;
    if (body !== null) at += body.copy(bytes, at);
    return {
      seq: record.seq,
      receivedAt: record.receivedAt.getTime(),
      method: record.method,
      path: record.path,
      httpVersion: record.httpVersion,
      headers: record.headers,
      bodyAt,
      bodyLength: body?.length ?? 0,
      size: record.size,
      status: record.status,
      refusal: record.refusal,
      failure: record.failure,
    };
  });
  return { records: wire, bytes: bytes.buffer as ArrayBuffer };
}

export function fromWire(batch: Batch): RequestRecord[] {
  const bytes = Buffer.from(batch.bytes);
  return batch.records.map((r) => ({
    seq: r.seq,
    receivedAt: new Date(r.receivedAt),
    method: r.method,
    path: r.path,
    httpVersion: r.httpVersion,
    headers: r.headers,
    body: r.bodyAt === -1 ? null : bytes.subarray(r.bodyAt, r.bodyAt + r.bodyLength),
    size: r.size,
    inspection: null,
    status: r.status,
    forward: null,
    savedAs: null,
    refusal: r.refusal,
    duplicateOf: null, // the worker marks it once inspected
    ...(r.failure === undefined ? {} : { failure: r.failure }),
  }));
}

/**
 * Records waiting for the worker (sent or not), and the bytes of their bodies, past which answers are
 * held: memory stays bounded. Held answers keep their bodies in the listener's budget (budget.ts), so
 * it stops reading new ones; 300 bodies of 1 MiB used to wait here at once (issue 13, item 3).
 */
const MAX_PENDING = 4096;
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

export interface VerifyThread {
  readonly tally: Tally;
  /** Queues a record; a returned promise (the worker or the output is behind) holds its answer. */
  push(record: RequestRecord): Promise<void> | undefined;
  /** Resolves once every queued record has been shown. */
  drain(): Promise<void>;
  /** Rejects if the worker fails; it never resolves. */
  readonly failed: Promise<never>;
  close(): Promise<void>;
}

/**
 * Starts the verifying thread. `workerFile` is the built worker (a thread runs JavaScript): the one
 * beside this file in the bundle, or dist/bundle/worker.js when the tests run this module from src/.
 */
export function startVerifyThread(
  setup: ThreadSetup,
  write: (text: string) => Promise<void> | undefined,
  onReached: () => void,
  workerFile: URL = new URL('./worker.js', import.meta.url),
): VerifyThread {
  const worker = new Worker(workerFile, { workerData: setup });
  let tally = newTally();
  let queued: RequestRecord[] = [];
  let pending = 0; // pushed and not yet replied to
  let pendingBytes = 0; // their bodies
  const batchBytes: number[] = []; // per batch sent, in order: the worker replies once per batch
  const over = () => pending >= MAX_PENDING || pendingBytes >= MAX_PENDING_BYTES;
  const under = () => pending < MAX_PENDING / 2 && pendingBytes < MAX_PENDING_BYTES / 2;
  let held: Promise<void> | undefined; // the output asked to wait
  let wake: (() => void) | undefined;
  let behind: Promise<void> | undefined;
  let idle: (() => void) | undefined;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // observed by whoever races it
  let closing = false;

  worker.on('message', (reply: Reply) => {
    tally = reply.tally;
    pending -= reply.records;
    pendingBytes -= batchBytes.shift() ?? 0;
    if (reply.text !== null) {
      const wait = write(reply.text);
      if (wait && !held) held = wait.then(() => void (held = undefined));
    }
    if (reply.reached) onReached();
    if (wake && under()) {
      wake();
      wake = undefined;
      behind = undefined;
    }
    if (pending === 0) idle?.();
  });
  const broke = (error: Error) => {
    fail(error);
    wake?.(); // answers held for the worker go out, so the listener can close
  };
  worker.on('error', (error) => broke(new Error(`the verifying thread failed: ${error.message}`)));
  worker.on('exit', (code) => {
    if (!closing) broke(new Error(`the verifying thread stopped (exit code ${code})`));
  });

  const send = () => {
    const records = queued;
    queued = [];
    if (records.length === 0) return;
    const batch = toWire(records);
    batchBytes.push(batch.bytes.byteLength); // read before the transfer empties it
    worker.postMessage(batch, [batch.bytes]);
  };

  return {
    get tally() {
      return tally;
    },
    failed,
    push(record) {
      queued.push(record);
      pending += 1;
      pendingBytes += record.body?.length ?? 0;
      if (queued.length === 1) setImmediate(send);
      if (over() && !behind) behind = new Promise((resolve) => (wake = resolve));
      return behind ?? held;
    },
    async drain() {
      send();
      while (pending > 0) await Promise.race([new Promise<void>((resolve) => (idle = resolve)), failed]);
      await held;
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}
