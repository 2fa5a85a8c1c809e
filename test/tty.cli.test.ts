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
  it.each([
    ['listen', ['listen', '--port', '0'], /listening on/, /stopping: answering the requests in flight/],
    ['send', ['send', 'message.created', '--count', '1000000', '-c', '1', '--to', 'SERVER'], /sent \d/, /sent .*2xx/],
  ])('%s: what it says after ^C starts on a line of its own', async (_name, args, ready, after) => {
    server = await startServer();
    let typed = false;
    const result = await runOnTerminal(
      args.map((arg) => (arg === 'SERVER' ? server!.url : arg)),
      { XDG_CONFIG_HOME: tempConfigHome(), OBLIC_WEBHOOK_SECRET: SECRET },
      100,
      (screen, type) => {
        if (typed || !ready.test(screen)) return;
        typed = true;
        type('\x03');
      },
    );
    expect(result.code).toBe(130);
    // The terminal echoes ^C where the cursor was; what comes next starts a line (or goes back to
    // its start to redraw a spinner), never glued to it.
    expect(result.screen).toMatch(/\^C(\r?\n|\r|\u001b\[1G)/);
    expect(result.screen).not.toMatch(/\^C[^\r\n\u001b]/);
    expect(result.screen.slice(result.screen.indexOf('^C'))).toMatch(after);
  });
});
