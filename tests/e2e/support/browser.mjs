// Debian's Chromium driven by playwright-core, and the softphone page (src/CallServer/wwwroot)
// wrapped in a small "phone" object for the browser tests.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { pollUntil } from './poll.mjs';

/**
 * Flags that work on these machines (docs: shared/design/dependencies.md), plus what WebRTC on one
 * machine needs: fake camera and microphone without a permission prompt, autoplay without a
 * gesture, real host addresses instead of mDNS names, and the loopback interface as an ICE
 * candidate (Chromium leaves it out by default). Playwright gives every launch a fresh, empty
 * --user-data-dir of its own (it refuses the flag in `args`).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
];

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not installed
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium was not found: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

/** Polls `condition` (sync or async) until it returns a truthy value or the deadline passes. */
export function waitUntil(condition, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  return pollUntil(`waiting for ${message}`, condition, { deadlineMs: timeout, intervalMs: interval });
}

/** One softphone page in its own browser context (its own cookies, storage and media devices). */
export class Phone {
  constructor(label, context, page) {
    this.label = label;
    this.context = context;
    this.page = page;
    this.console = [];
    this.address = null;
  }

  static async open(browser, baseUrl, label) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 820 },
      permissions: ['camera', 'microphone'],
    });
    const page = await context.newPage();
    const phone = new Phone(label, context, page);
    page.on('console', (message) => phone.console.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => phone.console.push(`[pageerror] ${error.message}`));
    await page.goto(`${baseUrl}/?ice=loopback`);
    return phone;
  }

  async close() {
    await this.context.close().catch(() => {});
  }

  /**
   * Waits until `selector` matches an element that is not inside a [hidden] element. Polls from
   * Node with page.evaluate (not Playwright's requestAnimationFrame-driven waitForSelector, which
   * stalled on a busy two-core machine with four pages encoding video).
   */
  async waitShown(selector, { timeout = 10_000 } = {}) {
    await waitUntil(() => this.page.evaluate((sel) => {
      const element = document.querySelector(sel);
      return Boolean(element && !element.closest('[hidden]'));
    }, selector), { timeout, message: `${this.label}: ${selector} shown` });
  }

  /** Waits until no element matching `selector` is shown. */
  async waitHidden(selector, { timeout = 10_000 } = {}) {
    await waitUntil(() => this.page.evaluate((sel) => {
      const element = document.querySelector(sel);
      return !element || Boolean(element.closest('[hidden]'));
    }, selector), { timeout, message: `${this.label}: ${selector} hidden` });
  }

  async signIn(user) {
    await this.page.fill('#username', user.username);
    await this.page.fill('#password', user.password);
    await this.page.click('#sign-in');
    await this.waitShown('body[data-signed-in="user"]');
    this.address = await this.page.evaluate(() => window.__callserver.address);
    return this.address;
  }

  async signInAnonymously(displayName) {
    if (displayName) await this.page.fill('#display-name', displayName);
    await this.page.click('#anonymous');
    await this.waitShown('body[data-signed-in="anonymous"]');
    this.address = await this.page.evaluate(() => window.__callserver.address);
    return this.address;
  }

  /** Dials `address` with `media` = video | audio | audio-single. */
  async dial(address, media = 'video') {
    await this.page.selectOption('#dial-media', media);
    await this.page.fill('#callee', address);
    await this.page.click('#dial');
  }

  async click(selector) {
    await this.page.click(selector);
  }

  /** Waits until the call panel shows `state` (and `endReason` when given). */
  async waitForState(state, { endReason, timeout = 10_000 } = {}) {
    try {
      await waitUntil(() => this.page.evaluate(([expected, reason]) =>
        document.getElementById('call-state').dataset.state === expected &&
        (!reason || document.getElementById('call-end-reason').dataset.reason === reason), [state, endReason ?? null]),
      { timeout, message: `${this.label}: ${state}${endReason ? '/' + endReason : ''}` });
    } catch (error) {
      const shown = await this.describe();
      throw new Error(`${this.label}: expected ${state}${endReason ? '/' + endReason : ''}, page shows ${shown}\n${error.message}`);
    }
  }

  async waitForIncoming({ timeout = 10_000 } = {}) {
    await this.waitShown('#incoming', { timeout });
    return this.page.textContent('#incoming-from');
  }

  async waitForNoIncoming({ timeout = 10_000 } = {}) {
    await this.waitHidden('#incoming', { timeout });
  }

  async describe() {
    return this.page.evaluate(() => {
      const call = window.__callserver.activeCall;
      const state = document.getElementById('call-state').dataset.state;
      const reason = document.getElementById('call-end-reason').dataset.reason;
      const events = window.__callserver.events.slice(-12).map((e) => `${e.name} ${e.detail}`).join(' | ');
      return `${state}${reason ? '/' + reason : ''} (sdk: ${call?.getState() ?? 'no call'}); recent events: ${events}`;
    });
  }

  /** The SDK's media stats of the active call (see Call.getMediaStats()). */
  async stats() {
    return this.page.evaluate(() => window.__callserver.stats());
  }

  /** The snapshot of the most recent call this page saw. */
  async lastCall() {
    return this.page.evaluate(() => window.__callserver.calls.at(-1)?.getSnapshot() ?? null);
  }

  async events() {
    return this.page.evaluate(() => window.__callserver.events);
  }
}

/** Waits until `read(stats)` grows by at least `by` from its value now. Returns [before, after]. */
export async function waitForGrowth(phone, read, { by = 1, timeout = 10_000, what = 'a counter' } = {}) {
  const before = read(await phone.stats());
  const after = await waitUntil(async () => {
    const value = read(await phone.stats());
    return value >= before + by ? value : false;
  }, { timeout, message: `${phone.label}: ${what} to grow by ${by} from ${before}` });
  return [before, after];
}

/**
 * Waits until `read(stats)` has not changed for `quietMs` (sampled every 100 ms), within `timeout`:
 * media has stopped arriving. Returns the value it settled at.
 */
export async function waitForStall(phone, read, { quietMs = 800, timeout = 10_000, what = 'a counter' } = {}) {
  let value = read(await phone.stats());
  let since = Date.now();
  return waitUntil(async () => {
    const now = read(await phone.stats());
    if (now !== value) {
      value = now;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs ? { value: now } : false;
  }, { timeout, message: `${phone.label}: ${what} to stop growing (unchanged for ${quietMs} ms)` }).then((r) => r.value);
}

export const audioIn = (s) => s.audio.inbound.bytesReceived;
export const videoFramesIn = (s) => s.video.inbound.framesDecoded;
