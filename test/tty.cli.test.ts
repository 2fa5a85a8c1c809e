import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, tempConfigHome } from './helpers/cli.js';
import { signatureOf, startServer, type TestServer } from './helpers/server.js';

const SECRET = 'tty-secret-0123456789';

/**
 * Runs the binary on a real pseudo-terminal (util-linux `script`), stdin included, as a person at a
 * terminal would. Resolves when the process ends, with everything the terminal showed.
 */
function runOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  columns: number,
  /** Called with the screen so far on every change; may type on the terminal (`"\x03"` is Ctrl-C). */
  onScreen?: (screen: string, type: (keys: string) => void) => void,
): Promise<{ code: number | null; screen: string }> {
  const quoted = [process.execPath, BIN, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  const command = `stty cols ${columns} rows 40; ${quoted}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    onScreen?.(Buffer.concat(chunks).toString('utf8'), (keys) => child.stdin.write(keys));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.end();
      resolve({ code, screen: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('send on a terminal', () => {
  it.each([
    [100, true],
    [0, false], // a pty that reports no width: no spinner, and above all no endless redraw
  ])('with %i columns shows a spinner (%s) and colour, sums up, and exits when done', async (columns, spinner) => {
    server = await startServer();
    const result = await runOnTerminal(
      ['send', 'message.created', '--count', '300', '-c', '2', '--to', server.url],
      { XDG_CONFIG_HOME: tempConfigHome(), OBLIC_WEBHOOK_SECRET: SECRET },
      columns,
    );
    expect(result.code).toBe(0);
    expect(result.screen).toMatch(/300 sent .*300 2xx/);
    expect(result.screen).toContain('\u001b[32m'); // green: colour on a terminal only
    expect(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](\u001b\[\d+m)? sent \d/.test(result.screen)).toBe(spinner);
    expect(result.screen.length).toBeLessThan(100_000);
    expect(server.received).toHaveLength(300);
    for (const request of server.received)
      expect(request.headers['x-oblic-signature']).toBe(signatureOf(SECRET, request.body));
  });
});

describe('Ctrl-C on a terminal', () => {
  /**
   * Types Ctrl-C on a real terminal once `ready` (the listener's line, or the server's fifth request
   * for send, which prints nothing while it runs on a pty that reports no width: no spinner, whose
   * redraw would clear the ^C line anyway), and returns what the terminal showed.
   */
  async function interrupt(args: string[], columns: number, ready: RegExp | 'fifth request') {
    let type: ((keys: string) => void) | undefined;
    let typed = false;
    const press = () => {
      if (typed || !type) return;
      typed = true;
      type('\x03');
    };
    server = await startServer((_request, response, index) => {
      response.writeHead(204).end();
      if (ready === 'fifth request' && index === 4) press();
    });
    return runOnTerminal(
      args.map((arg) => (arg === 'SERVER' ? server!.url : arg)),
      { XDG_CONFIG_HOME: tempConfigHome(), OBLIC_WEBHOOK_SECRET: SECRET },
      columns,
      (screen, keys) => {
        type = keys;
        if (ready !== 'fifth request' && ready.test(screen)) press();
      },
    );
  }

  it.each([
    ['listen', ['listen', '--port', '0'], 100, /listening on/, /stopping: answering the requests in flight/],
    [
      'send',
      ['send', 'message.created', '--count', '1000000', '-c', '1', '--to', 'SERVER'],
      0,
      'fifth request',
      /\d+ sent · /,
    ],
  ] as const)('%s: what it says after ^C starts on a line of its own', async (_name, args, columns, ready, said) => {
    const result = await interrupt([...args], columns, ready);
    expect(result.code).toBe(130);
    // The terminal echoes ^C where the cursor was. Between it and what the command says next there
    // is a line break (or a return to the start of the line), so the two never share a line.
    const after = result.screen.slice(result.screen.indexOf('^C') + 2);
    const at = after.search(said);
    expect(at, JSON.stringify(result.screen)).toBeGreaterThanOrEqual(0);
    expect(after.slice(0, at)).toMatch(/\r|\n|\u001b\[1G/);
  });
});
