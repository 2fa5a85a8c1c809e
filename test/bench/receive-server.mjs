// `npm run bench receive`: an endpoint made with the library, printing its URL. argv[2] says which:
// "webhooks" is createWebhooks (a no-op handler for every type, idempotency off so every request
// runs it), "verify-request" the README's hand-written verifyRequest endpoint.
import { createServer } from 'node:http';
import { createWebhooks, verifyRequest } from '../../dist/index.js';

const secrets = [process.env.OBLIC_WEBHOOK_SECRET];
let handler;
if (process.argv[2] === 'webhooks') {
  const webhooks = createWebhooks({ secrets, idempotency: false });
  webhooks.on('*', () => {});
  handler = webhooks.node();
} else {
  handler = async (req, res) => {
    const result = await verifyRequest(req, { secrets });
    if (!result.verified) return res.writeHead(result.reason === 'body_too_large' ? 413 : 401).end();
    if (result.eventError && result.eventError.code !== 'unknown_type') return res.writeHead(400).end();
    res.writeHead(204).end();
  };
}
const server = createServer(handler);
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));
process.on('SIGINT', () => {
  server.closeAllConnections();
  server.close();
});
