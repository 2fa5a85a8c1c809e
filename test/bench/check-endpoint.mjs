// A fast, correct webhook endpoint for `npm run bench check`: verifies the raw bytes with node:crypto,
// answers 400 to what is not an event and 204 to the rest, as `check` grades. Prints its URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.OBLIC_WEBHOOK_SECRET;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = req.headers['x-oblic-signature'];
    const expected = createHmac('sha256', secret).update(body).digest();
    if (typeof given !== 'string' || !/^[0-9a-fA-F]{64}$/.test(given.trim())) return res.writeHead(401).end();
    if (!timingSafeEqual(Buffer.from(given.trim(), 'hex'), expected)) return res.writeHead(401).end();
    let event;
    try {
      event = JSON.parse(body.toString());
    } catch {
      return res.writeHead(400).end();
    }
    const ok =
      event !== null &&
      typeof event === 'object' &&
      /^[A-Za-z0-9]{16}$/.test(event.id) &&
      typeof event.type === 'string';
    res.writeHead(ok ? 204 : 400).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/webhooks`));
process.on('SIGINT', () => {
  server.closeAllConnections();
  server.close();
});
