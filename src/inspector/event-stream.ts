import type { ServerResponse } from 'node:http';

/** The page's live feed (/api/events): server-sent events, one `data:` line of JSON per delivery. */
export interface EventStream {
  /** Answers a request with the stream and keeps it until the page goes away. */
  open(res: ServerResponse): void;
  /** Sends a value to every open page. */
  publish(value: unknown): void;
  /** Ends every stream (the inspector is closing). */
  close(): void;
}

export function createEventStream(): EventStream {
  const streams = new Set<ServerResponse>();
  return {
    open(res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    },
    publish(value) {
      const data = `data: ${JSON.stringify(value)}\n\n`;
      for (const stream of streams) stream.write(data);
    },
    close() {
      for (const stream of streams) stream.end();
    },
  };
}
