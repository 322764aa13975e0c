// The browser's side of Web Push: the service worker registration, its PushManager subscription made
// with the server's VAPID key, and that subscription as the server stores it ({ endpoint, keys }).

import { CallError } from '../errors.js';

/** The bytes of a base64url string (the VAPID public key as `applicationServerKey`). */
export function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  let binary;
  try {
    binary = atob(base64);
  } catch (error) {
    throw new CallError('Unexpected', 'the Web Push public key is not base64url', error);
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function sameBytes(buffer, bytes) {
  if (!buffer) return false;
  const other = new Uint8Array(buffer);
  return other.length === bytes.length && other.every((byte, index) => byte === bytes[index]);
}

/**
 * `{ endpoint, keys: { p256dh, auth } }` of a PushSubscription (or of its toJSON()).
 * @param {PushSubscription | import('../../index.js').WebPushSubscriptionJSON} subscription
 * @returns {import('../../index.js').WebPushSubscriptionJSON}
 */
export function subscriptionJson(subscription) {
  const json = typeof (/** @type {any} */ (subscription))?.toJSON === 'function'
    ? /** @type {PushSubscription} */ (subscription).toJSON()
    : /** @type {any} */ (subscription);
  const { endpoint, keys } = json ?? {};
  if (typeof endpoint !== 'string' || typeof keys?.p256dh !== 'string' || typeof keys?.auth !== 'string') {
    throw new CallError('InvalidArgument', 'a Web Push subscription needs endpoint, keys.p256dh and keys.auth');
  }
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

/**
 * Whether `subscription` was made with the VAPID key `publicKey` (base64url): true or false when the browser
 * tells (`options.applicationServerKey`), null when it does not.
 * @param {PushSubscription} subscription
 * @param {string} publicKey
 */
export function madeWithKey(subscription, publicKey) {
  const used = subscription?.options?.applicationServerKey;
  return used ? sameBytes(used, base64UrlBytes(publicKey)) : null;
}

/** The browser's push: `container` is navigator.serviceWorker (or a stand-in). */
export class WebPushClient {
  #container;

  /** @param {Pick<ServiceWorkerContainer, 'ready' | 'getRegistration'> | null | undefined} container */
  constructor(container) {
    this.#container = container;
  }

  #requireContainer() {
    if (!this.#container) throw new CallError('PushUnavailable', 'this environment has no service workers (navigator.serviceWorker)');
    return this.#container;
  }

  /**
   * The active service worker registration for subscribing: `explicit`, or navigator.serviceWorker.ready
   * once one is registered for this page (PushUnavailable when none is: `ready` would never settle).
   * @param {ServiceWorkerRegistration} [explicit]
   */
  async readyRegistration(explicit) {
    if (explicit) return explicit;
    const container = this.#requireContainer();
    if (!(await container.getRegistration())) {
      throw new CallError('PushUnavailable', 'no service worker is registered for this page (navigator.serviceWorker.register)');
    }
    return container.ready;
  }

  /**
   * The browser's current subscription (null when there is none, or no service worker at all).
   * @param {ServiceWorkerRegistration} [explicit]
   */
  async currentSubscription(explicit) {
    const registration = explicit ?? (this.#container ? await this.#container.getRegistration() : undefined);
    return (await registration?.pushManager?.getSubscription()) ?? null;
  }

  /**
   * Subscribes with the server's VAPID key, visibly (`userVisibleOnly`): a subscription made with another
   * key is dropped first (the browser refuses to change the key of a subscription).
   * @param {ServiceWorkerRegistration} registration
   * @param {string} publicKey base64url
   * @returns {Promise<PushSubscription>}
   */
  async subscribe(registration, publicKey) {
    const pushManager = registration?.pushManager;
    if (!pushManager) throw new CallError('PushUnavailable', 'this browser has no Push API (PushManager)');
    const applicationServerKey = base64UrlBytes(publicKey);
    try {
      const existing = await pushManager.getSubscription();
      if (existing && !sameBytes(existing.options?.applicationServerKey, applicationServerKey)) await existing.unsubscribe();
      return await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
    } catch (error) {
      throw new CallError('PushError', `the browser did not subscribe to push: ${error?.name ?? 'Error'}: ${error?.message ?? error}`, error);
    }
  }
}
