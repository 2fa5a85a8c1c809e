import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Answer } from './pipeline.js';

/** How the listener writes its answers: together at the end of each turn of the event loop. */
export interface AnswerWriter {
  /** The request just arrived on `socket`: while stopping, the newest one's answer closes the connection. */
  arrived(socket: Socket, res: ServerResponse): void;
  /** Writes the answer at the end of this turn, then calls `written` (also when it could not be written). */
  write(res: ServerResponse, socket: Socket, status: number, answer: Answer): void;
}

/**
 * Answers made in one turn of the event loop are written together at its end. Under load this
 * halves the cost of a request: the sender is woken once per burst instead of once per answer
 * (measured with wrk on two cores: 12k → 25k requests/s).
 */
export function createAnswerWriter(stopping: () => boolean, written: () => void): AnswerWriter {
  let answers: Array<() => void> = [];
  // The newest request on each connection. While stopping, its answer closes the connection and
  // earlier ones do not, so a request pipelined behind another is answered too (issue 13, item 4).
  const newest = new WeakMap<Socket, ServerResponse>();
  const answerAll = () => {
    const batch = answers;
    answers = [];
    for (const answer of batch) answer();
  };
  return {
    arrived(socket, res) {
      newest.set(socket, res);
    },
    write(res, socket, status, answer) {
      answers.push(() => {
        try {
          if ((stopping() && newest.get(socket) === res) || status === 413) res.setHeader('connection', 'close');
          const body = hasNoBody(status) ? null : status === 205 ? EMPTY : answer.body;
          res.writeHead(
            status,
            body === null ? [...answer.headers] : [...answer.headers, 'content-length', String(body.length)],
          );
          res.end(body ?? undefined);
        } catch {
          res.destroy(); // an answer Node refuses to write (a forwarded header it finds invalid)
        } finally {
          written();
        }
      });
      if (answers.length === 1) setImmediate(answerAll);
    },
  };
}

/**
 * A 1xx, 204 or 304 answer has no body, so it has no Content-Length either (RFC 9110 §8.6, §15.3.5,
 * §15.4.5): `--status 204` used to announce 17 bytes it did not send (issue 13, item 14). A 205 has
 * no content and says so with `Content-Length: 0` (§15.3.6), which keeps the connection usable.
 */
function hasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

const EMPTY = Buffer.alloc(0);
