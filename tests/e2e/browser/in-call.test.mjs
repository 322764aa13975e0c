// During the call (issue 18) in Chromium with real media, through the web softphone and the SDK: DTMF keys
// play RFC 4733 tones on the sender's RTCDTMFSender (its tonechange, reported as dtmfToneSent) and reach the
// other page as DtmfReceived; the SDK's quality samples of a real call land in the call.ended webhook's
// record with plausible values (a loopback receiver checks the signatures); a call waiting is shown with both
// buttons and Hold & accept answers it while the first call is held.
//
// No sleeps: every wait polls a condition with a deadline.

import { describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallServerProcess, outputDir } from '../support/server.mjs';
import { Phone, launchBrowser, waitUntil, waitForGrowth, audioIn } from '../support/browser.mjs';
import { WebhookReceiver } from '../support/webhook-receiver.mjs';
import { storySteps } from '../support/steps.mjs';

const server = new CallServerProcess({ logName: 'browser-in-call-server.log' });

describe('during a real call in Chromium: DTMF, quality reports, call waiting', { timeout: 200_000 }, () => {
  let browser;
  let receiver;
  const phones = [];
  let alice, bob, carol;
  let pa, pb, pc;
  let firstCallId;
  const step = storySteps();

  const eventsOf = (phone, name) => phone.page.evaluate((n) => window.__callserver.events.filter((e) => e.name === n), name);

  after(async () => {
    fs.mkdirSync(outputDir, { recursive: true });
    for (const phone of phones) {
      let events = [];
      try { events = await phone.events(); } catch { /* closed */ }
      const lines = [...events.map((e) => `${e.time} ${e.name} ${e.callId ?? ''} ${e.detail}`), '--- console ---', ...phone.console];
      fs.writeFileSync(path.join(outputDir, `browser-in-call-${phone.label}.log`), lines.join('\n') + '\n');
      if (step.failed()) {
        try { process.stderr.write(`${phone.label}: ${await phone.describe()}\n`); } catch { /* closed */ }
      }
    }
    await Promise.allSettled(phones.map((phone) => phone.close()));
    await browser?.close().catch(() => {});
    await server.stop();
    await receiver?.stop();
    server.saveLog();
    if (step.failed()) process.stderr.write(`\n----- server output (tail) -----\n${server.log().slice(-20_000)}\n----- end -----\n`);
  });

  step('the server (webhooks to a loopback receiver) and three pages: alice calls bob, audio flows over loopback', async () => {
    receiver = await new WebhookReceiver().start();
    server.extraEnv = {
      Webhooks__Endpoints__0__Url: receiver.url,
      Webhooks__Endpoints__0__Secret: receiver.secret,
      Webhooks__PollInterval: '00:00:00.100',
    };
    await server.start();
    browser = await launchBrowser();
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => server.provisionUser(name)));
    for (const [label, user] of [['alice', alice], ['bob', bob], ['carol', carol]]) {
      const phone = await Phone.open(browser, server.baseUrl, label);
      phones.push(phone);
      await phone.signIn(user);
    }
    [pa, pb, pc] = phones;

    await pa.dial(bob.username, 'audio');
    await pb.waitForIncoming();
    await pb.click('#accept-audio');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    firstCallId = (await pa.lastCall()).callId;
    for (const phone of [pa, pb]) await waitForGrowth(phone, audioIn, { by: 1500, what: 'inbound audio bytes' });
  });

  step('DTMF: alice presses 1, 5 and #; her RTCDTMFSender plays each tone (tonechange) and bob\'s page receives "15#"', async () => {
    assert.equal(await pa.page.evaluate(() => window.__callserver.activeCall.getDtmfSender()?.canInsertDTMF ?? false), true,
      'the audio sender has an RTCDTMFSender that can insert DTMF');
    for (const digit of ['1', '5', '#']) {
      await pa.page.click(`#dtmf-pad button[data-dtmf="${digit}"]`);
      await waitUntil(async () => (await eventsOf(pb, 'dtmfReceived')).some((e) => e.detail.includes(digit)), { message: `bob received ${digit}` });
    }

    // The tones were played on the wire by alice's sender: tonechange for each, in order.
    const played = await waitUntil(async () => {
      const tones = (await eventsOf(pa, 'dtmfToneSent')).map((e) => e.detail.trim()).filter((t) => t !== '');
      return tones.length >= 3 ? tones : false;
    }, { timeout: 15_000, message: 'three tonechange events on alice\'s RTCDTMFSender' });
    assert.deepEqual(played.slice(0, 3), ['1', '5', '#']);
    await waitUntil(async () => (await pb.page.textContent('#dtmf-received')) === '15#', { message: 'bob\'s page shows 15#' });
    assert.equal(await pa.page.textContent('#dtmf-sent'), '15#');
  });

  step('quality: each page samples its real call (getStats) and shows it; RTT > 0, no loss on loopback', async () => {
    for (const phone of [pa, pb]) {
      const sample = await waitUntil(() => phone.page.evaluate(() => window.__callserver.quality()), { timeout: 20_000, message: `${phone.label}: a quality sample` });
      assert.ok(sample.rttMs > 0, `${phone.label}: rtt ${sample.rttMs}`);
      assert.equal(sample.packetLossPercent, 0);
      assert.ok(sample.mos >= 1 && sample.mos <= 5, `mos ${sample.mos}`);
      await phone.waitShown('#quality');
    }
  });

  step('call waiting: carol calls bob; bob\'s page shows the waiting call with Hold & accept and End & accept; Hold & accept answers carol and alice is held', async () => {
    await pc.dial(bob.username, 'audio');
    await pb.waitShown('#waiting-actions');
    assert.equal(await pb.page.isVisible('#end-and-accept'), true);
    await pb.click('#hold-and-accept');
    await pc.waitForState('InCall');
    await pa.waitForState('RemotelyHeld');
    await waitForGrowth(pc, audioIn, { by: 1500, what: 'carol\'s inbound audio' });
  });

  step('alice ends the held call: its call.ended record has both sides\' quality with plausible values', async () => {
    await pa.click('#end');
    await pa.waitForState('Ended');
    await receiver.waitDelivered(firstCallId, 'call.ended', 15_000);
    const delivered = receiver.of(firstCallId).at(-1);
    assert.deepEqual(delivered.problems, []);
    const { quality } = delivered.event.data.record;
    for (const side of ['caller', 'callee']) {
      const q = quality[side];
      assert.ok(q, `${side} reported quality`);
      assert.ok(q.samples >= 1);
      assert.ok(q.rttMs.avg > 0 && q.rttMs.max < 1000, `${side} rtt ${JSON.stringify(q.rttMs)}`);
      assert.equal(q.packetLossPercent.max, 0, `${side} loss on loopback`);
      assert.ok(q.mos.min >= 1 && q.mos.max <= 5, `${side} mos ${JSON.stringify(q.mos)}`);
      assert.ok(q.audioBitrateKbps?.avg > 0, `${side} sent audio: ${JSON.stringify(q.audioBitrateKbps)}`);
      assert.ok(q.worstWindow.samples >= 1);
    }
  });
});
