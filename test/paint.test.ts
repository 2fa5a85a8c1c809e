import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { paintStatus } from '../src/cli/paint.js';
import { isSuccess } from '../src/wire/status.js';

// send, replay and listen paint a status with one function and call a delivery good with one rule
// (issue 14): these pin both, null (no answer at all) included.

const c = new Chalk({ level: 1 });

describe('paintStatus()', () => {
  it('paints no answer (null) red, as ERR unless given its text', () => {
    expect(paintStatus(c, null)).toBe(c.red('ERR'));
    expect(paintStatus(c, null, 'timed out')).toBe(c.red('timed out'));
  });

  it('paints by class: green below 300, yellow for 3xx and 4xx, red from 500, the status as its text', () => {
    expect([101, 200, 299, 300, 404, 499, 500, 599].map((status) => paintStatus(c, status))).toEqual([
      c.green('101'),
      c.green('200'),
      c.green('299'),
      c.yellow('300'),
      c.yellow('404'),
      c.yellow('499'),
      c.red('500'),
      c.red('599'),
    ]);
    expect(paintStatus(c, 201, '201 Created')).toBe(c.green('201 Created'));
  });
});

describe('isSuccess()', () => {
  it('is true for 2xx only, and false for no answer (null)', () => {
    expect([null, 100, 199, 200, 204, 299, 300, 404, 500].map(isSuccess)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
