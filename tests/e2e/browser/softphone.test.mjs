// Browser end-to-end tests: the web softphone (src/CallServer/wwwroot) and the JavaScript SDK
// (clients/js, served at /sdk/) in Debian's Chromium, driven by playwright-core, against the real
// server process. Every page is its own browser context loaded from http://127.0.0.1:PORT/; media
// are Chromium's fake camera and microphone; every assertion about media reads the
// RTCPeerConnection's stats through the SDK (window.__callserver.stats()).
//
// No sleeps: every wait polls a condition with a deadline (waitUntil, waitForGrowth, waitForStall,
// Phone.waitShown/waitHidden/waitForState).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallServerProcess, outputDir } from '../support/server.mjs';
import {
  Phone, launchBrowser, waitUntil, waitForGrowth, waitForStall, audioIn, videoFramesIn,
} from '../support/browser.mjs';
import { storySteps } from '../support/steps.mjs';

const ANONYMOUS_TOKEN_SECONDS = 12;
const BACKEND_KEY = 'softphone-e2e-backend-key-0123456789';

const server = new CallServerProcess({
  logName: 'browser-server.log',
  env: {
    AnonymousCalls__AllowPublicTokens: 'true',
    Auth__BackendApiKeys__0: BACKEND_KEY,
    // Short enough that an anonymous call outlives its first token (the SDK renews 5 s before expiry).
    AnonymousCalls__TokenLifetime: `00:00:${String(ANONYMOUS_TOKEN_SECONDS).padStart(2, '0')}`,
    Calls__RingTimeout: '00:00:30',
    Calls__OperationTimeout: '00:00:05',
  },
});

const AUDIO_BYTES = 1500; // a fraction of a second of Opus from the fake microphone
const VIDEO_FRAMES = 10;

describe('web softphone in Chromium: real calls through CallServer', { timeout: 240_000 }, () => {
  let browser;
  const phones = [];
  let alice, bob, carol; // users
  let pa, pb, pb2, pc; // pages: alice, bob (two devices), carol
  const step = storySteps(); // steps depend on each other: the first failure stops the story


  async function open(label) {
    const phone = await Phone.open(browser, server.baseUrl, label);
    phones.push(phone);
    return phone;
  }

  before(async () => {
    try {
      await server.start();
      browser = await launchBrowser();
      alice = await server.provisionUser('alice');
      bob = await server.provisionUser('bob');
      carol = await server.provisionUser('carol');
    } catch (error) {
      step.markFailed();
      server.saveLog();
      process.stderr.write(`\n----- server output -----\n${server.log()}\n----- end of server output -----\n`);
      throw error;
    }
  }, { timeout: 200_000 });

  after(async () => {
    // Each page's event log and console, for reading after a run.
    fs.mkdirSync(outputDir, { recursive: true });
    for (const phone of phones) {
      let events = [];
      try { events = await phone.events(); } catch { /* closed */ }
      const lines = [...events.map((e) => `${e.time} ${e.name} ${e.callId ?? ''} ${e.detail}`), '--- console ---', ...phone.console];
      fs.writeFileSync(path.join(outputDir, `browser-${phone.label.replace(/[^a-z0-9]+/gi, '-')}.log`), lines.join('\n') + '\n');
    }
    if (step.failed()) {
      for (const phone of phones) {
        process.stderr.write(`\n----- ${phone.label} console -----\n${phone.console.join('\n')}\n`);
        try { process.stderr.write(`${phone.label}: ${await phone.describe()}\n`); } catch { /* closed */ }
      }
    }
    await Promise.allSettled(phones.map((phone) => phone.close()));
    await browser?.close().catch(() => {});
    await server.stop();
    server.saveLog();
    if (step.failed()) {
      process.stderr.write(`\n----- server output (tail) -----\n${server.log().slice(-20_000)}\n----- end -----\n`);
    }
  });

  step('the softphone and the SDK are served; alice, bob (two devices) and carol sign in', async () => {
    for (const route of ['/', '/app.js', '/styles.css', '/sdk/index.js', '/sdk/call.js', '/lib/signalr.js', '/lib/signalr.min.js']) {
      const response = await fetch(`${server.baseUrl}${route}`);
      assert.equal(response.status, 200, route);
      await response.arrayBuffer();
    }

    pa = await open('alice');
    pb = await open('bob#1');
    pb2 = await open('bob#2');
    pc = await open('carol');

    // A wrong password is shown as an error on the page.
    await pa.page.fill('#username', alice.username);
    await pa.page.fill('#password', 'not-the-password');
    await pa.page.click('#sign-in');
    await pa.waitShown('#login-error');
    assert.match(await pa.page.textContent('#login-error'), /^Unauthorized: /);

    assert.equal(await pa.signIn(alice), alice.address);
    assert.equal(await pb.signIn(bob), bob.address);
    assert.equal(await pb2.signIn(bob), bob.address);
    assert.equal(await pc.signIn(carol), carol.address);
    assert.equal((await pa.page.textContent('#my-address')).trim(), alice.address);
  });

  step('alice calls bob with video: both devices ring, bob#1 accepts with video, both InCall, ICE connected over loopback, audio flows both ways', async () => {
    await pa.dial(bob.username, 'video');
    assert.match(await pb.waitForIncoming(), new RegExp(alice.address));
    await pb2.waitForIncoming();
    assert.equal(await pb.page.textContent('#incoming-kind'), 'video');
    await pa.waitForState('Ringing');

    await pb.click('#accept-video');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    // bob's other device stopped ringing: AnsweredElsewhere.
    await pb2.waitForNoIncoming();
    const elsewhere = await pb2.lastCall();
    assert.equal(elsewhere.state, 'Ended');
    assert.equal(elsewhere.endReason, 'AnsweredElsewhere');

    for (const phone of [pa, pb]) {
      const stats = await waitUntil(async () => {
        const s = await phone.stats();
        return ['connected', 'completed'].includes(s.iceConnectionState) && s.selectedCandidatePair ? s : false;
      }, { message: `${phone.label}: ICE connected` });
      // The SDK only signals 127.0.0.1 candidates (?ice=loopback): packets go to the loopback address.
      const pair = stats.selectedCandidatePair;
      assert.ok(pair.local.address === '127.0.0.1' || pair.remote.address === '127.0.0.1',
        `${phone.label}: the selected pair uses loopback: ${JSON.stringify(pair)}`);
      // Sampled twice: the counter grows while we watch.
      const [first, second] = await waitForGrowth(phone, audioIn, { by: AUDIO_BYTES, what: 'inbound audio bytes' });
      assert.ok(second > first);
      await waitForGrowth(phone, videoFramesIn, { by: VIDEO_FRAMES, what: 'decoded video frames' });
    }
    const callA = await pa.lastCall();
    assert.equal(callA.offerKind, 'Video');
    assert.equal(callA.media.localVideo, true);
    assert.equal(callA.media.remoteVideo, true);
  });

  step('the established video call: screenshot saved and the layout checked', async () => {
    // Both views show decoded frames (the element has a picture size).
    for (const phone of [pa, pb]) {
      await waitUntil(() => phone.page.evaluate(() =>
        ['remote-video', 'local-video'].every((id) => document.getElementById(id).videoWidth > 0)),
      { message: `${phone.label}: both <video> elements show frames` });
    }
    fs.mkdirSync(outputDir, { recursive: true });
    const file = path.join(outputDir, 'established-call.png');
    await pa.page.screenshot({ path: file, fullPage: false });
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is a real picture');

    const box = async (selector) => {
      const b = await pa.page.locator(selector).boundingBox();
      assert.ok(b, `${selector} is laid out`);
      return b;
    };
    const remote = await box('#remote-video');
    const local = await box('#local-video');
    const controls = await box('#controls');
    const viewport = pa.page.viewportSize();
    const overlaps = (p, q) => p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
    for (const [name, b] of [['remote video', remote], ['local video', local], ['controls', controls]]) {
      assert.ok(b.width > 100 && b.height > 30, `${name} has a real size: ${JSON.stringify(b)}`);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= viewport.width && b.y + b.height <= viewport.height,
        `${name} is inside the viewport: ${JSON.stringify(b)}`);
    }
    assert.ok(remote.width > local.width, 'the remote video is the big one');
    assert.ok(!overlaps(remote, local), 'the videos do not overlap');
    assert.ok(!overlaps(remote, controls) && !overlaps(local, controls), 'the videos do not cover the controls');
    for (const id of ['#hold', '#mute', '#video-stop', '#end']) {
      assert.equal(await pa.page.isEnabled(id), true, `${id} is enabled in a call`);
    }
    assert.equal(await pa.page.isEnabled('#unhold'), false);
    assert.equal(await pa.page.isEnabled('#video-start'), false, 'video already on');
  });

  step('mute: bob\'s page shows alice muted; unmute clears it', async () => {
    await pa.click('#mute');
    await pb.waitShown('#remote-muted');
    await pa.waitShown('#local-muted');
    assert.equal(await pa.page.evaluate(() => window.__callserver.activeCall.getLocalStream().getAudioTracks()[0].enabled), false,
      'the microphone track is disabled');
    await pa.click('#unmute');
    await pb.waitHidden('#remote-muted');
    assert.equal(await pa.page.evaluate(() => window.__callserver.activeCall.getLocalStream().getAudioTracks()[0].enabled), true);
  });

  step('hold: bob stops receiving (and so does alice); unhold: audio flows again', async () => {
    await pa.click('#hold');
    await pa.waitForState('OnHold');
    await pb.waitForState('RemotelyHeld');
    await pb.waitShown('#remote-held');
    await waitForStall(pb, audioIn, { what: 'bob\'s inbound audio (held)' });
    await waitForStall(pb, videoFramesIn, { what: 'bob\'s decoded video (held)' });
    await waitForStall(pa, audioIn, { what: 'alice\'s inbound audio (holding)' });

    await pa.click('#unhold');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    await waitForGrowth(pb, audioIn, { by: AUDIO_BYTES, what: 'bob\'s inbound audio after unhold' });
    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice\'s inbound audio after unhold' });
    await waitForGrowth(pb, videoFramesIn, { by: VIDEO_FRAMES, what: 'bob\'s decoded video after unhold' });
  });

  step('double hold: both hold (OnDoubleHold, nothing flows), then both unhold (flows again)', async () => {
    await pa.click('#hold');
    await pa.waitForState('OnHold');
    await pb.waitForState('RemotelyHeld');
    await pb.click('#hold');
    await pa.waitForState('OnDoubleHold');
    await pb.waitForState('OnDoubleHold');
    await waitForStall(pa, audioIn, { what: 'alice\'s inbound audio (double hold)' });
    await waitForStall(pb, audioIn, { what: 'bob\'s inbound audio (double hold)' });

    await pa.click('#unhold');
    await pa.waitForState('RemotelyHeld');
    await pb.waitForState('OnHold');
    // bob still holds: still nothing flows either way.
    await waitForStall(pa, audioIn, { what: 'alice\'s inbound audio (bob still holds)' });
    await waitForStall(pb, audioIn, { what: 'bob\'s inbound audio (bob still holds)' });

    await pb.click('#unhold');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice\'s inbound audio after both unheld' });
    await waitForGrowth(pb, audioIn, { by: AUDIO_BYTES, what: 'bob\'s inbound audio after both unheld' });
  });

  step('video stop: bob stops decoding alice\'s video; video start: it grows again', async () => {
    await pa.click('#video-stop');
    await pa.waitShown('#call[data-local-video="false"]');
    await waitUntil(async () => (await pb.lastCall()).media.remoteVideo === false, { message: 'bob sees remoteVideo false' });
    await waitForStall(pb, videoFramesIn, { what: 'bob\'s decoded video after video stop' });
    // Audio goes on.
    await waitForGrowth(pb, audioIn, { by: AUDIO_BYTES, what: 'bob\'s inbound audio with video stopped' });
    // bob still sends video to alice.
    await waitForGrowth(pa, videoFramesIn, { by: VIDEO_FRAMES, what: 'alice still decodes bob\'s video' });

    await pa.click('#video-start');
    await pa.waitShown('#call[data-local-video="true"]');
    await waitUntil(async () => (await pb.lastCall()).media.remoteVideo === true, { message: 'bob sees remoteVideo true' });
    await waitForGrowth(pb, videoFramesIn, { by: VIDEO_FRAMES, what: 'bob\'s decoded video after video start' });
  });

  step('move here: bob#2 pulls the call from bob#1 (PullCall); the media goes on with alice, who never sees the call end', async () => {
    const aliceEndsBefore = (await pa.events()).filter((e) => e.name === 'callStatusChanged' && e.detail.startsWith('Ended')).length;
    await waitUntil(async () => {
      await pb2.click('#other-devices-refresh');
      return pb2.page.evaluate(() => Boolean(document.querySelector('#other-devices-list li[data-call-id] button.move-here')));
    }, { message: 'bob#2 lists the call on bob#1' });
    await pb2.click('#other-devices-list button.move-here');

    await pb2.waitForState('InCall', { timeout: 15_000 });
    await pb.waitForState('Ended', { endReason: 'MovedToAnotherDevice' });
    assert.ok((await pb.events()).some((e) => e.name === 'callPulled'), 'bob#1 was told the call moved');

    // New media between alice and bob#2, both ways, audio and video.
    await waitForGrowth(pb2, audioIn, { by: AUDIO_BYTES, what: 'bob#2 hears alice', timeout: 15_000 });
    await waitForGrowth(pb2, videoFramesIn, { by: VIDEO_FRAMES, what: 'bob#2 decodes alice\'s video', timeout: 15_000 });
    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice hears bob#2', timeout: 15_000 });
    await waitForGrowth(pa, videoFramesIn, { by: VIDEO_FRAMES, what: 'alice decodes bob#2\'s video', timeout: 15_000 });
    const bob1 = await pb.page.evaluate(() => document.getElementById('local-video').srcObject);
    assert.equal(bob1, null, 'bob#1 released its media');

    // alice's call never ended: same call, InCall throughout.
    assert.equal(await pa.page.getAttribute('#call-state', 'data-state'), 'InCall');
    const aliceEndsAfter = (await pa.events()).filter((e) => e.name === 'callStatusChanged' && e.detail.startsWith('Ended')).length;
    assert.equal(aliceEndsAfter, aliceEndsBefore, 'alice saw no Ended');
  });

  step('alice ends the call: alice EndedLocally, bob EndedRemotely; media released', async () => {
    await pa.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedLocally' });
    await pb2.waitForState('Ended', { endReason: 'EndedRemotely' });
    for (const phone of [pa, pb2]) {
      const live = await phone.page.evaluate(() => document.getElementById('local-video').srcObject);
      assert.equal(live, null, `${phone.label}: the local view is released`);
    }
  });

  step('reject: bob rejects on one device; alice sees Rejected and both bob devices stop ringing', async () => {
    await pa.dial(bob.username, 'audio');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    assert.equal(await pb.page.textContent('#incoming-kind'), 'audio');
    await pb.click('#reject');
    await pa.waitForState('Ended', { endReason: 'Rejected' });
    await pb.waitForNoIncoming();
    await pb2.waitForNoIncoming();
    assert.equal((await pb.lastCall()).endReason, 'Rejected');
    assert.equal((await pa.lastCall()).offerKind, 'AudioWithInactiveVideo');
  });

  step('ignore: bob#1 ignores (only there), bob#2 answers; the call connects with audio', async () => {
    await pa.dial(bob.username, 'audio');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    await pb.click('#ignore');
    await pb.waitForNoIncoming();
    const ignored = await pb.lastCall();
    assert.equal(ignored.state, 'Ended');
    assert.equal(ignored.endReason, 'Ignored');
    // The caller was not told: still ringing, and bob#2 still rings.
    assert.equal(await pa.page.getAttribute('#call-state', 'data-state'), 'Ringing');
    assert.equal(await pb2.page.isVisible('#incoming'), true);

    await pb2.click('#accept-audio');
    await pa.waitForState('InCall');
    await pb2.waitForState('InCall');
    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice hears bob#2' });
    await waitForGrowth(pb2, audioIn, { by: AUDIO_BYTES, what: 'bob#2 hears alice' });
    await pb2.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedRemotely' });
    await pb2.waitForState('Ended', { endReason: 'EndedLocally' });
  });

  step('forward: bob forwards to carol; carol answers and talks with alice', async () => {
    await pa.dial(bob.username, 'video');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    await pb.page.fill('#forward-target', carol.username);
    await pb.click('#forward');
    assert.match(await pc.waitForIncoming(), new RegExp(alice.address));
    await pb.waitForNoIncoming();
    await pb2.waitForNoIncoming();
    assert.equal((await pb.lastCall()).endReason, 'Forwarded');
    await waitUntil(async () => (await pa.lastCall()).remoteAddress === carol.address,
      { message: 'alice sees the call go to carol' });

    await pc.click('#accept-video');
    await pa.waitForState('InCall');
    await pc.waitForState('InCall');
    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice hears carol' });
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears alice' });
    await waitForGrowth(pc, videoFramesIn, { by: VIDEO_FRAMES, what: 'carol sees alice' });
    await pc.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedRemotely' });
    await pc.waitForState('Ended', { endReason: 'EndedLocally' });
  });

  step('transfer: alice calls bob with video, bob transfers her to carol; alice and carol see and hear each other, bob is out', async () => {
    await pa.dial(bob.username, 'video');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    await pb.click('#accept-video');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');
    const oldCallId = (await pa.lastCall()).callId;

    await pb.page.fill('#transfer-target', carol.username);
    await pb.click('#transfer');
    // alice's page placed the new call by itself; carol's rings from alice, transferred by bob.
    assert.match(await pc.waitForIncoming(), new RegExp(alice.address));
    await waitUntil(async () => (await pb.events()).some((e) => e.name === 'transferProgress' && e.detail.startsWith('Ringing')),
      { message: 'bob hears the target rings' });
    await pc.click('#accept-video');

    await pc.waitForState('InCall');
    await pa.waitForState('InCall');
    const atAlice = await pa.lastCall();
    assert.notEqual(atAlice.callId, oldCallId);
    assert.equal(atAlice.remoteAddress, carol.address);
    assert.equal(atAlice.transferredBy, bob.address);
    await pb.waitForState('Ended', { endReason: 'Transferred' });
    assert.ok((await pb.events()).some((e) => e.name === 'transferCallSucceeded'), 'bob was told the transfer succeeded');
    await waitUntil(() => pa.page.evaluate((id) => window.__callserver.calls.find((c) => c.getId() === id)?.getState() === 'Ended', oldCallId),
      { message: 'alice\'s old call ended' });

    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice hears carol', timeout: 15_000 });
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears alice', timeout: 15_000 });
    await waitForGrowth(pa, videoFramesIn, { by: VIDEO_FRAMES, what: 'alice decodes carol\'s video', timeout: 15_000 });
    await waitForGrowth(pc, videoFramesIn, { by: VIDEO_FRAMES, what: 'carol decodes alice\'s video', timeout: 15_000 });
    assert.equal(await pb.page.evaluate(() => document.getElementById('local-video').srcObject), null, 'bob released his media');

    await pc.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedRemotely' });
    await pc.waitForState('Ended', { endReason: 'EndedLocally' });
  });

  step('consult then transfer: bob holds alice, calls carol, then connects them; carol is not rung again and both of bob\'s calls end Transferred', async () => {
    await pa.dial(bob.username, 'audio');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    await pb.click('#accept-audio');
    await pa.waitForState('InCall');
    await pb.waitForState('InCall');

    await pb.page.fill('#transfer-target', carol.username);
    await pb.click('#consult');
    await pa.waitForState('RemotelyHeld');
    await pc.waitForIncoming();
    await pc.click('#accept-audio');
    await pc.waitForState('InCall');
    await pb.waitForState('InCall');
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears bob (consultation)' });

    const incomingBefore = (await pc.events()).filter((e) => e.name === 'incomingCall').length;
    await pb.waitShown('#complete-transfer');
    await pb.click('#complete-transfer');

    await waitUntil(async () => (await pc.events()).some((e) => e.name === 'transferConnected'), { message: 'carol\'s page took the new call' });
    await pc.waitForState('InCall', { timeout: 15_000 });
    await pa.waitForState('InCall', { timeout: 15_000 });
    assert.equal((await pa.lastCall()).remoteAddress, carol.address);
    assert.equal((await pc.lastCall()).remoteAddress, alice.address);
    assert.equal((await pc.events()).filter((e) => e.name === 'incomingCall').length, incomingBefore, 'carol was not rung again');
    await pb.waitForState('Ended', { endReason: 'Transferred' });
    const bobsCalls = await pb.page.evaluate(() => window.__callserver.calls.slice(-2).map((c) => [c.getState(), c.getEndReason()]));
    assert.deepEqual(bobsCalls, [['Ended', 'Transferred'], ['Ended', 'Transferred']]);

    await waitForGrowth(pa, audioIn, { by: AUDIO_BYTES, what: 'alice hears carol', timeout: 15_000 });
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears alice', timeout: 15_000 });
    await pa.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedLocally' });
    await pc.waitForState('Ended', { endReason: 'EndedRemotely' });
  });

  step('caller cancel: alice ends while bob\'s devices ring; they end Canceled', async () => {
    await pa.dial(bob.username, 'audio-single');
    await pb.waitForIncoming();
    await pb2.waitForIncoming();
    await pa.waitForState('Ringing');
    await pa.click('#end');
    await pa.waitForState('Ended', { endReason: 'EndedLocally' });
    await pb.waitForNoIncoming();
    await pb2.waitForNoIncoming();
    for (const phone of [pb, pb2]) {
      const canceled = await phone.lastCall();
      assert.equal(canceled.state, 'Ended');
      assert.equal(canceled.endReason, 'Canceled', phone.label);
    }
  });

  step('an anonymous page calls carol with a single m-line audio offer, then starts video (a new m-line)', async () => {
    const anon = await open('anonymous');
    const address = await anon.signInAnonymously('Visitor');
    assert.match(address, /^anonymous-[0-9a-f]+@/);
    await anon.dial(carol.username, 'audio-single');
    assert.match(await pc.waitForIncoming(), /Visitor/);
    assert.equal(await pc.page.textContent('#incoming-kind'), 'audio');
    await pc.click('#accept-audio');
    await anon.waitForState('InCall');
    await pc.waitForState('InCall');
    assert.equal((await anon.lastCall()).offerKind, 'Audio');
    await waitForGrowth(anon, audioIn, { by: AUDIO_BYTES, what: 'the anonymous caller hears carol' });
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears the anonymous caller' });

    await anon.click('#video-start');
    await anon.waitShown('#call[data-local-video="true"]');
    await waitForGrowth(pc, videoFramesIn, { by: VIDEO_FRAMES, what: 'carol sees the anonymous caller\'s new video' });
    const atCarol = await pc.lastCall();
    assert.equal(atCarol.media.remoteVideo, true);
    assert.equal(atCarol.media.localVideo, false, 'carol answered the new video m-line receive-only');

    await anon.click('#end');
    await anon.waitForState('Ended', { endReason: 'EndedLocally' });
    await pc.waitForState('Ended', { endReason: 'EndedRemotely' });
  });

  step('an anonymous call outlives its caller\'s token: the SDK renews it, the connection closed at the old token\'s expiry comes back and resumes the call', async () => {
    const anon = await open('anonymous-renewal');
    const signedInAt = Date.now();
    await anon.signInAnonymously('Renewing visitor');
    await anon.dial(carol.username, 'audio');
    assert.match(await pc.waitForIncoming(), /Renewing visitor/);
    await pc.click('#accept-audio');
    await anon.waitForState('InCall');
    await pc.waitForState('InCall');

    // The hub closes a connection when its token expires; the page reconnects with the renewed token
    // (same address) and resumes the call. Wait for a resume after the first token is past its expiry
    // and the server's 5 s clock skew: only a renewed token is accepted then.
    const pastFirstToken = signedInAt + (ANONYMOUS_TOKEN_SECONDS + 5 + 1) * 1000;
    await waitUntil(async () => (await anon.events()).find((e) => e.name === 'callResumed' && Date.parse(e.time) >= pastFirstToken),
      { timeout: (2 * ANONYMOUS_TOKEN_SECONDS + 15) * 1000, message: 'the anonymous page resumed its call with a renewed token after the first one expired' });
    const events = await anon.events();
    const reconnects = events.filter((e) => e.name === 'connection' && e.detail.startsWith('Reconnecting')).length;
    assert.ok(reconnects <= 3, `one reconnect per token expiry, no loop of refused reconnects: ${reconnects}`);
    assert.deepEqual(events.filter((e) => e.name === 'callResumeFailed'), []);
    assert.equal((await anon.lastCall()).state, 'InCall');
    assert.equal((await pc.lastCall()).state, 'InCall');
    await waitForGrowth(anon, audioIn, { by: AUDIO_BYTES, what: 'the anonymous caller still hears carol' });
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol still hears the anonymous caller' });

    // The renewed connection controls the call: carol sees the mute, and the end.
    await anon.click('#mute');
    await waitUntil(async () => (await pc.lastCall()).media.remoteMuted === true, { message: 'carol sees the renewed caller muted' });
    await anon.click('#end');
    await anon.waitForState('Ended', { endReason: 'EndedLocally' });
    await pc.waitForState('Ended', { endReason: 'EndedRemotely' });
  });

  step('a token minted by the app\'s backend, pasted into the sign-in page, signs a new user in; it calls carol, who sees its display name', async () => {
    const minted = await server.api('POST', '/api/v1/user-tokens', {
      headers: { 'X-Api-Key': BACKEND_KEY },
      body: { username: `app-${Date.now().toString(36)}`, displayName: 'Minted Mina' },
    });
    assert.equal(minted.status, 200, minted.text);
    const app = await open('backend-minted');
    await app.page.fill('#access-token', minted.json.accessToken);
    await app.page.click('#token-sign-in');
    await app.waitShown('body[data-signed-in="user"]');
    assert.equal(await app.page.evaluate(() => window.__callserver.address), minted.json.address);
    assert.equal((await app.page.textContent('#my-address')).trim(), minted.json.address);

    await app.dial(carol.username, 'audio');
    assert.match(await pc.waitForIncoming(), /Minted Mina/);
    await pc.click('#accept-audio');
    await app.waitForState('InCall');
    await waitForGrowth(pc, audioIn, { by: AUDIO_BYTES, what: 'carol hears the minted user' });
    await app.click('#end');
    await pc.waitForState('Ended', { endReason: 'EndedRemotely' });

    // A token that is not one is shown as an error, and nobody is signed in.
    const wrong = await open('bad-token');
    await wrong.page.fill('#access-token', 'not-a-token');
    await wrong.page.click('#token-sign-in');
    await wrong.waitShown('#login-error');
    assert.match(await wrong.page.textContent('#login-error'), /^Unauthorized: /);
  });

  step('no page logged an uncaught error', async () => {
    for (const phone of phones) {
      const errors = phone.console.filter((line) => line.startsWith('[pageerror]'));
      assert.deepEqual(errors, [], `${phone.label}: ${errors.join('\n')}`);
    }
  });
});
