// Baseline: a bare node:http server that reads the body and answers 200. Prints its URL.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 17 });
    res.end('{"received":true}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));
// Closing lets the process end by itself once the connections are gone.
process.on('SIGINT', () => {
  server.closeAllConnections();
  server.close();
});
