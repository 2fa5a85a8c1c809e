/**
 * A delivery succeeded when the endpoint answered 2xx: Oblic's rule for a webhook (CONTRACT.md), and
 * so send's, replay's and demo's exit status. `null` is no answer at all (a network error, a timeout).
 */
export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
