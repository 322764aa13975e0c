// The softphone's push wake-up, page side: its service worker (sw.js), the "Wake me by push" checkbox
// (callService.push.subscribe / unsubscribe, errors shown under it) and the worker's messages.

const $ = (id) => document.getElementById(id);

/** Registers sw.js (a module worker, scope /); null where service workers are unavailable. */
export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return null;
  return navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
}

/** Calls `onMessage(message)` for every `callserver-*` message of the service worker. */
export function listenToServiceWorker(onMessage) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (typeof event.data?.type === 'string' && event.data.type.startsWith('callserver-')) onMessage(event.data);
  });
}

/**
 * The "Wake me by push" checkbox of a signed-in session: shown for users (the server refuses anonymous
 * callers), checked when this installation is registered (a Web Push registration whose browser
 * subscription has changed is stored again); checking it subscribes, unchecking it unsubscribes.
 * `log(name, detail)` records what happened; `showError(error)` shows a failure.
 */
export class PushToggle {
  #service = null;
  #log;
  #showError;

  constructor({ log, showError }) {
    this.#log = log;
    this.#showError = showError;
    $('push-wake').addEventListener('change', () => this.#changed());
  }

  /** A new session: `service` (null when signed out) and whether push applies to it (a user, not anonymous). */
  async attach(service, { user }) {
    this.#service = user ? service : null;
    $('push-card').hidden = !this.#service;
    $('push-wake').checked = false;
    this.#showError(null);
    if (!this.#service) return;
    try {
      const { registered, registration } = await this.#service.push.checkPushSubscription();
      if (!registered && registration?.platform === 'webpush') {
        // Registered with a browser subscription that has changed since (or was dropped): store the current one.
        await this.#service.push.refreshDeviceToken();
        this.#log('pushRefreshed', registration.registrationId);
      } else {
        this.#log('pushChecked', registered ? 'registered' : 'not registered');
      }
      $('push-wake').checked = Boolean(registration);
    } catch (error) {
      this.#log('pushCheckFailed', `${error.code}: ${error.message}`);
    }
  }

  /** At sign-out: this installation stops being woken (the saved session is gone, a wake-up could not connect). */
  async detach() {
    const service = this.#service;
    this.#service = null;
    if (service && $('push-wake').checked) {
      try {
        await service.push.unsubscribe();
        this.#log('pushUnsubscribed', 'at sign-out');
      } catch (error) {
        this.#log('pushUnsubscribeFailed', `${error.code}: ${error.message}`);
      }
    }
    $('push-wake').checked = false;
    $('push-card').hidden = true;
  }

  async #changed() {
    const box = $('push-wake');
    const wanted = box.checked;
    if (!this.#service) return;
    box.disabled = true;
    this.#showError(null);
    try {
      if (wanted) {
        const registration = await this.#service.push.subscribe();
        this.#log('pushSubscribed', `${registration.platform} ${registration.registrationId}`);
      } else {
        await this.#service.push.unsubscribe();
        this.#log('pushUnsubscribed', '');
      }
    } catch (error) {
      box.checked = !wanted;
      this.#showError(error);
      this.#log(wanted ? 'pushSubscribeFailed' : 'pushUnsubscribeFailed', `${error.code}: ${error.message}`);
    } finally {
      box.disabled = false;
    }
  }
}
