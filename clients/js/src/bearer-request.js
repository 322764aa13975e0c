// A request to the server's REST API with the caller's bearer token, shared by the push and call
// history endpoints. Failures reject with a CallError: the problem's code (Forbidden for an anonymous
// token, …), or ConnectionError when the request did not reach the server.

import { CallError } from './errors.js';
import { problem } from './http-problem.js';

/**
 * @typedef {object} RestEndpoint
 * @property {string} baseUrl the server, without a trailing slash
 * @property {() => string | Promise<string>} token the current token, asked for at every request
 * @property {typeof fetch} [fetch] default: globalThis.fetch
 */

/**
 * `method path` with `Authorization: Bearer <token>` and, when given, `body` as JSON. Resolves to the
 * response when it is ok (or its status is in `tolerated`); else rejects with the problem's CallError.
 * @param {RestEndpoint} endpoint
 * @param {string} method
 * @param {string} path from the base URL, with its query string
 * @param {{ body?: unknown, tolerated?: number[] }} [options]
 */
export async function bearerRequest(endpoint, method, path, { body, tolerated = [] } = {}) {
  const token = await endpoint.token();
  const fetchImpl = endpoint.fetch ?? globalThis.fetch;
  let response;
  try {
    response = await fetchImpl(`${endpoint.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new CallError('ConnectionError', `${method} ${path} failed: ${error?.message ?? error}`, error);
  }
  if (!response.ok && !tolerated.includes(response.status)) throw await problem(response);
  return response;
}
