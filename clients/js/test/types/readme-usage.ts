// The SDK as README.md uses it, against index.d.ts only (the package's own name): every declared
// member, called the way the README shows. Never run, only type-checked (`tsc --noEmit -p .`).
import {
  Call, CallError, CallHistory, CallService, CallState, EndReason, IN_CALL_STATES, parseHubError, parseOperationError, parsePushNotification,
  PushManager, summarizeStats,
} from '@callserver/sdk';
import type {
  CustomParameters, CustomParametersOptions, DtmfOptions, EndAndAcceptOptions, EndCallOptions, HoldAndAcceptOptions,
  QualitySample, QualityWarningName,
} from '@callserver/sdk';
import type {
  CallApplicationListener, CallHistoryChange, CallHistoryEntry, CallHistoryOptions, CallMediaStats, CallServiceOptions, CallSnapshot, CallStateName, EndReasonName, ErrorCode,
  IceCandidateInit, MediaAttributes, MediaStatsSummary, PushManagerOptions, PushNotification, PushPlatform, PushRegistration,
  PushSubscribeOptions, PushSubscriptionCheck, TokenResponse, WebPushSubscriptionJSON,
} from '@callserver/sdk';

declare const remoteView: HTMLVideoElement;
declare const localView: HTMLVideoElement;

export async function wholeCall(baseUrl: string): Promise<void> {
  const token: TokenResponse = await CallService.login({ baseUrl, username: 'alice', password: 'alice-password' });
  const { accessToken, expiresAt, address } = token;
  const anonymous = await CallService.anonymousToken({ baseUrl, apiKey: 'key', allowedCallees: ['bob'], displayName: 'Guest', ttlSeconds: 600 });
  await CallService.anonymousToken();

  const listener: CallApplicationListener = {
    incomingCall(call) {
      call.setRemoteVideoView(remoteView);
      if (call.isVideoOffered()) void call.acceptCall(true);
      else void call.rejectCall();
      void call.ignoreCall();
      void call.forwardCall('carol');
      void call.forwardCall({ address: 'carol@example.com' });
    },
    callStatusChanged(call, state: CallStateName) {
      const reason: EndReasonName | null = call.getEndReason();
      console.log(call.getId(), state, reason ?? '');
      if (state === CallState.InCall && !call.isIncoming()) void call.holdCall();
    },
    holdCallSucceeded(call) { void call.unholdCall(); },
    unholdCallSucceeded(call) { void call.endCall(); },
    holdCallFailed(_call, error) { console.warn(error.code, error.message); },
    establishCallSucceeded() {}, establishCallFailed(_call, error: CallError) { console.warn(error.toJSON()); },
    acceptCallSucceeded() {}, acceptCallFailed() {},
    rejectCallSucceeded() {}, rejectCallFailed() {},
    ignoreCallSucceeded() {}, ignoreCallFailed() {},
    forwardCallSucceeded() {}, forwardCallFailed() {},
    endCallSucceeded() {}, endCallFailed() {},
    unholdCallFailed() {},
    videoStartSucceeded() {}, videoStartFailed() {},
    videoStopSucceeded() {}, videoStopFailed() {},
    muteCallSucceeded() {}, muteCallFailed() {},
    unmuteCallSucceeded() {}, unmuteCallFailed() {},
    mediaAttributesChanged(_call, media: MediaAttributes) { console.log(media.remoteMuted, media.localVideo); },
    connectionStateChanged(state, error) { console.log(state, error?.message); },
    callResumed(call) { console.log(call.getState()); },
    callResumeFailed(_call, error) { console.log(error.code); },
    remoteStreamChanged(_call, stream: MediaStream) { console.log(stream.getTracks().length); },
    iceConnectionStateChanged(_call, state: RTCIceConnectionState) { console.log(state); },
    renegotiationAnswered(_call, operation) { console.log(operation === 'HoldCall'); },
    callFailed(_call, error) { console.log(error.code); },
  };

  const options: CallServiceOptions = {
    baseUrl,
    accessToken,
    listener,
    iceServers: [{ urls: 'stun:stun.example.com' }],
    rtcConfiguration: { iceTransportPolicy: 'relay' },
    iceCandidateFilter: (candidate: IceCandidateInit, direction) => direction === 'local' || candidate.candidate.includes('typ relay'),
    getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
    reconnectDelays: [0, 1000],
    logger: console,
  };
  const callService = await CallService.connect(options);
  await CallService.connect({ baseUrl, accessTokenFactory: async () => anonymous.accessToken, transport: 1, signalRLogLevel: 3, hubPath: '/hubs/calls', fetch });
  callService.listener = listener;
  console.log(callService.baseUrl, callService.localAddress, callService.rtcConfiguration, expiresAt, address);

  const call: Call = await callService.createOutgoingCall('bob', listener);
  await callService.createOutgoingCall({ address: 'tel:+15550100' });
  call.setLocalVideoView(localView);
  call.setRemoteVideoView(null);
  const established: boolean = await call.establishCall(true);
  await call.establishCall();
  await call.establishAudioCall();
  if (established) {
    await call.videoStart();
    await call.videoStop();
    await call.mute();
    await call.unmute();
  }

  const snapshot: CallSnapshot = call.getSnapshot();
  const state: CallStateName = call.getState();
  const media: MediaAttributes = call.getMediaAttributes();
  console.log(snapshot.sequence, snapshot.offerKind, snapshot.pendingOperationId, state, media.video,
    call.getDirection(), call.getLocalAddress(), call.getRemoteAddress(), call.getRemoteDisplayName(),
    call.isMuted(), call.isVideoSending(), call.getIncomingOffer(),
    call.getPeerConnection()?.signalingState, call.getLocalStream()?.id, call.getRemoteStream()?.id);
  const report: RTCStatsReport | null = await call.getStats();
  const stats: CallMediaStats = await call.getMediaStats();
  const summary: MediaStatsSummary = summarizeStats(report);
  console.log(stats.iceConnectionState, stats.selectedCandidatePair?.remote.port, summary.video.inbound.framesDecoded);

  const found: Call | null = callService.getCall(call.getId());
  console.log(found, callService.getCalls().length, callService.getLocalAddress(), callService.getConnectionState());
  await callService.disconnect();
  new CallService({ baseUrl, accessToken });
}

export function errorsAndNames(text: string): ErrorCode[] {
  const fromHub: CallError = parseHubError(new Error(text));
  const fromOperation: CallError = parseOperationError(null);
  const own = new CallError('MediaError', 'no camera', new Error('NotAllowedError'));
  const name: 'CallError' = own.name;
  const inCall: boolean = IN_CALL_STATES.includes(CallState.OnHold);
  const ended: EndReasonName = EndReason.ConnectionLost;
  console.log(name, inCall, ended, own instanceof Error);
  return [fromHub.code, fromOperation.code, own.code];
}

export async function pushWakeUps(callService: CallService, fcmToken: string, newFcmToken: string, changed: PushSubscription): Promise<void> {
  await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  const registration: PushRegistration = await callService.push.subscribe();
  const subscription: WebPushSubscriptionJSON | undefined = registration.subscription;
  const platform: PushPlatform = registration.platform;
  console.log(registration.registrationId, registration.token, registration.appId, registration.updatedAt, subscription?.keys.p256dh, platform);
  const check: PushSubscriptionCheck = await callService.push.checkPushSubscription();
  const { registered } = check;
  console.log(registered, check.registration?.platform);
  const removed: boolean = await callService.push.unsubscribe();
  await callService.push.unsubscribe({ registrationId: 'phone-7', serviceWorkerRegistration: await navigator.serviceWorker.ready });
  await callService.push.checkPushSubscription({ registrationId: 'phone-7' });
  console.log(removed, callService.push.getRegistrationId());

  const native: PushSubscribeOptions = { platform: 'fcm', token: fcmToken, appId: 'com.example.phone' };
  await callService.push.subscribe(native);
  await callService.push.subscribe({ registrationId: 'phone-7', serviceWorkerRegistration: await navigator.serviceWorker.ready });
  await callService.push.refreshDeviceToken(newFcmToken);
  await callService.push.refreshDeviceToken(changed);
  await callService.push.refreshDeviceToken(registration.subscription, { platform: 'webpush' });
  await callService.push.refreshDeviceToken();

  const options: PushManagerOptions = {
    baseUrl: 'https://calls.example.com', accessTokenFactory: async () => 'token', registrationId: 'phone-7', fetch,
    storage: localStorage, serviceWorkerContainer: navigator.serviceWorker,
  };
  const standalone = new PushManager(options);
  new PushManager({ accessToken: 'token', storage: null, serviceWorkerContainer: null });
  await standalone.subscribe();
}

export function readPush(data: unknown): string {
  const push: PushNotification = parsePushNotification(data);
  const same: PushNotification = PushManager.parsePushNotification(data);
  if (push.type === 'incomingCall') {
    return `${push.displayName ?? push.from} ${push.video ? 'video' : 'audio'} until ${push.expiresAt?.toISOString()} ${same.callId}`;
  }
  return `${push.callId} ${push.reason}`;
}

export async function callHistory(callService: CallService, baseUrl: string, accessToken: string): Promise<void> {
  const recent: CallHistoryEntry[] = await callService.history.fetch();
  const older = await callService.history.fetch(20, 50);
  for (const entry of [...recent, ...older]) {
    const who: string = entry.remoteDisplayName ?? entry.remoteAddress;
    const when: Date = entry.endedAt;
    const reason: EndReasonName | null = entry.endReason;
    console.log(entry.callId, entry.direction === 'incoming', who, entry.missed, reason, entry.statusCode,
      entry.createdAt.getTime(), entry.answeredAt?.toISOString(), when, entry.durationSeconds, entry.video);
  }
  const one: CallHistoryEntry | null = await callService.history.get(recent[0].callId);
  if (one) await callService.history.remove(one.callId);
  await callService.history.clear();

  callService.listener = {
    callHistoryChanged(change: CallHistoryChange) {
      if (change.change === 'removed' || change.change === 'added') console.log(change.callId);
      void callService.history.fetch(10);
    },
  };

  const options: CallHistoryOptions = { baseUrl, accessTokenFactory: async () => accessToken, fetch };
  const standalone: CallHistory = new CallHistory(options);
  await new CallHistory({ accessToken }).fetch(1);
  await standalone.fetch();
}

export async function issue18(call: Call, other: Call, callService: CallService, baseUrl: string, accessToken: string): Promise<void> {
  // Custom parameters and the end reason text.
  const parameters: CustomParameters = { ticket: 'T-42', page: '/pricing' };
  const withParameters: CustomParametersOptions = { customParameters: parameters };
  await call.establishCall(true, withParameters);
  await call.establishCall(false, { customParameters: null });
  await call.establishAudioCall({ customParameters: { ticket: 'T-42' } });
  await call.acceptCall(false, { customParameters: { agent: 'a-7' } });
  await call.rejectCall({ customParameters: { why: 'in a meeting' } });
  const ending: EndCallOptions = { reason: 'Resolved', customParameters: { survey: 'yes' } };
  await call.endCall(ending);
  await call.endCall({ reason: null });
  const sent: boolean = await call.sendCustomParameters({ step: 'billing' });
  const remote: CustomParameters = call.getRemoteCustomParameters();
  const text: string | null = call.getEndReasonText();
  const busy: EndReasonName = EndReason.Busy;
  const snapshot: CallSnapshot = call.getSnapshot();
  console.log(sent, remote.ticket, text, busy, snapshot.waiting, snapshot.customParameters?.ticket, snapshot.endReasonText);

  // Call waiting.
  const waiting: boolean = call.isWaiting();
  const hold: HoldAndAcceptOptions = { video: false, customParameters: { note: 'one moment' } };
  const end: EndAndAcceptOptions = { video: true, reason: 'Taking another call', customParameters: null };
  const held: boolean = await callService.holdAndAccept(call, other, hold);
  await callService.holdAndAccept(call, other);
  await callService.endAndAccept(call, other, end);
  await callService.endAndAccept(call, other);
  await call.holdAndAccept(other);
  await call.endAndAccept(other, { reason: 'bye' });
  console.log(waiting, held);

  // DTMF.
  const dtmfOptions: DtmfOptions = { duration: 120, interToneGap: 80 };
  await call.sendDTMF('1234#');
  await call.sendDTMF('9', dtmfOptions);
  const dtmf: RTCDTMFSender | null = call.getDtmfSender();
  console.log(dtmf?.toneBuffer);

  // Quality.
  const warnings: QualityWarningName[] = call.getQualityWarnings();
  const listener: CallApplicationListener = {
    customParametersReceived(_call, received: CustomParameters) { console.log(received); },
    dtmfToneSent(_call, tone: string) { console.log(tone); },
    dtmfReceived(_call, digits: string) { console.log(digits); },
    qualitySample(_call, { rttMs, jitterMs, packetLossPercent, mos, audioBitrateKbps, videoBitrateKbps }: QualitySample) {
      console.log(rttMs, jitterMs, packetLossPercent, mos, audioBitrateKbps ?? 0, videoBitrateKbps ?? 0);
    },
    qualityWarning(_call, name: QualityWarningName) { console.log(name === 'high-rtt'); },
    qualityWarningCleared(_call, name) { console.log(name === 'low-mos'); },
    holdAndAcceptSucceeded(c) { console.log(c.getId()); }, holdAndAcceptFailed(_c, error: CallError) { console.log(error.code); },
    endAndAcceptSucceeded() {}, endAndAcceptFailed() {},
    sendDTMFSucceeded() {}, sendDTMFFailed() {},
    sendCustomParametersSucceeded() {}, sendCustomParametersFailed() {},
  };
  await CallService.connect({ baseUrl, accessToken, listener, qualityIntervalMs: 0 });
  console.log(warnings);
}
