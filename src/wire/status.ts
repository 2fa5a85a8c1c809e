/**
 * A delivery succeeded when the endpoint answered 2xx: Oblic's rule for a webhook (CONTRACT.md), and
 * so send's, replay's and demo's exit status. `null` is no answer at all (a network error, a timeout).
 */
export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/**
 * Whether a status is what a scenario step expects: `2xx`, `4xx`, `5xx` or one status; no
 * expectation means a 2xx. No answer meets none.
 */
export function meets(expect: string | null, status: number | null): boolean {
  if (status === null) return false;
  if (expect === null) return isSuccess(status);
  const kind = /^([1-5])xx$/i.exec(expect);
  return kind ? Math.floor(status / 100) === Number(kind[1]) : String(status) === expect;
}
