// PushManager, as in the mobile SDKs: registers this installation for push wake-ups (a browser's Web
// Push subscription, or an APNs/FCM token of a hybrid app), keeps it current, checks it and reads the
// pushes. `callService.push` is one, with the service's token; `new PushManager(options)` works without
// a hub connection.

import { CallError } from '../errors.js';
import { checkRegistrationId, defaultStorage, Installation } from './installation.js';
import { parsePushNotification } from './push-notification.js';
import { PushRegistrationsApi } from './push-registrations-api.js';
import { madeWithKey, subscriptionJson, WebPushClient } from './web-push-subscription.js';

const NATIVE_PLATFORMS = ['apns', 'fcm'];

function defaultServiceWorkerContainer() {
  return globalThis.navigator?.serviceWorker ?? null;
}

function nativeToken(token) {
  if (typeof token !== 'string' || token === '') throw new CallError('InvalidArgument', 'an apns or fcm registration needs its device token');
  return token;
}

function withAppId(body, appId) {
  return appId ? { ...body, appId } : body;
}

/** An apns body with its alert token (missed-call pushes go there; none: no missed-call push to this iPhone). */
function withAlertToken(body, alertToken) {
  if (body.platform !== 'apns' || alertToken === undefined || alertToken === null) return body;
  return { ...body, alertToken: nativeToken(alertToken) };
}

/** Whether two stored Web Push subscriptions are the same one. */
function sameSubscription(a, b) {
  return Boolean(a && b) && a.endpoint === b.endpoint && a.keys?.p256dh === b.keys?.p256dh && a.keys?.auth === b.keys?.auth;
}

export class PushManager {
  #api;
  #webPush;
  #storage;
  #installationRecord = null;
  #registrationId;

  /** Reads a CallServer push (see parsePushNotification). */
  static parsePushNotification(data) {
    return parsePushNotification(data);
  }

  /** @param {import('../../index.js').PushManagerOptions} options */
  constructor(options = {}) {
    const baseUrl = options.baseUrl ?? (typeof location !== 'undefined' ? location.origin : undefined);
    if (!baseUrl) throw new CallError('InvalidArgument', 'baseUrl is required');
    if (!options.accessToken && !options.accessTokenFactory) {
      throw new CallError('InvalidArgument', 'accessToken or accessTokenFactory is required');
    }
    const token = options.accessTokenFactory ?? (() => options.accessToken);
    this.#api = new PushRegistrationsApi({ baseUrl: baseUrl.replace(/\/+$/, ''), token, fetch: options.fetch });
    this.#webPush = new WebPushClient(options.serviceWorkerContainer !== undefined ? options.serviceWorkerContainer : defaultServiceWorkerContainer());
    this.#storage = options.storage !== undefined ? options.storage : defaultStorage();
    this.#registrationId = options.registrationId !== undefined ? checkRegistrationId(options.registrationId) : null;
  }

  /** This installation's id and platform, read from (or first written to) storage when first needed. */
  get #installation() {
    this.#installationRecord ??= new Installation(this.#storage);
    return this.#installationRecord;
  }

  /** This installation's registration id: the one given to the constructor, or the stable one kept in localStorage. */
  getRegistrationId() {
    return this.#registrationId ?? this.#installation.registrationId;
  }

  #idOf(options) {
    return options?.registrationId !== undefined ? checkRegistrationId(options.registrationId) : this.getRegistrationId();
  }

  async #store(registrationId, body) {
    const stored = await this.#api.put(registrationId, body);
    this.#installation.remember(body.platform, body.appId, body.alertToken);
    return stored;
  }

  /**
   * Registers this installation for push wake-ups and returns the stored registration. Without
   * `platform` (or with 'webpush'): subscribes the browser (service worker registration, the server's
   * VAPID key, `pushManager.subscribe({ userVisibleOnly: true })`) and stores that subscription; with
   * `{ platform: 'apns' | 'fcm', token }`: stores a native device token (apns: with `alertToken`, the
   * token of alert pushes, missed-call pushes go there).
   * @param {import('../../index.js').PushSubscribeOptions} [options]
   * @returns {Promise<import('../../index.js').PushRegistration>}
   */
  async subscribe(options = {}) {
    const registrationId = this.#idOf(options);
    const platform = options.platform ?? 'webpush';
    if (NATIVE_PLATFORMS.includes(platform)) {
      return this.#store(registrationId, withAlertToken(withAppId({ platform, token: nativeToken(options.token) }, options.appId), options.alertToken));
    }
    if (platform !== 'webpush') throw new CallError('InvalidArgument', `unknown push platform ${JSON.stringify(platform)} (apns, fcm or webpush)`);
    const serviceWorker = await this.#webPush.readyRegistration(options.serviceWorkerRegistration);
    const publicKey = await this.#api.webPushKey();
    const subscription = await this.#webPush.subscribe(serviceWorker, publicKey);
    return this.#store(registrationId, withAppId({ platform, subscription: subscriptionJson(subscription) }, options.appId));
  }

  /**
   * Stores a new device token (a string: apns or fcm, the platform of the last subscribe unless
   * `options.platform` says) or a new Web Push subscription (a PushSubscription, e.g. from
   * `pushsubscriptionchange`; none: the browser's current one, subscribing anew if it has none) under
   * the same registration id.
   * @param {string | PushSubscription | import('../../index.js').WebPushSubscriptionJSON} [token]
   * @param {import('../../index.js').PushSubscribeOptions} [options]
   * @returns {Promise<import('../../index.js').PushRegistration>}
   */
  async refreshDeviceToken(token, options = {}) {
    const registrationId = this.#idOf(options);
    const appId = options.appId ?? this.#installation.appId;
    if (typeof token === 'string') {
      const platform = options.platform ?? this.#installation.platform;
      if (!NATIVE_PLATFORMS.includes(platform)) {
        throw new CallError('InvalidArgument', 'a token string needs the platform apns or fcm: subscribe first or pass { platform }');
      }
      // The alert token stays unless a new one is given (a PUT replaces the whole registration).
      const alertToken = options.alertToken !== undefined ? options.alertToken : this.#installation.alertToken;
      return this.#store(registrationId, withAlertToken(withAppId({ platform, token: nativeToken(token) }, appId), alertToken));
    }
    const subscription = token ?? await this.#webPush.currentSubscription(options.serviceWorkerRegistration);
    if (!subscription) return this.subscribe({ ...options, registrationId, platform: 'webpush', appId });
    return this.#store(registrationId, withAppId({ platform: 'webpush', subscription: subscriptionJson(subscription) }, appId));
  }

  /**
   * Removes this installation's registration from the server and, unless it was a native token, the
   * browser's push subscription. Resolves to true when the server had it, false when it had none.
   * @param {{ registrationId?: string, serviceWorkerRegistration?: ServiceWorkerRegistration }} [options]
   */
  async unsubscribe(options = {}) {
    const removed = await this.#api.delete(this.#idOf(options));
    if (!NATIVE_PLATFORMS.includes(this.#installation.platform)) {
      const subscription = await this.#webPush.currentSubscription(options.serviceWorkerRegistration);
      try {
        await subscription?.unsubscribe();
      } catch (error) {
        throw new CallError('PushError', `the browser did not unsubscribe from push: ${error?.message ?? error}`, error);
      }
    }
    this.#installation.remember(null, null);
    return removed;
  }

  /**
   * Whether this installation is registered on the server (GET /api/v1/push-registrations) and, for Web
   * Push, whether the browser's subscription is still the one stored. `registration` is the server's
   * (null when it has none). A Web Push subscription made with another VAPID key than the server's
   * current one (GET /api/v1/push/webpush-key: the keys were changed) cannot be pushed to any more: it is
   * replaced at once (subscribe again, PUT under the same id), and the check says `resubscribed: true`.
   * @param {{ registrationId?: string, serviceWorkerRegistration?: ServiceWorkerRegistration }} [options]
   * @returns {Promise<import('../../index.js').PushSubscriptionCheck>}
   */
  async checkPushSubscription(options = {}) {
    const registrationId = this.#idOf(options);
    const registrations = await this.#api.list();
    const registration = (Array.isArray(registrations) ? registrations : []).find((r) => r?.registrationId === registrationId) ?? null;
    if (!registration) return { registered: false, registration: null };
    if (registration.platform !== 'webpush') return { registered: true, registration };
    const current = await this.#webPush.currentSubscription(options.serviceWorkerRegistration);
    if (current && madeWithKey(current, await this.#api.webPushKey()) === false) {
      const renewed = await this.subscribe({ ...options, registrationId, platform: 'webpush', appId: registration.appId ?? undefined });
      return { registered: true, registration: renewed, resubscribed: true };
    }
    return { registered: Boolean(current) && sameSubscription(subscriptionJson(current), registration.subscription), registration };
  }

  /** Reads a CallServer push (see parsePushNotification). */
  parsePushNotification(data) {
    return parsePushNotification(data);
  }
}
