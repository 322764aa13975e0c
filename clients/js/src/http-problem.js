// The server's REST errors: RFC 7807 problem JSON with a `code`, read as a CallError.

import { CallError } from './errors.js';

const CODE_OF_STATUS = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'RateLimited' };

/**
 * The CallError of a failed response: the problem's `code` and `detail` (or `title`); without a problem
 * body, a code from the status (401 Unauthorized, 403 Forbidden, 404 NotFound, 429 RateLimited, else Unexpected).
 * @param {{ status: number, json(): Promise<any> }} response
 * @returns {Promise<CallError>}
 */
export async function problem(response) {
  let body;
  try { body = await response.json(); } catch { body = undefined; }
  const code = body?.code ?? CODE_OF_STATUS[response.status] ?? 'Unexpected';
  return new CallError(code, body?.detail ?? body?.title ?? `HTTP ${response.status}`);
}
