// Push to a page's service worker in the browser tests, through the Chrome DevTools Protocol: the
// ServiceWorker domain tells the registrations (workerRegistrationUpdated) and their versions
// (workerVersionUpdated), and ServiceWorker.deliverPushMessage fires a `push` event with a payload, as a
// push service would (headless Chromium has no push service to subscribe to).

import { waitUntil } from './browser.mjs';

export class ServiceWorkerDevTools {
  /** registrationId → { scopeURL, isDeleted } */
  registrations = new Map();
  /** registrationId → the latest version's { status, runningStatus, scriptURL } */
  versions = new Map();

  constructor(context, page, cdp) {
    this.context = context;
    this.page = page;
    this.cdp = cdp;
  }

  /**
   * Attaches to `context` through a blank page of its own (so that it outlives the pages under test,
   * and is no window of their origin).
   */
  static async attach(context) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const devTools = new ServiceWorkerDevTools(context, page, cdp);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      for (const r of registrations) devTools.registrations.set(r.registrationId, { scopeURL: r.scopeURL, isDeleted: r.isDeleted });
    });
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) devTools.versions.set(v.registrationId, { status: v.status, runningStatus: v.runningStatus, scriptURL: v.scriptURL });
    });
    await cdp.send('ServiceWorker.enable');
    return devTools;
  }

  /** Waits until a registration of `scopeURL` has an activated version; returns its registrationId. */
  async activatedRegistration(scopeURL, { timeout = 10_000 } = {}) {
    return waitUntil(() => {
      for (const [id, registration] of this.registrations) {
        if (registration.scopeURL === scopeURL && !registration.isDeleted && this.versions.get(id)?.status === 'activated') return id;
      }
      return false;
    }, { timeout, message: `an activated service worker of ${scopeURL} (seen: ${JSON.stringify([...this.registrations])})` });
  }

  /** Delivers a push with `payload` (JSON) to the registration's service worker. */
  async deliverPush(origin, registrationId, payload) {
    await this.cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) });
  }

  /** The running service worker of `scriptURL` (the latest, if it was restarted). */
  #worker(scriptURL) {
    const worker = this.context.serviceWorkers().filter((w) => w.url() === scriptURL).at(-1);
    if (!worker) throw new Error(`no running service worker ${scriptURL}`);
    return worker;
  }

  /** The URLs of the windows the service worker of `scriptURL` sees (clients.matchAll). */
  async windowsInWorker(scriptURL) {
    return this.#worker(scriptURL).evaluate(async () =>
      (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).map((client) => client.url));
  }

  /**
   * The notifications the service worker of `scriptURL` shows (with `tag`, when given), read inside the
   * worker itself: works when no page of the origin is open.
   */
  async notificationsInWorker(scriptURL, tag) {
    return this.#worker(scriptURL).evaluate(async (wanted) => (await self.registration.getNotifications(wanted ? { tag: wanted } : {}))
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data })), tag ?? null);
  }

  async close() {
    await this.cdp.detach().catch(() => {});
    await this.page.close().catch(() => {});
  }
}

/** The notifications of the page's service worker registration (with `tag`, when given). */
export function notificationsInPage(page, tag) {
  return page.evaluate(async (wanted) => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    if (!registration) return null;
    return (await registration.getNotifications(wanted ? { tag: wanted } : {}))
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data }));
  }, tag ?? null);
}
