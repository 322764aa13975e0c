// Browser end-to-end test of the push wake-up, client side: the softphone's service worker
// (src/CallServer/wwwroot/sw.js) in Chromium, against the real server process. Pushes are delivered
// through the Chrome DevTools Protocol (ServiceWorker.deliverPushMessage), as a push service would:
// headless Chromium has no push service, so `pushManager.subscribe` is covered by the SDK's unit tests
// (clients/js/test/push.test.mjs), and here only its failure is shown on the page.
//
// No sleeps: every wait polls a condition with a deadline (waitUntil, Phone.waitShown).

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallServerProcess, outputDir } from '../support/server.mjs';
import { Phone, launchBrowser, waitUntil } from '../support/browser.mjs';
import { ServiceWorkerDevTools, notificationsInPage } from '../support/service-worker.mjs';
import { storySteps } from '../support/steps.mjs';
import http2 from 'node:http2';
import { requestJson } from '../support/http.mjs';

const SESSION_KEY = 'callserver.softphone.session';

const server = new CallServerProcess({
  logName: 'browser-push-server.log',
  env: { AnonymousCalls__AllowPublicTokens: 'true', Push__WebPush__AllowLoopbackEndpoints: 'true' },
});

describe('push wake-up in Chromium: the softphone\'s service worker rings a closed tab', { timeout: 180_000 }, () => {
  let browser, context, devTools;
  let dave; // the user woken by push
  let origin, scriptURL, registrationId;
  const phones = [];
  const workerConsole = []; // what the service worker logs (it says what it did with each push)
  const step = storySteps();
  const callId = `push-call-${Date.now()}`;
  const incomingCall = {
    type: 'incomingCall', callId, from: 'erin@callserver.local', displayName: 'Erin', video: true,
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
  };

  /** A softphone page of `context` (shares its storage and service worker), opened at `route`. */
  async function open(label, route = '/?ice=loopback') {
    const page = await context.newPage();
    const phone = new Phone(label, context, page);
    page.on('console', (message) => phone.console.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => phone.console.push(`[pageerror] ${error.message}`));
    phones.push(phone);
    await page.goto(`${origin}${route}`);
    return phone;
  }

  /** Waits until the service worker logged `line`. */
  const workerLogged = (line) => waitUntil(() => workerConsole.includes(line), { message: `the service worker to log "${line}"` });

  const hasEvent = async (phone, name, detail) => (await phone.events()).some((e) => e.name === name && (detail === undefined || e.detail === detail));

  before(async () => {
    try {
      await server.start();
      origin = server.baseUrl;
      scriptURL = `${origin}/sw.js`;
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 820 }, permissions: ['camera', 'microphone'] });
      await context.grantPermissions(['notifications'], { origin });
      context.on('console', (message) => { if (message.worker()) workerConsole.push(message.text()); });
      devTools = await ServiceWorkerDevTools.attach(context);
      dave = await server.provisionUser('dave');
    } catch (error) {
      step.markFailed();
      server.saveLog();
      process.stderr.write(`\n----- server output -----\n${server.log()}\n----- end of server output -----\n`);
      throw error;
    }
  }, { timeout: 120_000 });

  after(async () => {
    fs.mkdirSync(outputDir, { recursive: true });
    for (const phone of phones) {
      let events = [];
      try { events = await phone.events(); } catch { /* closed */ }
      const lines = [...events.map((e) => `${e.time} ${e.name} ${e.callId ?? ''} ${e.detail}`), '--- console ---', ...phone.console];
      fs.writeFileSync(path.join(outputDir, `browser-push-${phone.label.replace(/[^a-z0-9]+/gi, '-')}.log`), lines.join('\n') + '\n');
      if (step.failed()) process.stderr.write(`\n----- ${phone.label} -----\n${lines.join('\n')}\n`);
    }
    fs.writeFileSync(path.join(outputDir, 'browser-push-service-worker.log'), workerConsole.join('\n') + '\n');
    if (step.failed()) process.stderr.write(`\n----- service worker console -----\n${workerConsole.join('\n')}\n`);
    await devTools?.close();
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server.stop();
    server.saveLog();
    if (step.failed()) process.stderr.write(`\n----- server output (tail) -----\n${server.log().slice(-20_000)}\n----- end -----\n`);
  });

  let first; // dave's first page

  step('a user signs in: the service worker (/sw.js, scope /) is registered and activated, the session is saved, the push checkbox is shown', async () => {
    for (const route of ['/sw.js', '/saved-session.js', '/push-wake.js', '/sdk/push/push-notification.js', '/sdk/push/push-manager.js']) {
      const response = await fetch(`${origin}${route}`);
      assert.equal(response.status, 200, route);
      assert.match(response.headers.get('content-type') ?? '', /javascript/, route);
      await response.arrayBuffer();
    }
    first = await open('dave#1');
    assert.equal(await first.signIn(dave), dave.address);
    registrationId = await devTools.activatedRegistration(`${origin}/`);
    await waitUntil(() => hasEvent(first, 'serviceWorkerRegistered', `${origin}/`), { message: 'the page logged its service worker' });
    assert.equal(devTools.versions.get(registrationId).scriptURL, scriptURL);

    const saved = JSON.parse(await first.page.evaluate((key) => localStorage.getItem(key), SESSION_KEY));
    assert.equal(saved.address, dave.address);
    assert.equal(typeof saved.accessToken, 'string');
    assert.ok(Date.parse(saved.expiresAt) > Date.now());
    await first.waitShown('#push-wake');
    assert.equal(await first.page.isChecked('#push-wake'), false);
  });

  step('an incomingCall push while the softphone is in front: the page is told and no notification is shown (the page rings by itself)', async () => {
    await devTools.deliverPush(origin, registrationId, incomingCall);
    await workerLogged(`callserver sw: incomingCall ${callId}: a softphone window is in front, no notification`);
    await waitUntil(() => hasEvent(first, 'push', `incomingCall ${callId}`), { message: 'the page was told of the push' });
    assert.deepEqual(await notificationsInPage(first.page), []);
  });

  step('the tab is closed: an incomingCall push shows a notification (tag = callId, the caller, requireInteraction)', async () => {
    await first.page.close();
    // The worker learns of the closed tab a little later: until then it would see a focused window.
    await waitUntil(async () => (await devTools.windowsInWorker(scriptURL)).length === 0, { message: 'the service worker sees no window' });
    await devTools.deliverPush(origin, registrationId, incomingCall);
    // Read once the worker says it is shown, not by polling: a getNotifications() that runs while
    // showNotification() is still under way made Chromium drop the notification (about one run in four).
    await workerLogged(`callserver sw: incomingCall ${callId}: notification shown`);
    assert.deepEqual(await devTools.notificationsInWorker(scriptURL, callId), [{
      title: 'Incoming video call',
      body: 'Erin <erin@callserver.local>',
      tag: callId,
      requireInteraction: true,
      data: { callId, from: 'erin@callserver.local' },
    }]);
  });

  step('a missedCall push (no window open) replaces the ringing notification of its call with "Missed call", which that call\'s cancel does not close', async () => {
    const missedId = `${callId}-missed`;
    await devTools.deliverPush(origin, registrationId, { ...incomingCall, callId: missedId });
    await workerLogged(`callserver sw: incomingCall ${missedId}: notification shown`);
    await devTools.deliverPush(origin, registrationId, { type: 'missedCall', callId: missedId, from: 'erin@callserver.local', displayName: 'Erin', video: true, reason: 'Canceled' });
    await workerLogged(`callserver sw: missedCall ${missedId}: notification shown`);
    await waitUntil(async () => (await devTools.notificationsInWorker(scriptURL, missedId)).length === 0, { message: 'the ringing notification is gone' });
    const missed = [{
      title: 'Missed video call',
      body: 'Erin <erin@callserver.local>',
      tag: `missed-${missedId}`,
      requireInteraction: false,
      data: { callId: null, from: 'erin@callserver.local' },
    }];
    assert.deepEqual(await devTools.notificationsInWorker(scriptURL, `missed-${missedId}`), missed);

    // The cancel may come after the missed call (they travel apart): it leaves the missed call shown.
    await devTools.deliverPush(origin, registrationId, { type: 'callCanceled', callId: missedId, reason: 'Canceled' });
    await workerLogged(`callserver sw: callCanceled ${missedId}: 0 notification(s) closed`);
    assert.deepEqual(await devTools.notificationsInWorker(scriptURL, `missed-${missedId}`), missed);
    // The first call's notification is untouched.
    assert.deepEqual((await devTools.notificationsInWorker(scriptURL, callId)).map((n) => n.tag), [callId]);
  });

  let second; // the page a click on the notification opens

  step('the page a notification click opens (/?call=<callId>) connects by itself with the saved session, and parses the push with the SDK', async () => {
    second = await open('dave#2', `/?call=${encodeURIComponent(callId)}&ice=loopback`);
    await second.waitShown('body[data-signed-in="user"]');
    assert.equal(await second.page.evaluate(() => window.__callserver.address), dave.address);
    assert.equal(await second.page.inputValue('#username'), '', 'nobody typed a password');
    await waitUntil(() => second.page.evaluate(() => document.getElementById('connection-dot').dataset.state === 'Connected'),
      { message: 'the reopened page is connected' });
    assert.ok(await hasEvent(second, 'openedForCall', callId));
    assert.ok(await hasEvent(second, 'signedIn', dave.address));

    // The notification is still there for the page to see (same registration).
    assert.deepEqual((await notificationsInPage(second.page, callId)).map((n) => n.tag), [callId]);

    const parsed = await second.page.evaluate(async ([payload, fcm]) => {
      const { parsePushNotification, PushManager } = await import('/sdk/index.js');
      const asJson = (push) => ({ ...push, expiresAt: push.expiresAt?.toISOString() ?? null });
      let refusal = null;
      try { parsePushNotification({ title: 'not a call' }); } catch (error) { refusal = `${error.name} ${error.code}`; }
      return {
        fromObject: asJson(parsePushNotification(payload)),
        fromString: asJson(PushManager.parsePushNotification(JSON.stringify(payload))),
        fromFcm: asJson(parsePushNotification(fcm)),
        refusal,
      };
    }, [incomingCall, { ...incomingCall, video: 'false', displayName: '' }]);
    const expected = { ...incomingCall, expiresAt: new Date(incomingCall.expiresAt).toISOString(), reason: null };
    assert.deepEqual(parsed.fromObject, expected);
    assert.deepEqual(parsed.fromString, expected);
    assert.deepEqual(parsed.fromFcm, { ...expected, video: false, displayName: null });
    assert.equal(parsed.refusal, 'CallError InvalidArgument');
  });

  step('a callCanceled push closes the notification of that call and tells the page', async () => {
    await devTools.deliverPush(origin, registrationId, { type: 'callCanceled', callId, reason: 'Canceled' });
    await workerLogged(`callserver sw: callCanceled ${callId}: 1 notification(s) closed`);
    await waitUntil(() => hasEvent(second, 'push', `callCanceled ${callId}`), { message: 'the page was told of the cancel' });
    assert.deepEqual(await notificationsInPage(second.page, callId), []);
  });

  step('"Wake me by push": headless Chromium cannot subscribe, so the failure is shown under the checkbox and it stays unchecked', async () => {
    await second.waitShown('#push-wake');
    await second.page.click('#push-wake');
    await second.waitShown('#push-error');
    assert.match(await second.page.textContent('#push-error'), /^[A-Za-z]+: \S/);
    await waitUntil(() => second.page.evaluate(() => !document.getElementById('push-wake').disabled), { message: 'the checkbox is usable again' });
    assert.equal(await second.page.isChecked('#push-wake'), false);
    assert.ok((await second.events()).some((e) => e.name === 'pushSubscribeFailed'));
  });

  step('a real call to dave while no tab of his is open: the server pushes to his Web Push subscription, the service worker shows the call, the page it opens connects, rings with the call and answers', async () => {
    // A loopback push service for dave's subscription (h2c, as the server speaks to http:// endpoints):
    // it records what the server sent (the encrypted body is checked in the .NET tests) and answers 201.
    const received = [];
    const pushService = http2.createServer();
    const sessions = new Set();
    pushService.on('session', (session) => { sessions.add(session); session.on('close', () => sessions.delete(session)); });
    pushService.on('stream', (stream, headers) => {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ headers, body: Buffer.concat(chunks) });
        stream.respond({ ':status': 201 });
        stream.end();
      });
    });
    await new Promise((resolve) => pushService.listen(0, '127.0.0.1', resolve));
    try {
      const subscription = {
        endpoint: `http://127.0.0.1:${pushService.address().port}/push/dave`,
        keys: {
          p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
          auth: 'tBHItJI5svbpez7KI4CCXg',
        },
      };
      const put = await requestJson(origin, 'PUT', '/api/v1/push-registrations/daves-browser', { token: dave.token, body: { platform: 'webpush', subscription } });
      assert.equal(put.status, 200, put.text);

      // No tab of dave's is open: his only way to ring is the push.
      await second.page.close();
      await waitUntil(async () => (await devTools.windowsInWorker(scriptURL)).length === 0, { message: 'the service worker sees no window' });

      const erin = await Phone.open(browser, origin, 'erin');
      phones.push(erin);
      await erin.signIn(await server.provisionUser('erin'));
      await erin.dial(dave.username, 'audio');
      await erin.waitForState('Ringing');
      const realCallId = await erin.page.evaluate(() => window.__callserver.calls.at(-1).getId());

      // The server pushed (encrypted, urgent, with a TTL) to the push service...
      await waitUntil(() => received.length > 0, { message: 'the server pushed to dave\'s subscription' });
      assert.equal(received[0].headers['content-encoding'], 'aes128gcm');
      assert.equal(received[0].headers.urgency, 'high');
      assert.ok(Number(received[0].headers.ttl) > 0);
      assert.match(received[0].headers.authorization ?? '', /^vapid t=/);

      // ...which delivers it to the browser: the service worker shows the call.
      const push = { type: 'incomingCall', callId: realCallId, from: erin.address, displayName: null, video: false, expiresAt: new Date(Date.now() + 60_000).toISOString() };
      await devTools.deliverPush(origin, registrationId, push);
      await workerLogged(`callserver sw: incomingCall ${realCallId}: notification shown`);
      assert.deepEqual((await devTools.notificationsInWorker(scriptURL, realCallId)).map((n) => n.tag), [realCallId]);

      // The click opens the page: it connects with the saved session, and the call rings there.
      const woken = await open('dave#woken', `/?call=${encodeURIComponent(realCallId)}&ice=loopback`);
      second = woken;
      assert.match(await woken.waitForIncoming(), new RegExp(erin.address.split('@')[0]));
      await woken.click('#accept-audio');
      await woken.waitForState('InCall');
      await erin.waitForState('InCall');

      // The push service hears that the call stopped ringing.
      await waitUntil(() => received.length >= 2, { message: 'the server sent the cancel push' });
      await erin.click('#end');
      await woken.waitForState('Ended', { endReason: 'EndedRemotely' });
    } finally {
      // The server keeps its HTTP/2 connection open: close it, or close() waits for it.
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => pushService.close(resolve));
    }
  });

  step('signing out forgets the saved session: a page opened later asks to sign in; an anonymous session is never saved', async () => {
    await second.click('#sign-out');
    await second.waitShown('#login');
    assert.equal(await second.page.evaluate((key) => localStorage.getItem(key), SESSION_KEY), null);

    const third = await open('dave#3', `/?call=${encodeURIComponent(callId)}&ice=loopback`);
    // The page's module has run once goto resolves (module scripts run before the load event): a saved
    // session would have started connecting (window.__callserver.address is set first).
    assert.ok(await hasEvent(third, 'openedForCall', callId));
    assert.equal(await third.page.evaluate(() => window.__callserver.address), null);
    assert.equal(await third.page.evaluate(() => document.body.dataset.signedIn ?? null), null);
    assert.equal(await third.page.isVisible('#login'), true);

    await third.signInAnonymously('Visitor');
    assert.equal(await third.page.evaluate((key) => localStorage.getItem(key), SESSION_KEY), null);
    assert.equal(await third.page.isVisible('#push-card'), false, 'no push for an anonymous caller');
  });

  step('no page logged an uncaught error', async () => {
    for (const phone of phones) {
      const errors = phone.console.filter((line) => line.startsWith('[pageerror]'));
      assert.deepEqual(errors, [], `${phone.label}: ${errors.join('\n')}`);
    }
  });
});
