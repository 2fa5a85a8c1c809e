import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

/**
 * undici's Pool, loaded on its own, for `send` (which only dispatches). undici's index loads all of
 * undici (fetch, web streams, WebSocket, the cache, the mocks): about 65 ms of a `send`'s start-up
 * here, against about 21 ms for the Pool and what it needs. undici has no "exports" map, so its files
 * may be required directly; the version is pinned, and a test checks that this is the very class
 * undici exports. Only `dispatch` is there: `request` and the other helpers are added to the
 * prototype by undici's index, which `--forward-to` loads.
 */
export const Pool: typeof UndiciPool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;
