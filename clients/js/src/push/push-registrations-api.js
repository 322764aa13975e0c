// The server's push REST endpoints, with the caller's bearer token: /api/v1/push-registrations and
// /api/v1/push/webpush-key. Failures reject with the problem's CallError (Forbidden for an anonymous
// token, RateLimited for too many registrations, …).

import { CallError } from '../errors.js';
import { bearerRequest } from '../bearer-request.js';

export class PushRegistrationsApi {
  /** @type {import('../bearer-request.js').RestEndpoint} */
  #endpoint;

  /**
   * @param {{ baseUrl: string, token: () => string | Promise<string>, fetch?: typeof fetch }} options
   */
  constructor({ baseUrl, token, fetch: fetchImpl }) {
    this.#endpoint = { baseUrl, token, fetch: fetchImpl };
  }

  /** The response when it is ok (or its status is in `tolerated`); else rejects with the problem. */
  #request(method, path, body, tolerated = []) {
    return bearerRequest(this.#endpoint, method, path, { body, tolerated });
  }

  /** PUT /api/v1/push-registrations/{id} → the stored registration. */
  async put(registrationId, body) {
    const response = await this.#request('PUT', `/api/v1/push-registrations/${encodeURIComponent(registrationId)}`, body);
    return response.json();
  }

  /** GET /api/v1/push-registrations → the caller's registrations. */
  async list() {
    const response = await this.#request('GET', '/api/v1/push-registrations');
    return response.json();
  }

  /** DELETE /api/v1/push-registrations/{id} → true, or false when the server had none (404). */
  async delete(registrationId) {
    const response = await this.#request('DELETE', `/api/v1/push-registrations/${encodeURIComponent(registrationId)}`, undefined, [404]);
    return response.status !== 404;
  }

  /** GET /api/v1/push/webpush-key → the server's VAPID public key (base64url). */
  async webPushKey() {
    const response = await this.#request('GET', '/api/v1/push/webpush-key');
    const { publicKey } = await response.json();
    if (typeof publicKey !== 'string' || publicKey === '') {
      throw new CallError('Unexpected', 'the server sent no Web Push public key');
    }
    return publicKey;
  }
}
