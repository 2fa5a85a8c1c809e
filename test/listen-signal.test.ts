// listen sets its Ctrl-C handlers before it says it is listening: a SIGINT the moment that line is
// written (or before) ends it with the summary and exit 0, never by the signal. In process, so the
// signal can come at exactly that moment: the fake stderr emits it while the line is being written.
import { PassThrough, Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { tempConfigHome } from './helpers/cli.js';

it('a SIGINT while "listening on" is being written stops listen with its summary', async () => {
  let stderr = '';
  let signalled = false;
  const stream = (onText: (text: string) => void) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          onText(chunk.toString('utf8'));
          done();
        },
      }),
      { isTTY: false as const },
    );
  const io = {
    stdout: stream(() => undefined),
    stderr: stream((text) => {
      stderr += text;
      if (!signalled && text.includes('listening on')) {
        signalled = true;
        process.emit('SIGINT');
      }
    }),
    stdin: Object.assign(new PassThrough(), { isTTY: false as const }),
    env: { XDG_CONFIG_HOME: tempConfigHome() },
  };
  const code = await run(['listen', '--port', '0', '--secret', 'signal-secret'], io);
  expect(signalled).toBe(true);
  expect(stderr).toContain('stopping: answering the requests in flight');
  expect(stderr).toContain('0 received · 0 verified · 0 invalid · 0 unsigned');
  expect(code).toBe(0);
});
