// A stand-in for curl, so the tests that run the command `send --print-curl` prints need no curl on
// the machine (issue 14). It takes only the options that command and the tests use and refuses any
// other, so a printer that starts to emit something new fails its test instead of passing untested.
// It writes the request as curl 7.88 does, checked byte for byte against it: Host, then curl's
// User-Agent and Accept unless a header of that name is given, then the -H headers in their order
// ("Name:" with nothing after the colon removes curl's own header of that name and sends nothing),
// then Content-Length, curl's Content-Type unless given, and Expect: 100-continue for a body over
// 1 MiB unless "expect:" removed it. It prints the response body (-i: every head as received too) and
// exits 0 for any HTTP answer, as curl does without -f.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const USAGE = 2; // curl's "failed to initialize"; here: an option this stand-in does not take
const CONNECT = 7;
const RECV = 56;

function fail(code, message, show) {
  if (show) process.stderr.write(`curl: (${code}) ${message}\n`);
  process.exit(code);
}

// argv as bytes: a header value may be Latin-1, which Node's process.argv would decode as UTF-8.
function rawArgs() {
  try {
    const all = readFileSync('/proc/self/cmdline').toString('latin1').split('\0').slice(0, -1);
    if (all.length === process.argv.length) return all.slice(2);
  } catch {}
  return process.argv.slice(2).map((arg) => Buffer.from(arg, 'utf8').toString('latin1'));
}

const options = { silent: false, showError: false, include: false, method: 'GET', headers: [], data: null, url: null };
const args = rawArgs();
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = () => (i + 1 < args.length ? args[++i] : fail(USAGE, `option ${arg} needs a value`, true));
  if (arg === '--request') options.method = value();
  else if (arg === '--header' || arg === '-H') options.headers.push(value());
  else if (arg === '--data-binary') {
    if (value() !== '@-') fail(USAGE, `this stand-in reads --data-binary from @- only, not ${args[i]}`, true);
    options.data = readFileSync(0);
    if (options.method === 'GET') options.method = 'POST';
  } else if (/^-[sSi]+$/.test(arg)) {
    options.silent ||= arg.includes('s');
    options.showError ||= arg.includes('S');
    options.include ||= arg.includes('i');
  } else if (!arg.startsWith('-') && options.url === null) options.url = arg;
  else fail(USAGE, `this stand-in does not take ${JSON.stringify(arg)}`, true);
}
const showErrors = options.showError || !options.silent;
if (options.url === null) fail(USAGE, 'no URL specified', true);
const url = new URL(options.url);
if (url.protocol !== 'http:') fail(1, `this stand-in speaks http only, not ${url.protocol}`, true);

const given = new Map();
const custom = [];
for (const header of options.headers) {
  const colon = header.indexOf(':');
  if (colon <= 0) fail(USAGE, `this stand-in takes -H "Name: value" only, not ${JSON.stringify(header)}`, true);
  given.set(header.slice(0, colon).trim().toLowerCase(), header);
  if (header.slice(colon + 1).trim() !== '') custom.push(header);
}
const body = options.data ?? Buffer.alloc(0);
const defaults = (name, line) => (given.has(name) ? [] : [line]);
const expect = options.data !== null && body.length > 1024 * 1024 && !given.has('expect');
const lines = [
  `${options.method} ${url.pathname}${url.search} HTTP/1.1`,
  `Host: ${url.host}`,
  ...defaults('user-agent', 'User-Agent: curl/7.88.1'),
  ...defaults('accept', 'Accept: */*'),
  ...custom,
  ...(options.data === null ? [] : [`Content-Length: ${body.length}`]),
  ...(options.data === null ? [] : defaults('content-type', 'Content-Type: application/x-www-form-urlencoded')),
  ...(expect ? ['Expect: 100-continue'] : []),
];
const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

const socket = connect(Number(url.port || 80), url.hostname);
let bodySent = false;
const sendBody = () => {
  if (!bodySent) socket.write(body);
  bodySent = true;
};
socket.on('connect', () => {
  socket.write(head);
  // curl waits for 100 Continue for at most a second (--expect100-timeout), then sends the body anyway.
  if (expect) setTimeout(sendBody, 1000).unref();
  else sendBody();
});
socket.on('error', (error) =>
  error.code === 'ECONNREFUSED'
    ? fail(
        CONNECT,
        `Failed to connect to ${url.hostname} port ${url.port || 80}: Couldn't connect to server`,
        showErrors,
      )
    : fail(RECV, `Failure when receiving data from the peer: ${error.message}`, showErrors),
);

// The answer: 1xx heads, then the final head and its body, framed by Content-Length, chunked or the close.
let received = Buffer.alloc(0);
let final = null;
const out = [];
socket.on('data', (chunk) => {
  received = Buffer.concat([received, chunk]);
  while (final === null) {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return;
    const text = received.toString('latin1', 0, end);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? fail(RECV, 'not an HTTP answer', showErrors));
    if (options.include) out.push(received.subarray(0, end + 4));
    received = received.subarray(end + 4);
    if (status >= 200) final = { status, text };
    else if (status === 100) sendBody();
  }
  finish(false);
});
socket.on('end', () => finish(true));

function finish(closed) {
  if (final === null) return closed ? fail(52, 'Empty reply from server', showErrors) : undefined;
  const length = /\r\ncontent-length: *(\d+)/i.exec(final.text)?.[1];
  const noBody = options.method === 'HEAD' || final.status === 204 || final.status === 304;
  let payload = null;
  if (noBody) payload = Buffer.alloc(0);
  else if (/\r\ntransfer-encoding: *chunked/i.test(final.text)) payload = unchunk(received);
  else if (length !== undefined)
    payload = received.length >= Number(length) ? received.subarray(0, Number(length)) : null;
  else if (closed) payload = received;
  if (payload === null) return closed ? fail(18, 'transfer closed with data outstanding', showErrors) : undefined;
  process.stdout.write(Buffer.concat([...out, payload]), () => process.exit(0));
}

/** A chunked body's bytes once its last chunk is in, else null. */
function unchunk(data) {
  const parts = [];
  for (let at = 0; ; ) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = Number.parseInt(data.toString('latin1', at, eol), 16);
    if (size === 0) return data.indexOf('\r\n\r\n', eol) >= 0 ? Buffer.concat(parts) : null; // the last chunk, no trailers
    if (data.length < eol + 2 + size + 2) return null;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
