// The browser's and the server's side of push in unit tests: a fake fetch that records every request
// and answers as the test scripts it (the call history's tests use it too), an in-memory localStorage, and a fake navigator.serviceWorker
// whose registration has a fake PushManager (subscriptions recorded, refusals scripted).

/** A response as fetch gives it: `ok`, `status`, `json()`. */
export function jsonResponse(status, body) {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => {
      if (body === undefined) throw new SyntaxError('Unexpected end of JSON input');
      return structuredClone(body);
    },
  };
}

/**
 * A fetch: `requests` is every request (`{method, url, path, query, headers, body}`, body parsed, query a
 * URLSearchParams); `on(method, path, fn)` scripts answers.
 */
export class FakeServer {
  requests = [];
  #routes = [];

  constructor(baseUrl = 'https://calls.example.com') {
    this.baseUrl = baseUrl;
    this.fetch = this.fetch.bind(this);
  }

  /**
   * `answer(request)` returns `[status, body]` for `method` on `path` (after the base URL): the exact
   * path and query string, or the path alone for a request with any query string.
   */
  on(method, path, answer) {
    this.#routes.unshift({ method, path, answer });
    return this;
  }

  async fetch(url, init = {}) {
    const { pathname, search, searchParams } = new URL(url);
    const request = {
      method: init.method ?? 'GET',
      url,
      path: pathname,
      query: searchParams,
      headers: { ...(init.headers ?? {}) },
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    this.requests.push(request);
    const route = this.#routes.find((r) => r.method === request.method && `${this.baseUrl}${r.path}` === url)
      ?? (search ? this.#routes.find((r) => r.method === request.method && `${this.baseUrl}${r.path}` === url.slice(0, -search.length)) : undefined);
    if (!route) return jsonResponse(404, { code: 'NotFound', title: `no route ${request.method} ${url}` });
    const [status, body] = route.answer(request);
    return jsonResponse(status, body);
  }

  /** `METHOD path` of every request, in order. */
  get lines() {
    return this.requests.map((r) => `${r.method} ${r.url.slice(this.baseUrl.length)}`);
  }
}

/** localStorage in memory. */
export class MemoryStorage {
  items = new Map();
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

/** A PushSubscription: `toJSON()` as browsers give it; `unsubscribed` once unsubscribe() ran. */
export class FakeSubscription {
  unsubscribed = false;

  constructor({ endpoint, p256dh, auth, applicationServerKey }) {
    this.endpoint = endpoint;
    this.keys = { p256dh, auth };
    this.options = { userVisibleOnly: true, applicationServerKey: applicationServerKey?.buffer ?? null };
  }

  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { ...this.keys } };
  }

  async unsubscribe() {
    this.unsubscribed = true;
    return true;
  }
}

/** A ServiceWorkerRegistration's PushManager: `subscribeCalls` records every subscribe's options. */
export class FakePushManager {
  subscribeCalls = [];
  /** The current subscription (null: none). */
  current = null;
  /** An error subscribe() throws (as a browser that refuses: DOMException-like). */
  refusal = null;
  #count = 0;

  async getSubscription() {
    return this.current?.unsubscribed ? null : this.current;
  }

  async subscribe(options) {
    this.subscribeCalls.push(options);
    if (this.refusal) throw this.refusal;
    this.#count += 1;
    this.current = new FakeSubscription({
      endpoint: `https://push.example.net/send/${this.#count}`,
      p256dh: `p256dh-${this.#count}`,
      auth: `auth-${this.#count}`,
      applicationServerKey: options.applicationServerKey,
    });
    return this.current;
  }
}

/** navigator.serviceWorker with one registration (or none until `register()`). */
export class FakeServiceWorkerContainer {
  registration = null;
  #resolveReady;

  constructor({ registered = true } = {}) {
    this.ready = new Promise((resolve) => { this.#resolveReady = resolve; });
    if (registered) this.register();
  }

  register() {
    this.registration = { scope: 'https://calls.example.com/', pushManager: new FakePushManager() };
    this.#resolveReady(this.registration);
    return this.registration;
  }

  async getRegistration() {
    return this.registration ?? undefined;
  }
}

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** A VAPID public key: 65 bytes of an uncompressed P-256 point (0x04 …), as base64url. */
export function vapidKey(seed = 1) {
  const bytes = new Uint8Array(65).map((_, i) => (i === 0 ? 4 : (i * 7 + seed) % 256));
  return { text: base64url(bytes), bytes };
}
