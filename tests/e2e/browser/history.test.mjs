// Browser end-to-end test of the call history, client side: the softphone's "Recent calls"
// (src/CallServer/wwwroot/recent-calls.js over the SDK's callService.history) in Chromium, against the
// real server process. A call nobody answers is in both users' lists (the callee's marked missed) as
// soon as it ends, without a reload (the hub's CallHistoryChanged); "Call back" dials it; an answered
// call shows its duration; "Delete" and "Clear" remove entries from the user's history on the server.
//
// No sleeps: every wait polls a condition with a deadline (waitUntil, Phone.waitShown/waitForState).

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallServerProcess, outputDir } from '../support/server.mjs';
import { Phone, launchBrowser, waitUntil, waitForGrowth, audioIn } from '../support/browser.mjs';
import { storySteps } from '../support/steps.mjs';

const RING_TIMEOUT_SECONDS = 6;

const server = new CallServerProcess({
  logName: 'browser-history-server.log',
  env: {
    AnonymousCalls__AllowPublicTokens: 'true',
    // Short, so that the unanswered call ends (NoAnswer) soon; long enough for alice to answer the call back.
    Calls__RingTimeout: `00:00:0${RING_TIMEOUT_SECONDS}`,
    Calls__OperationTimeout: '00:00:05',
  },
});

/** The "Recent calls" of a page, as shown, newest first. */
function recentCalls(phone) {
  return phone.page.evaluate(() => [...document.querySelectorAll('#history-list li[data-call-id]')].map((li) => ({
    callId: li.dataset.callId,
    direction: li.dataset.direction,
    missed: li.dataset.missed,
    answered: li.dataset.answered,
    endReason: li.dataset.endReason,
    markedMissed: li.classList.contains('missed'),
    missedLabel: li.querySelector('.missed-label')?.textContent ?? null,
    party: li.querySelector('.party')?.textContent ?? null,
    directionLabel: li.querySelector('.direction')?.textContent ?? null,
    time: li.querySelector('time')?.getAttribute('datetime') ?? null,
    timeText: li.querySelector('time')?.textContent ?? '',
    duration: li.querySelector('.duration')?.textContent ?? null,
    durationSeconds: Number(li.dataset.durationSeconds),
    outcome: li.querySelector('.outcome')?.textContent ?? null,
    callBack: Boolean(li.querySelector('button.call-back')),
    remove: Boolean(li.querySelector('button.delete')),
  })));
}

/** Waits until the page's list satisfies `check(list)`; returns the list. */
function waitForList(phone, check, message) {
  return waitUntil(async () => {
    const list = await recentCalls(phone);
    return check(list) ? list : false;
  }, { message: `${phone.label}: ${message}` });
}

const has = (callId) => (list) => list.some((entry) => entry.callId === callId);
const lacks = (callId) => (list) => !list.some((entry) => entry.callId === callId);

/** "m:ss" (or "h:mm:ss"), as the page writes a duration. */
const durationText = (seconds) => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
};

describe('call history in Chromium: the softphone\'s Recent calls', { timeout: 180_000 }, () => {
  let browser;
  const phones = [];
  let alice, bob; // users
  let pa, pb, guest; // pages
  let missedCallId, answeredCallId;
  const step = storySteps();

  async function open(label) {
    const phone = await Phone.open(browser, server.baseUrl, label);
    phones.push(phone);
    return phone;
  }

  const hasEvent = async (phone, name, detail) => (await phone.events()).some((e) => e.name === name && (detail === undefined || e.detail === detail));

  /** The user's history as the server has it (GET /api/v1/call-history with the user's token). */
  async function serverHistory(user) {
    const response = await server.api('GET', '/api/v1/call-history', { token: user.token });
    assert.equal(response.status, 200, `GET /api/v1/call-history: ${response.status} ${response.text}`);
    return response.json.map((entry) => entry.callId);
  }

  before(async () => {
    try {
      await server.start();
      browser = await launchBrowser();
      alice = await server.provisionUser('alice');
      bob = await server.provisionUser('bob');
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
      fs.writeFileSync(path.join(outputDir, `browser-history-${phone.label.replace(/[^a-z0-9]+/gi, '-')}.log`), lines.join('\n') + '\n');
      if (step.failed()) {
        process.stderr.write(`\n----- ${phone.label} -----\n${lines.join('\n')}\n`);
        try { process.stderr.write(`${phone.label}: ${await phone.describe()}\n`); } catch { /* closed */ }
      }
    }
    await Promise.allSettled(phones.map((phone) => phone.close()));
    await browser?.close().catch(() => {});
    await server.stop();
    server.saveLog();
    if (step.failed()) process.stderr.write(`\n----- server output (tail) -----\n${server.log().slice(-20_000)}\n----- end -----\n`);
  });

  step('the softphone and the SDK\'s history modules are served; users get a Recent calls card, an anonymous caller none', async () => {
    for (const route of ['/recent-calls.js', '/sdk/history/call-history.js', '/sdk/history/history-pages.js', '/sdk/history/call-history-api.js',
      '/sdk/history/call-history-entry.js', '/sdk/bearer-request.js']) {
      const response = await fetch(`${server.baseUrl}${route}`);
      assert.equal(response.status, 200, route);
      assert.match(response.headers.get('content-type') ?? '', /javascript/, route);
      await response.arrayBuffer();
    }
    pa = await open('alice');
    pb = await open('bob');
    guest = await open('guest');
    assert.equal(await pa.signIn(alice), alice.address);
    assert.equal(await pb.signIn(bob), bob.address);
    await guest.signInAnonymously('Guest');
    await pa.waitShown('#history');
    await pb.waitShown('#history');
    assert.equal(await guest.page.evaluate(() => document.getElementById('history').closest('[hidden]') !== null), true,
      'the anonymous caller has no Recent calls');
    assert.equal(await guest.page.evaluate(() => window.__callserver.history.length), 0);
  });

  step('each user\'s Recent calls is read at sign-in: empty ("No calls yet"), no error; the server refuses an anonymous caller\'s history', async () => {
    for (const phone of [pa, pb]) {
      await phone.waitShown('#history[data-loaded="true"] #history-empty');
      assert.deepEqual(await recentCalls(phone), []);
      assert.equal(await phone.page.isHidden('#history-error'), true);
      assert.equal(await phone.page.isDisabled('#history-clear'), true, 'nothing to clear');
      assert.ok(await hasEvent(phone, 'historyLoaded', '0 calls'));
    }
    const { accessToken } = (await server.api('POST', '/api/v1/anonymous-tokens', { body: {} })).json;
    const refused = await server.api('GET', '/api/v1/call-history', { token: accessToken });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 'Forbidden');
  });

  step('alice calls bob, nobody answers: when the ring times out both lists show the call without a reload, bob\'s marked missed', async () => {
    const dialled = Date.now();
    await pa.dial(bob.username, 'audio');
    assert.match(await pb.waitForIncoming(), new RegExp(alice.address));
    await pa.waitForState('Ringing');
    await pa.waitForState('Ended', { endReason: 'NoAnswer', timeout: (RING_TIMEOUT_SECONDS + 10) * 1000 });
    await pb.waitForNoIncoming();
    missedCallId = (await pa.lastCall()).callId;
    assert.equal((await pb.lastCall()).callId, missedCallId);

    const [outgoing] = await waitForList(pa, has(missedCallId), `${missedCallId} in Recent calls`);
    const [incoming] = await waitForList(pb, has(missedCallId), `${missedCallId} in Recent calls`);
    for (const phone of [pa, pb]) {
      assert.ok(await hasEvent(phone, 'callHistoryChanged', `added ${missedCallId}`), `${phone.label} was told by the hub`);
    }

    assert.equal(outgoing.direction, 'outgoing');
    assert.match(outgoing.directionLabel, /Outgoing/);
    assert.equal(outgoing.party, bob.address);
    assert.equal(outgoing.missed, 'false');
    assert.equal(outgoing.markedMissed, false);
    assert.equal(outgoing.missedLabel, null);
    assert.equal(outgoing.answered, 'false');
    assert.equal(outgoing.duration, null, 'no duration for a call nobody answered');
    assert.equal(outgoing.endReason, 'NoAnswer');
    assert.equal(outgoing.outcome, 'no answer');

    assert.equal(incoming.direction, 'incoming');
    assert.match(incoming.directionLabel, /Incoming/);
    assert.equal(incoming.party, alice.address);
    assert.equal(incoming.missed, 'true');
    assert.equal(incoming.markedMissed, true);
    assert.equal(incoming.missedLabel, 'missed');
    assert.equal(await pb.page.isVisible(`li[data-call-id="${missedCallId}"] .missed-label`), true, 'the missed label is visible');
    assert.equal(incoming.answered, 'false');
    assert.equal(incoming.endReason, 'NoAnswer');
    assert.equal(incoming.outcome, 'no answer');

    for (const entry of [outgoing, incoming]) {
      const time = Date.parse(entry.time);
      assert.ok(time >= dialled - 1000 && time <= Date.now(), `the call's time ${entry.time} is when it was made`);
      assert.notEqual(entry.timeText, '');
      assert.ok(entry.callBack && entry.remove, 'Call back and Delete buttons');
    }
    assert.equal(await pa.page.isEnabled('#history-clear'), true);
  });

  step('bob clicks "Call back" on the missed call: alice\'s page rings with bob\'s call, with the dial form\'s media (audio)', async () => {
    await pb.page.selectOption('#dial-media', 'audio');
    await pb.click(`li[data-call-id="${missedCallId}"] .call-back`);
    assert.match(await pa.waitForIncoming(), new RegExp(bob.address));
    assert.equal(await pa.page.textContent('#incoming-kind'), 'audio');
    assert.equal(await pb.page.inputValue('#callee'), alice.address);
    await pb.waitForState('Ringing');
    assert.equal(await pb.page.isDisabled(`li[data-call-id="${missedCallId}"] .call-back`), true, 'no second call while this one is under way');
    answeredCallId = (await pb.lastCall()).callId;
    assert.notEqual(answeredCallId, missedCallId);
  });

  step('alice answers, they talk, bob hangs up: both lists show the call first, answered, not missed, with its duration', async () => {
    const accepted = Date.now();
    await pa.click('#accept-audio');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    for (const phone of [pa, pb]) await waitForGrowth(phone, audioIn, { by: 1500, what: 'inbound audio bytes' });
    await pb.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedRemotely' });
    await pb.waitForState('Ended');
    const longest = Math.ceil((Date.now() - accepted) / 1000);

    for (const [phone, direction, party] of [[pa, 'incoming', bob.address], [pb, 'outgoing', alice.address]]) {
      const list = await waitForList(phone, (l) => l[0]?.callId === answeredCallId, `${answeredCallId} first in Recent calls`);
      assert.deepEqual(list.map((entry) => entry.callId), [answeredCallId, missedCallId], 'newest first');
      const [answered] = list;
      assert.equal(answered.direction, direction);
      assert.equal(answered.party, party);
      assert.equal(answered.missed, 'false');
      assert.equal(answered.markedMissed, false);
      assert.equal(answered.missedLabel, null);
      assert.equal(answered.answered, 'true');
      assert.equal(answered.outcome, null);
      assert.ok(answered.durationSeconds >= 0 && answered.durationSeconds <= longest,
        `${phone.label}: ${answered.durationSeconds} s in the call, at most the ${longest} s it lasted`);
      assert.equal(answered.duration, durationText(Math.round(answered.durationSeconds)));
    }
    assert.equal(await pb.page.isEnabled(`li[data-call-id="${missedCallId}"] .call-back`), true, 'Call back again once the call ended');
  });

  step('bob deletes the missed call: it leaves his list and his history on the server; alice keeps hers', async () => {
    await pb.click(`li[data-call-id="${missedCallId}"] .delete`);
    await waitForList(pb, lacks(missedCallId), `${missedCallId} gone`);
    assert.deepEqual(await serverHistory(bob), [answeredCallId]);
    await waitUntil(() => hasEvent(pb, 'callHistoryChanged', `removed ${missedCallId}`), { message: 'bob was told of the removal by the hub' });
    assert.deepEqual((await recentCalls(pb)).map((entry) => entry.callId), [answeredCallId], 'the list read again after the change');
    assert.deepEqual((await recentCalls(pa)).map((entry) => entry.callId), [answeredCallId, missedCallId]);
    assert.deepEqual(await serverHistory(alice), [answeredCallId, missedCallId]);
  });

  step('alice clears her history: "No calls yet", nothing left on the server; bob\'s list keeps the answered call', async () => {
    await pa.click('#history-clear');
    await pa.waitShown('#history-empty');
    assert.deepEqual(await recentCalls(pa), []);
    assert.equal(await pa.page.isDisabled('#history-clear'), true);
    assert.deepEqual(await serverHistory(alice), []);
    await waitUntil(() => hasEvent(pa, 'callHistoryChanged', 'cleared'), { message: 'alice was told of the clear by the hub' });
    assert.deepEqual((await recentCalls(pb)).map((entry) => entry.callId), [answeredCallId]);

    // A page opened now reads the same: the history is the server's, not the page's.
    const again = await open('alice#2');
    await again.signIn(alice);
    await again.waitShown('#history[data-loaded="true"] #history-empty');
    const bobAgain = await open('bob#2');
    await bobAgain.signIn(bob);
    await waitForList(bobAgain, (list) => list.length === 1 && list[0].callId === answeredCallId, 'the answered call only');
  });

  step('no page logged an uncaught error', async () => {
    for (const phone of phones) {
      const errors = phone.console.filter((line) => line.startsWith('[pageerror]'));
      assert.deepEqual(errors, [], `${phone.label}: ${errors.join('\n')}`);
    }
  });
});
