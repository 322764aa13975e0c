// This installation's push registration id (stable: kept in localStorage, or generated for the
// manager's life without storage) and the platform it was last registered with.

import { CallError } from '../errors.js';

export const INSTALLATION_KEY = 'callserver.push.installation';
const REGISTRATION_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Throws InvalidArgument unless `id` is a registration id the server accepts (≤ 64 of `[A-Za-z0-9._-]`). */
export function checkRegistrationId(id) {
  if (typeof id !== 'string' || !REGISTRATION_ID.test(id)) {
    throw new CallError('InvalidArgument', 'registrationId must be 1 to 64 characters of A-Z a-z 0-9 . _ -');
  }
  return id;
}

function newRegistrationId() {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  if (typeof globalThis.crypto?.getRandomValues === 'function') {
    return [...globalThis.crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

/** The page's localStorage, or null where there is none (a worker, node) or it is refused. */
export function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled for this origin
  }
}

/**
 * `{ registrationId, platform, appId, alertToken }` of this installation, kept in `storage` under
 * `callserver.push.installation`. The id never changes once made; `platform`, `appId` and `alertToken`
 * (apns: the token of alert pushes, for missed calls) are those of the last subscribe (null after unsubscribe).
 */
export class Installation {
  #storage;
  #record;

  /** @param {Pick<Storage, 'getItem' | 'setItem'> | null} storage */
  constructor(storage) {
    this.#storage = storage;
    this.#record = this.#read() ?? { registrationId: newRegistrationId(), platform: null, appId: null };
    this.#write();
  }

  get registrationId() { return this.#record.registrationId; }
  get platform() { return this.#record.platform; }
  get appId() { return this.#record.appId; }
  get alertToken() { return this.#record.alertToken ?? null; }

  /** Remembers what this installation is registered with (null, null: nothing). */
  remember(platform, appId, alertToken = null) {
    const { alertToken: _previous, ...record } = this.#record;
    this.#record = { ...record, platform: platform ?? null, appId: appId ?? null, ...(alertToken ? { alertToken } : {}) };
    this.#write();
  }

  #read() {
    try {
      const record = JSON.parse(this.#storage?.getItem(INSTALLATION_KEY) ?? 'null');
      if (record && typeof record.registrationId === 'string' && REGISTRATION_ID.test(record.registrationId)) {
        const alertToken = typeof record.alertToken === 'string' ? { alertToken: record.alertToken } : {};
        return { registrationId: record.registrationId, platform: record.platform ?? null, appId: record.appId ?? null, ...alertToken };
      }
    } catch {
      // unreadable: a new one is made
    }
    return null;
  }

  #write() {
    try {
      this.#storage?.setItem(INSTALLATION_KEY, JSON.stringify(this.#record));
    } catch {
      // storage full or refused: the id lives as long as this manager
    }
  }
}
