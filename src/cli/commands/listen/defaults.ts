// What listen does with no flags: the option table (index.ts) shows these as defaults and the plan
// (plan.ts) starts from them, so both read them here, where nothing else is loaded.

export const LOOPBACK = '127.0.0.1';
export const MAX_BODY = 1024 * 1024;
/** A body is held whole in memory while it is verified (and an app's answer while it is forwarded). */
export const MAX_BODY_LIMIT = 256 * 1024 * 1024;
// Oblic publishes no timeout (CONTRACT.md): this is our assumption, the same as send's --timeout.
export const FORWARD_TIMEOUT_MS = 10_000;
/** Without a bound in bytes, any sender could make the inspector hold 1,000 × 1 MiB (issue 13, item 28). */
export const UI_HISTORY_BYTES = 64 * 1024 * 1024;
