import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineWriter } from '../src/cli/io.js';

/** A stream that takes writes only when the test lets it, with a tiny buffer. */
function slowStream() {
  const pending: Array<() => void> = [];
  const stream = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => void pending.push(done) });
  return { stream, release: () => pending.splice(0).forEach((done) => done()) };
}

describe('LineWriter', () => {
  it('holds every writer once the stream asks to wait, and lets them go on drain', async () => {
    const { stream, release } = slowStream();
    const writer = new LineWriter(stream, 32);
    expect(writer.write('a'.repeat(40))).toBeInstanceOf(Promise); // over highWater: flushed, stream full
    const held = writer.write('next line');
    expect(held).toBeInstanceOf(Promise); // a later writer waits too, instead of piling up
    let done = false;
    void held!.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await held;
    expect(done).toBe(true);
    expect(writer.write('after drain')).toBeUndefined();
  });
});
