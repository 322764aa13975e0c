// The web softphone: sign in (or call anonymously), dial, answer, and control a call, on top of the
// CallServer JavaScript SDK served at /sdk/.
//
// Test hook: window.__callserver exposes the service, the calls, their stats and the recent calls shown.
// `?ice=loopback` keeps only 127.0.0.1 ICE candidates (tests on one machine).
// `?call=<callId>`: opened from a call notification (sw.js); the saved session connects and the call rings.

import { CallService, IN_CALL_STATES } from '/sdk/index.js';
import { clearSession, loadSession, saveSession } from '/saved-session.js';
import { listenToServiceWorker, PushToggle, registerServiceWorker } from '/push-wake.js';
import { RecentCalls } from '/recent-calls.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const app = {
  service: null,
  session: null, // { accessToken, address, anonymous }
  current: null, // the call shown in the call panel (may have ended)
  incoming: [], // ringing incoming calls not yet answered, oldest first
  calls: [], // every call this page has seen
  events: [], // [{time, name, callId, detail}]
  busy: new Set(), // operations in flight on the current call
  consultation: null, // { original, consultation }: "Consult" held `original` and called the target
  quality: new Map(), // call → its last quality sample
  dtmf: new Map(), // call → { sent, received }: the DTMF digits of the call
};

// ---------------------------------------------------------------------------------------------
// Test and debugging hook
// ---------------------------------------------------------------------------------------------

window.__callserver = {
  get service() { return app.service; },
  get activeCall() { return app.current; },
  get incomingCalls() { return [...app.incoming]; },
  get calls() { return [...app.calls]; },
  get events() { return app.events.map((e) => ({ ...e })); },
  get address() { return app.session?.address ?? null; },
  /** The calls the "Recent calls" list shows (callService.history entries). */
  get history() { return recentCalls.entries; },
  async stats(call = app.current) { return call ? call.getMediaStats() : null; },
  /** The last quality sample of a call (the active one by default), or null. */
  quality(call = app.current) { return call ? app.quality.get(call) ?? null : null; },
};

// ---------------------------------------------------------------------------------------------
// Log and errors
// ---------------------------------------------------------------------------------------------

function log(name, call, detail = '') {
  const entry = { time: new Date().toISOString(), name, callId: call?.getId?.() ?? null, detail };
  app.events.push(entry);
  const li = document.createElement('li');
  li.dataset.event = name;
  const time = entry.time.slice(11, 19);
  li.textContent = `${time} ${name}${detail ? ` — ${detail}` : ''}`;
  const list = $('log');
  list.prepend(li);
  while (list.children.length > 60) list.lastElementChild.remove();
}

function showError(id, error) {
  const element = $(id);
  if (!error) {
    element.hidden = true;
    element.textContent = '';
    return;
  }
  element.hidden = false;
  element.textContent = error.code ? `${error.code}: ${error.message}` : String(error.message ?? error);
}

// ---------------------------------------------------------------------------------------------
// The SDK listener
// ---------------------------------------------------------------------------------------------

const OPERATIONS = [
  'establishCall', 'acceptCall', 'rejectCall', 'ignoreCall', 'forwardCall', 'endCall',
  'holdCall', 'unholdCall', 'videoStart', 'videoStop', 'muteCall', 'unmuteCall', 'pullCall', 'transferCall',
  'holdAndAccept', 'endAndAccept', 'sendDTMF', 'sendCustomParameters',
];

/** `key=value, …` of custom parameters ('' for none). */
function describeParameters(parameters) {
  return Object.entries(parameters ?? {}).map(([key, value]) => `${key}=${value}`).join(', ');
}

function dtmfOf(call) {
  if (!app.dtmf.has(call)) app.dtmf.set(call, { sent: '', received: '' });
  return app.dtmf.get(call);
}

const listener = {
  connectionStateChanged(state, error) {
    $('connection-dot').dataset.state = state;
    $('connection-dot').title = state;
    log('connection', null, `${state}${error ? ` (${error.message ?? error})` : ''}`);
  },
  incomingCall(call) {
    app.calls.push(call);
    app.incoming.push(call);
    log('incomingCall', call, `from ${call.getRemoteAddress()}${call.isWaiting() ? ' (call waiting)' : ''}`);
    const parameters = describeParameters(call.getRemoteCustomParameters());
    if (parameters) log('customParameters', call, parameters);
    render();
  },
  callStatusChanged(call, state) {
    const snapshot = call.getSnapshot();
    const text = call.getEndReasonText();
    log('callStatusChanged', call, `${state}${snapshot.endReason ? ` / ${snapshot.endReason}` : ''}${text ? ` — "${text}"` : ''}`);
    if (state === 'Ended') {
      app.incoming = app.incoming.filter((c) => c !== call);
      // A consultation that ended before the transfer: back to the call it held.
      const pair = app.consultation;
      if (pair?.consultation === call && IN_CALL_STATES.includes(pair.original.getState())) {
        app.consultation = null;
        show(pair.original);
      }
    }
    render();
  },
  mediaAttributesChanged(call, media) {
    log('mediaAttributesChanged', call, Object.entries(media).filter(([, v]) => v).map(([k]) => k).join(' '));
    render();
  },
  iceConnectionStateChanged(call, state) {
    log('ice', call, state);
  },
  callResumed(call) { log('callResumed', call); render(); },
  transferProgress(call, state, reason) { log('transferProgress', call, `${state}${reason ? ` (${reason})` : ''}`); render(); },
  callTransferred(call) { log('callTransferred', call); render(); },
  transferRequested(call, oldCall, { target, transferredBy }) {
    // This user is transferred: the SDK placed the new call by itself; it becomes the call shown.
    app.calls.push(call);
    show(call);
    log('transferRequested', call, `${transferredBy} transfers you to ${target}`);
    render();
  },
  transferConnected(call) {
    app.calls.push(call);
    show(call);
    log('transferConnected', call, `connected to ${call.getRemoteAddress()} by ${call.getTransferredBy() ?? 'a transfer'}`);
    render();
  },
  callPulled(call) { log('callPulled', call, 'moved to another of your devices'); render(); otherDevices.refresh(); },
  callResumeFailed(call, error) { log('callResumeFailed', call, error.code); render(); },
  callFailed(call, error) { log('callFailed', call, `${error.code}: ${error.message}`); },
  customParametersReceived(call, parameters) { log('customParametersReceived', call, describeParameters(parameters)); },
  dtmfReceived(call, digits) {
    dtmfOf(call).received += digits;
    log('dtmfReceived', call, digits);
    render();
  },
  dtmfToneSent(call, tone) { log('dtmfToneSent', call, tone); },
  qualitySample(call, sample) {
    app.quality.set(call, sample);
    if (call === app.current) renderQuality(call);
  },
  qualityWarning(call, name) { log('qualityWarning', call, name); render(); },
  qualityWarningCleared(call, name) { log('qualityWarningCleared', call, name); render(); },
  callHistoryChanged(change) {
    log('callHistoryChanged', null, `${change.change}${change.callId ? ` ${change.callId}` : ''}`);
    recentCalls.refresh();
  },
};
for (const op of OPERATIONS) {
  listener[`${op}Succeeded`] = (call) => {
    app.busy.delete(op);
    log(`${op}Succeeded`, call);
    if (call === app.current) showError('call-error', null);
    render();
  };
  listener[`${op}Failed`] = (call, error) => {
    app.busy.delete(op);
    log(`${op}Failed`, call, `${error.code}: ${error.message}`);
    showError(call === app.current || !app.current ? 'call-error' : 'dial-error', error);
    render();
  };
}

// ---------------------------------------------------------------------------------------------
// Sign in
// ---------------------------------------------------------------------------------------------

function iceCandidateFilter() {
  if (params.get('ice') !== 'loopback') return undefined;
  // "candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> …"
  return (candidate) => candidate.candidate.split(' ')[4] === '127.0.0.1';
}

const pushToggle = new PushToggle({
  log: (name, detail) => log(name, null, detail),
  showError: (error) => showError('push-error', error),
});

const recentCalls = new RecentCalls({
  // Call back: the address in the dial form, dialled as the form does (its media choice).
  dial: (address) => {
    $('callee').value = address;
    $('dial-form').requestSubmit();
  },
  log: (name, detail) => log(name, null, detail),
  showError: (error) => showError('history-error', error),
});

listenToServiceWorker((message) => {
  if (message.type === 'callserver-push') log('push', null, `${message.push.type} ${message.push.callId}`);
  if (message.type === 'callserver-notification-click') log('notificationClicked', null, message.callId ?? '');
});

/** A user's session: the service worker that shows call notifications, and the push checkbox. */
async function setUpPush(session) {
  if (!session.anonymous) {
    try {
      const registration = await registerServiceWorker();
      if (registration) log('serviceWorkerRegistered', null, registration.scope);
    } catch (error) {
      log('serviceWorkerFailed', null, error?.message ?? String(error));
    }
  }
  await pushToggle.attach(app.service, { user: !session.anonymous });
}

async function startSession(session) {
  app.session = session;
  app.service = await CallService.connect({
    baseUrl: location.origin,
    // The token itself (not a factory): the SDK then renews an anonymous caller's token before it
    // expires, and the reconnect that follows the old token's expiry resumes the call.
    accessToken: session.accessToken,
    listener,
    iceCandidateFilter: iceCandidateFilter(),
  });
  $('my-address').textContent = session.anonymous ? `${session.address} (anonymous)` : session.address;
  $('login').hidden = true;
  $('phone').hidden = false;
  $('who').hidden = false;
  document.body.dataset.signedIn = session.anonymous ? 'anonymous' : 'user';
  saveSession(session); // a user's, so that a page opened from a call notification connects by itself
  log('signedIn', null, session.address);
  render();
  $('callee').focus();
  otherDevices.start();
  await Promise.all([setUpPush(session), recentCalls.attach(app.service, { user: !session.anonymous })]);
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('login-error', null);
  $('sign-in').disabled = true;
  try {
    const token = await CallService.login({ baseUrl: location.origin, username: $('username').value.trim(), password: $('password').value });
    await startSession({ ...token, anonymous: false });
  } catch (error) {
    showError('login-error', error);
  } finally {
    $('sign-in').disabled = false;
  }
});

$('anonymous-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('login-error', null);
  $('anonymous').disabled = true;
  try {
    const displayName = $('display-name').value.trim();
    const token = await CallService.anonymousToken({ baseUrl: location.origin, displayName: displayName || undefined });
    await startSession({ ...token, anonymous: true });
  } catch (error) {
    showError('login-error', error);
  } finally {
    $('anonymous').disabled = false;
  }
});

// A token the app's backend minted (POST /api/v1/user-tokens) or one of its identity provider: the server
// says whom it names (GET /api/v1/auth/me); the SDK renews a backend-minted one by itself.
$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('login-error', null);
  $('token-sign-in').disabled = true;
  try {
    const accessToken = $('access-token').value.trim();
    const response = await fetch(`${location.origin}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw { code: body.code ?? String(response.status), message: body.detail ?? 'the token was refused' };
    await startSession({ accessToken, address: body.address, anonymous: body.anonymous === true });
  } catch (error) {
    showError('login-error', error);
  } finally {
    $('token-sign-in').disabled = false;
  }
});

$('sign-out').addEventListener('click', async () => {
  clearSession();
  recentCalls.detach();
  otherDevices.stop();
  await pushToggle.detach();
  await app.service?.disconnect();
  app.service = null;
  app.session = null;
  app.current = null;
  app.incoming = [];
  $('phone').hidden = true;
  $('who').hidden = true;
  $('login').hidden = false;
  delete document.body.dataset.signedIn;
  render();
});

// ---------------------------------------------------------------------------------------------
// Dial and answer
// ---------------------------------------------------------------------------------------------

function show(call) {
  // The call shown before gives the views up (a call on hold, or ended): the new one's streams go there.
  const previous = app.current;
  if (previous && previous !== call) {
    previous.setLocalVideoView(null);
    previous.setRemoteVideoView(null);
  }
  app.current = call;
  call.setLocalVideoView($('local-video'));
  call.setRemoteVideoView($('remote-video'));
  showError('call-error', null);
  app.busy.clear();
}

$('dial-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('dial-error', null);
  const callee = $('callee').value.trim();
  const media = $('dial-media').value;
  $('dial').disabled = true;
  try {
    const call = await app.service.createOutgoingCall(callee);
    app.calls.push(call);
    show(call);
    log('callCreated', call, `to ${call.getRemoteAddress()} (${media})`);
    render();
    if (media === 'audio-single') await call.establishAudioCall();
    else await call.establishCall(media === 'video');
  } catch (error) {
    showError('dial-error', error);
    log('callCreationFailed', null, `${error.code}: ${error.message}`);
  } finally {
    render();
  }
});

function firstIncoming() {
  return app.incoming.find((call) => call.getState() === 'Ringing') ?? null;
}

function answer(video) {
  const call = firstIncoming();
  if (!call) return;
  app.incoming = app.incoming.filter((c) => c !== call);
  show(call);
  app.busy.add('acceptCall');
  call.acceptCall(video);
  render();
}

/** The call in progress that a waiting call would hold or end: the one shown, else another connected one. */
function callInProgress(ringing) {
  const connected = (call) => call && call !== ringing && IN_CALL_STATES.includes(call.getState());
  return connected(app.current) ? app.current : app.calls.find(connected) ?? null;
}

/** Call waiting: "Hold & accept" (HoldAndAccept) or "End & accept" (EndAndAccept) the ringing call. */
async function answerWaiting(how) {
  const call = firstIncoming();
  const other = callInProgress(call);
  if (!call || !other) return;
  app.incoming = app.incoming.filter((c) => c !== call);
  show(call);
  const video = call.isVideoOffered();
  let answered;
  if (how === 'hold' && other.getSnapshot().localHold) {
    app.busy.add('acceptCall'); // already held: only the answer
    render();
    answered = await call.acceptCall(video);
  } else if (how === 'hold') {
    app.busy.add('holdAndAccept');
    render();
    answered = await app.service.holdAndAccept(call, other, { video });
  } else {
    app.busy.add('endAndAccept');
    render();
    const reason = $('end-reason').value.trim();
    answered = await app.service.endAndAccept(call, other, { video, reason: reason || null });
  }
  if (!answered && call.getState() === 'Ringing') {
    // Refused: nothing changed; the call rings again and the other call is shown again.
    app.incoming.unshift(call);
    show(other);
  }
  render();
}

$('hold-and-accept').addEventListener('click', () => answerWaiting('hold'));
$('end-and-accept').addEventListener('click', () => answerWaiting('end'));
$('accept-video').addEventListener('click', () => answer(true));
$('accept-audio').addEventListener('click', () => answer(false));
$('reject').addEventListener('click', () => firstIncoming()?.rejectCall());
$('ignore').addEventListener('click', () => firstIncoming()?.ignoreCall());
$('forward-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const target = $('forward-target').value.trim();
  if (target) firstIncoming()?.forwardCall(target);
});

// ---------------------------------------------------------------------------------------------
// Calls on my other devices: "Move here" (PullCall)
// ---------------------------------------------------------------------------------------------

const otherDevices = {
  timer: null,
  /** Lists the account's calls in progress on its other devices, each with a "Move here" button. */
  async refresh() {
    const service = app.service;
    const card = $('other-devices');
    card.hidden = !service || Boolean(app.session?.anonymous);
    if (card.hidden) return;
    try {
      const calls = await service.listCallsOnOtherDevices();
      showError('other-devices-error', null);
      const list = $('other-devices-list');
      list.replaceChildren(...calls.map((snapshot) => {
        const item = document.createElement('li');
        item.dataset.callId = snapshot.callId;
        item.textContent = `${snapshot.direction === 'outgoing' ? 'To' : 'From'} ${snapshot.remoteAddress} (${snapshot.state}) `;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'move-here';
        button.textContent = 'Move here';
        button.addEventListener('click', () => moveHere(snapshot.callId, button));
        item.append(button);
        return item;
      }));
      $('other-devices-empty').hidden = calls.length > 0;
    } catch (error) {
      showError('other-devices-error', error);
    }
  },
  start() {
    this.stop();
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 5_000);
  },
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    $('other-devices').hidden = true;
  },
};

async function moveHere(callId, button) {
  button.disabled = true;
  try {
    const call = await app.service.pullCall(callId);
    app.calls.push(call);
    show(call);
    log('callPulledHere', call);
  } catch (error) {
    showError('other-devices-error', error);
  } finally {
    render();
    otherDevices.refresh();
  }
}

$('other-devices-refresh').addEventListener('click', () => otherDevices.refresh());

// ---------------------------------------------------------------------------------------------
// In-call controls
// ---------------------------------------------------------------------------------------------

const CONTROLS = {
  hold: 'holdCall',
  unhold: 'unholdCall',
  mute: 'muteCall',
  unmute: 'unmuteCall',
  'video-start': 'videoStart',
  'video-stop': 'videoStop',
  end: 'endCall',
};
const METHODS = {
  holdCall: 'holdCall', unholdCall: 'unholdCall', muteCall: 'mute', unmuteCall: 'unmute',
  videoStart: 'videoStart', videoStop: 'videoStop', endCall: 'endCall',
};
for (const [id, op] of Object.entries(CONTROLS)) {
  $(id).addEventListener('click', () => {
    const call = app.current;
    if (!call) return;
    app.busy.add(op);
    render();
    if (op === 'endCall') {
      // The optional end reason goes with the hang-up (both parties see it).
      const reason = $('end-reason').value.trim();
      call.endCall(reason ? { reason } : undefined);
    } else {
      call[METHODS[op]]();
    }
  });
}

// DTMF: each key sends its digit on the call shown (RFC 4733 tones and SendDtmf).
$('dtmf-pad').addEventListener('click', async (event) => {
  const key = event.target.closest?.('button[data-dtmf]');
  const call = app.current;
  if (!key || !call) return;
  const digit = key.dataset.dtmf;
  if (await call.sendDTMF(digit)) {
    dtmfOf(call).sent += digit;
    log('dtmfSent', call, digit);
  }
  render();
});

// ---------------------------------------------------------------------------------------------
// Transfer: blind ("Transfer"), or "Consult" (hold this call, call the target) then "Complete transfer"
// ---------------------------------------------------------------------------------------------

$('transfer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const call = app.current;
  const target = $('transfer-target').value.trim();
  if (!call || !target) return;
  app.busy.add('transferCall');
  render();
  call.transferCall(target);
});

$('consult').addEventListener('click', async () => {
  const original = app.current;
  const target = $('transfer-target').value.trim();
  if (!original || !target) return;
  app.busy.add('transferCall');
  render();
  try {
    if (!original.getSnapshot().localHold && !(await original.holdCall())) return;
    const consultation = await app.service.createOutgoingCall(target);
    app.calls.push(consultation);
    app.consultation = { original, consultation };
    show(consultation);
    log('consulting', consultation, `${target}, while ${original.getRemoteAddress()} holds`);
    await consultation.establishCall(false);
  } catch (error) {
    showError('call-error', error);
  } finally {
    app.busy.delete('transferCall');
    render();
  }
});

$('complete-transfer').addEventListener('click', async () => {
  const pair = app.consultation;
  if (!pair) return;
  app.busy.add('transferCall');
  render();
  if (await pair.original.consultativeTransfer(pair.consultation)) app.consultation = null;
  render();
});

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

function render() {
  renderCall();
  renderCallsHere();
  recentCalls.setCallBackEnabled(!$('dial').disabled);
}

/** The last quality sample (MOS, rtt, loss) and the warnings raised, of the call shown. */
function renderQuality(call) {
  const ended = !call || call.getState() === 'Ended';
  const sample = call ? app.quality.get(call) : null;
  const quality = $('quality');
  quality.hidden = ended || !sample;
  if (sample) {
    quality.textContent = `MOS ${sample.mos.toFixed(2)} · ${Math.round(sample.rttMs)} ms · ${sample.packetLossPercent} % loss`;
    quality.dataset.mos = String(sample.mos);
  }
  const warnings = ended ? [] : call?.getQualityWarnings() ?? [];
  $('quality-warnings').dataset.warnings = warnings.join(' ');
  $('quality-warnings').replaceChildren(...warnings.map((name) => {
    const badge = document.createElement('span');
    badge.className = 'badge quality-warning';
    badge.dataset.warning = name;
    badge.textContent = name;
    return badge;
  }));
}

/** This page's other calls in progress (a call held by "Hold & accept", a consultation's original): "Show" switches. */
function renderCallsHere() {
  const others = app.calls.filter((call, index) => call !== app.current && app.calls.indexOf(call) === index &&
    IN_CALL_STATES.includes(call.getState()));
  $('calls-here').hidden = others.length === 0;
  $('calls-here-list').replaceChildren(...others.map((call) => {
    const item = document.createElement('li');
    item.dataset.callId = call.getId();
    item.textContent = `${call.getRemoteAddress()} (${call.getState()})`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'show-call';
    button.textContent = 'Show';
    button.addEventListener('click', () => {
      show(call);
      render();
    });
    item.append(button);
    return item;
  }));
}

/** The incoming call card, the call panel and the dial button. */
function renderCall() {
  const ringing = firstIncoming();
  $('incoming').hidden = !ringing;
  if (ringing) {
    const name = ringing.getRemoteDisplayName();
    $('incoming-from').textContent = name ? `${name} <${ringing.getRemoteAddress()}>` : ringing.getRemoteAddress();
    $('incoming-kind').textContent = ringing.isVideoOffered() ? 'video' : 'audio';
    $('incoming').dataset.callId = ringing.getId();
    // Call waiting: this page is in another call: hold it or end it, and answer, in one step.
    const other = callInProgress(ringing);
    $('incoming-waiting').hidden = !ringing.isWaiting() && !other;
    $('waiting-actions').hidden = !other;
    $('incoming').dataset.waiting = String(Boolean(other));
    const parameters = describeParameters(ringing.getRemoteCustomParameters());
    $('incoming-parameters').hidden = !parameters;
    $('incoming-parameters').textContent = parameters;
  }
  const anonymous = app.session?.anonymous;
  $('incoming').classList.toggle('anonymous', Boolean(anonymous));

  const call = app.current;
  const panel = $('call');
  const stateEl = $('call-state');
  if (!call) {
    panel.dataset.state = 'none';
    stateEl.dataset.state = 'none';
    stateEl.textContent = 'Idle';
    $('call-remote').textContent = 'No call';
    for (const id of ['call-end-reason', 'call-end-text', 'remote-muted', 'remote-held', 'local-muted', 'local-held']) $(id).hidden = true;
    for (const id of [...Object.keys(CONTROLS), 'transfer', 'consult']) $(id).disabled = true;
    for (const key of $('dtmf-pad').querySelectorAll('button')) key.disabled = true;
    $('dtmf-sent').textContent = '';
    $('dtmf-received').textContent = '';
    renderQuality(null);
    $('complete-transfer').hidden = true;
    $('dial').disabled = !app.service;
    return;
  }
  const snapshot = call.getSnapshot();
  const state = snapshot.state;
  const ended = state === 'Ended';
  const inCall = IN_CALL_STATES.includes(state);
  panel.dataset.state = state;
  panel.dataset.callId = snapshot.callId;
  stateEl.dataset.state = state;
  stateEl.textContent = state;
  const name = snapshot.remoteDisplayName;
  $('call-remote').textContent = `${snapshot.direction === 'outgoing' ? 'To' : 'From'} ${name ? `${name} <${snapshot.remoteAddress}>` : snapshot.remoteAddress}`;
  $('call-end-reason').hidden = !ended;
  $('call-end-reason').textContent = ended ? `${snapshot.endReason ?? ''}${snapshot.statusCode ? ` (${snapshot.statusCode})` : ''}` : '';
  $('call-end-reason').dataset.reason = ended ? snapshot.endReason ?? '' : '';
  const endText = call.getEndReasonText();
  $('call-end-text').hidden = !ended || !endText;
  $('call-end-text').textContent = ended && endText ? `“${endText}”` : '';
  renderQuality(call);
  const dtmf = dtmfOf(call);
  $('dtmf-sent').textContent = dtmf.sent;
  $('dtmf-received').textContent = dtmf.received;
  for (const key of $('dtmf-pad').querySelectorAll('button')) key.disabled = state !== 'InCall';
  $('remote-muted').hidden = ended || !snapshot.media?.remoteMuted;
  $('remote-held').hidden = ended || !snapshot.remoteHold;
  $('local-muted').hidden = ended || !call.isMuted();
  $('local-held').hidden = ended || !snapshot.localHold;
  panel.dataset.remoteMuted = String(Boolean(snapshot.media?.remoteMuted));
  panel.dataset.remoteHold = String(Boolean(snapshot.remoteHold));
  panel.dataset.localVideo = String(call.isVideoSending());

  const busy = app.busy.size > 0 && [...app.busy].some((op) => op !== 'endCall' && op !== 'muteCall' && op !== 'unmuteCall');
  $('hold').disabled = !inCall || snapshot.localHold || busy;
  $('unhold').disabled = !inCall || !snapshot.localHold || busy;
  $('mute').disabled = ended || call.isMuted() || !call.getPeerConnection();
  $('unmute').disabled = ended || !call.isMuted();
  $('video-start').disabled = !inCall || call.isVideoSending() || busy;
  $('video-stop').disabled = !inCall || !call.isVideoSending() || busy;
  $('end').disabled = ended;
  const transferring = app.busy.has('transferCall');
  $('transfer').disabled = !inCall || busy || transferring || Boolean(anonymous);
  $('consult').disabled = !inCall || busy || transferring || Boolean(anonymous) || Boolean(app.consultation);
  const pair = app.consultation;
  const consultable = pair && [pair.original, pair.consultation].every((c) => IN_CALL_STATES.includes(c.getState()));
  if (pair && !consultable && [pair.original, pair.consultation].some((c) => c.getState() === 'Ended')) app.consultation = null;
  $('complete-transfer').hidden = !consultable;
  $('complete-transfer').disabled = transferring;
  $('dial').disabled = !app.service || (!ended && state !== 'Initial');
}

render();

// A page opened later (by the user, or by a click on a call notification) connects by itself with the
// user's saved, unexpired session; the server then rings it if a call is ringing the account.
if (params.get('call')) log('openedForCall', null, params.get('call'));
const saved = loadSession();
if (saved) {
  $('sign-in').disabled = true; // one session at a time: the form waits for the saved one
  $('anonymous').disabled = true;
  startSession(saved).catch((error) => {
    clearSession();
    app.session = null;
    showError('login-error', error);
    log('savedSessionFailed', null, `${error.code ?? ''}: ${error.message ?? error}`);
  }).finally(() => {
    $('sign-in').disabled = false;
    $('anonymous').disabled = false;
  });
}
