// One webhook delivery written by hand over its own connection (Connection: close), for the tests
// that need the exact bytes on the wire rather than what an HTTP client would add.
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';

/** POSTs `body` to `url`, signed with `secret` (unsigned when null); resolves with the raw answer once the server closes. */
export function deliverRaw(url: string, body: string, secret: string | null): Promise<string> {
  const { hostname, port } = new URL(url);
  const signature =
    secret === null ? '' : `X-Oblic-Signature: ${createHmac('sha256', secret).update(body).digest('hex')}\r\n`;
  const head = `POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${signature}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(head + body);
  });
}
