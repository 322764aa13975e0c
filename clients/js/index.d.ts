// Type declarations of the CallServer JavaScript SDK (src/index.js).

/** The call states (docs/protocol.md §6). */
export type CallStateName =
  | 'Initial' | 'Dialing' | 'Ringing' | 'Answering' | 'InCall'
  | 'OnHold' | 'RemotelyHeld' | 'OnDoubleHold' | 'Ended';

export type EndReasonName =
  | 'EndedLocally' | 'EndedRemotely' | 'Rejected' | 'Ignored' | 'NoAnswer' | 'Unavailable'
  | 'Forwarded' | 'AnsweredElsewhere' | 'Canceled' | 'ConnectionLost' | 'Failed' | 'MovedToAnotherDevice' | 'Transferred'
  /** The callee is busy (statusCode 486): every device of the callee is in a call and the server's busy policy is Busy. */
  | 'Busy';

export declare const CallState: Readonly<{ [K in CallStateName]: K }>;
export declare const EndReason: Readonly<{ [K in EndReasonName]: K }>;
/** InCall, OnHold, RemotelyHeld, OnDoubleHold. */
export declare const IN_CALL_STATES: readonly CallStateName[];

/**
 * The server's error codes (Unauthorized, Forbidden, CallNotFound, InvalidState, OperationInProgress,
 * AlreadyOnHold, NotOnHold, CalleeNotFound, CalleeUnavailable, InvalidAddress, InvalidSdp,
 * InvalidArgument, ForwardLoop, RateLimited, PayloadTooLarge, Timeout, Rejected, Unavailable) and the
 * SDK's own: MediaError (camera/microphone), WebRtcError, ConnectionError, Unexpected, and for push
 * PushUnavailable (no service worker or Push API) and PushError (the browser refused to subscribe).
 */
export type ErrorCode = string;

export declare class CallError extends Error {
  constructor(code: ErrorCode, message: string, cause?: unknown);
  readonly name: 'CallError';
  readonly code: ErrorCode;
  toJSON(): { code: ErrorCode; message: string };
}

/** Reads a failed hub invocation ("… HubException: Code: text") as a CallError. */
export declare function parseHubError(error: unknown): CallError;
/** Reads CallOperationCompleted's `error` ("Timeout: …") as a CallError. */
export declare function parseOperationError(text: string | null | undefined): CallError;

export interface MediaAttributes {
  audio: boolean;
  video: boolean;
  localVideo: boolean;
  remoteVideo: boolean;
  localMuted: boolean;
  remoteMuted: boolean;
}

/** The server's view of a call, from this device's side (docs/protocol.md §5). */
export interface CallSnapshot {
  callId: string;
  direction: 'outgoing' | 'incoming';
  localAddress: string;
  remoteAddress: string;
  state: CallStateName;
  endReason: EndReasonName | null;
  media: MediaAttributes;
  localHold: boolean;
  remoteHold: boolean;
  statusCode: number | null;
  createdAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  sequence: number;
  remoteDisplayName?: string | null;
  offerKind?: 'Audio' | 'AudioWithInactiveVideo' | 'Video' | null;
  pendingOperationId?: string | null;
  /** For a call placed by a transfer: who transferred it. */
  transferredBy?: string | null;
  /** For a call placed by a transfer: the call of this party it replaces (none for the target of a blind transfer). */
  replacesCallId?: string | null;
  /** An incoming call that rings while this device is already in another call (call waiting). */
  waiting?: boolean;
  /** The OTHER party's custom parameters, merged (an incoming call: the caller's, from EstablishCall). */
  customParameters?: CustomParameters | null;
  /** The free text given by whoever ended the call (EndCall's reason), seen by both parties. */
  endReasonText?: string | null;
}

/**
 * Custom parameters: string → string, at most 16 entries, keys of 1 to 64 of `A-Z a-z 0-9 _ -`, values of
 * at most 512 UTF-8 bytes (else CallError 'InvalidArgument'). `{}` and null are none.
 */
export type CustomParameters = Record<string, string>;

/** establishCall, establishAudioCall, acceptCall, rejectCall: parameters for the other party. */
export interface CustomParametersOptions {
  customParameters?: CustomParameters | null;
}

/** endCall: a free text reason (≤ 256 characters, both parties read it with getEndReasonText()) and parameters. */
export interface EndCallOptions extends CustomParametersOptions {
  reason?: string | null;
}

/** holdAndAccept: `video` as acceptCall's, and parameters for the new call's caller. */
export interface HoldAndAcceptOptions extends CustomParametersOptions {
  video?: boolean;
}

/** endAndAccept: as holdAndAccept's, and the ended call's `reason` (as endCall's). */
export interface EndAndAcceptOptions extends HoldAndAcceptOptions {
  reason?: string | null;
}

/** sendDTMF: RTCDTMFSender.insertDTMF's tone duration and gap, in ms (the browser's defaults: 100 and 70). */
export interface DtmfOptions {
  duration?: number;
  interToneGap?: number;
}

/**
 * A quality sample (ReportQuality), every `qualityIntervalMs` while the call is connected: the round-trip
 * time and the inbound audio jitter in ms, the inbound audio packets lost since the last sample in %, an
 * E-model MOS estimate (1 to 4.5), and the outbound bitrates since the last sample in kbit/s (absent in a
 * sample without a previous reading).
 */
export interface QualitySample {
  rttMs: number;
  jitterMs: number;
  packetLossPercent: number;
  mos: number;
  audioBitrateKbps?: number;
  videoBitrateKbps?: number;
}

/** Raised when 3 of the last 5 samples have rtt > 400 ms, jitter > 30 ms, loss > 3 %, MOS < 3.5; cleared when fewer do. */
export type QualityWarningName = 'high-rtt' | 'high-jitter' | 'high-packet-loss' | 'low-mos';

/** A transfer's progress, as the transferor hears it (TransferProgress). */
export type TransferState = 'Trying' | 'Ringing' | 'Succeeded' | 'Failed';

export interface CandidateAddress {
  address: string;
  port: number;
  protocol: string;
  candidateType: string;
}

export interface MediaStatsSummary {
  audio: {
    inbound: { bytesReceived: number; packetsReceived: number };
    outbound: { bytesSent: number; packetsSent: number };
  };
  video: {
    inbound: { bytesReceived: number; packetsReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number };
    outbound: { bytesSent: number; packetsSent: number; framesEncoded: number };
  };
  selectedCandidatePair: { state: string; local: CandidateAddress; remote: CandidateAddress } | null;
}

export interface CallMediaStats extends MediaStatsSummary {
  iceConnectionState: RTCIceConnectionState;
  connectionState: RTCPeerConnectionState;
  signalingState: RTCSignalingState | 'closed';
}

export declare function summarizeStats(report: RTCStatsReport | null | undefined): MediaStatsSummary;

type Outcome<Name extends string> = {
  [K in `${Name}Succeeded`]?: (call: Call) => void;
} & {
  [K in `${Name}Failed`]?: (call: Call, error: CallError) => void;
};

/**
 * The application's listener (the seeds' CallApplicationListener). Every method is optional. Each
 * operation reports `<operation>Succeeded(call)` or `<operation>Failed(call, error)`.
 */
export type CallApplicationListener =
  & Outcome<'establishCall'>
  & Outcome<'acceptCall'>
  & Outcome<'rejectCall'>
  & Outcome<'ignoreCall'>
  & Outcome<'forwardCall'>
  & Outcome<'endCall'>
  & Outcome<'holdCall'>
  & Outcome<'unholdCall'>
  & Outcome<'videoStart'>
  & Outcome<'videoStop'>
  & Outcome<'muteCall'>
  & Outcome<'unmuteCall'>
  & Outcome<'pullCall'>
  & Outcome<'transferCall'>
  & Outcome<'holdAndAccept'>
  & Outcome<'endAndAccept'>
  & Outcome<'sendDTMF'>
  & Outcome<'sendCustomParameters'>
  & {
    /** A call rings on this device. Answer with call.acceptCall(video), rejectCall(), ignoreCall() or forwardCall(target). */
    incomingCall?(call: Call): void;
    /** The call's state (or its remote party, or a hold flag) changed. */
    callStatusChanged?(call: Call, state: CallStateName): void;
    /** Video or mute flags changed. */
    mediaAttributesChanged?(call: Call, media: MediaAttributes): void;
    /** The hub connection: Connected, Reconnecting, Disconnected. */
    connectionStateChanged?(state: 'Connected' | 'Reconnecting' | 'Draining' | 'Disconnected', error: Error | null): void;
    /** After a reconnect, the call was picked up with ResumeCall. */
    callResumed?(call: Call): void;
    callResumeFailed?(call: Call, error: CallError): void;
    /** Another device of this account pulled the call (PullCall): it ended here (`MovedToAnotherDevice`) and goes on there. */
    callPulled?(call: Call): void;
    /** A transfer this side asked for goes on: `Trying`, `Ringing`, then `Succeeded` or `Failed` (with the reason: `Rejected`, `NoAnswer`, …). */
    transferProgress?(call: Call, state: TransferState, reason: string | null): void;
    /** The call was transferred: it ended here (`Transferred`); the other party goes on in the new call. */
    callTransferred?(call: Call): void;
    /** This user is transferred (TransferRequested): the SDK placed `call`, the new call to the target, by itself; `oldCall` ends `Transferred` once the target answers. */
    transferRequested?(call: Call, oldCall: Call | null, info: { target: string; transferredBy: string }): void;
    /** A consultative transfer connects this user to the transferee: `call`, the new call, is accepted without ringing; `oldCall` (the consultation) ends `Transferred`. */
    transferConnected?(call: Call, oldCall: Call | null): void;
    /** The remote stream gained or lost a track. */
    remoteStreamChanged?(call: Call, stream: MediaStream): void;
    iceConnectionStateChanged?(call: Call, state: RTCIceConnectionState): void;
    /** The other party's hold/unhold/video operation was answered by this device. */
    renegotiationAnswered?(call: Call, operation: 'HoldCall' | 'UnholdCall' | 'VideoStart' | 'VideoStop' | 'PullCall'): void;
    /** Media could not be set up after the call was answered (the SDK ends the call). */
    callFailed?(call: Call, error: CallError): void;
    /** This user's call history changed on the server (a call ended, an entry was removed, or all were), from any of its devices. */
    callHistoryChanged?(change: CallHistoryChange): void;
    /** The other party sent custom parameters (with accept, reject, end, … or sendCustomParameters); before the state change they came with. */
    customParametersReceived?(call: Call, parameters: CustomParameters): void;
    /** The other party sent DTMF digits (SendDtmf). */
    dtmfReceived?(call: Call, digits: string): void;
    /** The browser is playing one of sendDTMF's tones on the audio sender (RTCDTMFSender `tonechange`; the final '' is not reported). */
    dtmfToneSent?(call: Call, tone: string): void;
    /** A quality sample of the connected call (also sent to the server with ReportQuality). */
    qualitySample?(call: Call, sample: QualitySample): void;
    /** 3 of the last 5 samples crossed the warning's threshold. */
    qualityWarning?(call: Call, name: QualityWarningName): void;
    /** Fewer than 3 of the last 5 samples cross it now. */
    qualityWarningCleared?(call: Call, name: QualityWarningName): void;
  };

export interface IceCandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

export interface CallServiceOptions {
  /** The server, e.g. "https://calls.example.com" (default: the page's origin). */
  baseUrl?: string;
  /** A JWT from /api/v1/auth/token or /api/v1/anonymous-tokens … */
  accessToken?: string;
  /** … or a function that returns one (called on every (re)connect). */
  accessTokenFactory?: () => string | Promise<string>;
  listener?: CallApplicationListener;
  /** Overrides GET /api/v1/ice-servers. */
  iceServers?: RTCIceServer[];
  /** Extra RTCPeerConnection configuration (iceServers come from the server). */
  rtcConfiguration?: Partial<RTCConfiguration>;
  /** Keeps only the candidates for which it returns true ('local': to send; 'remote': received). */
  iceCandidateFilter?: (candidate: IceCandidateInit, direction: 'local' | 'remote') => boolean;
  /** Replaces navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Automatic reconnect delays in ms (default [0, 1000, 2000, 5000, 10000, 10000]). */
  reconnectDelays?: number[];
  /** SignalR transport (an HttpTransportType); default: negotiated. */
  transport?: number;
  /** SignalR's own log level (default Warning). */
  signalRLogLevel?: number;
  /** Where the SDK logs (default console). */
  logger?: Pick<Console, 'info' | 'warn' | 'error' | 'log'>;
  /** Hub path (default /hubs/calls). */
  hubPath?: string;
  /**
   * Renew an anonymous caller's accessToken, or a user token the app's backend minted (POST /api/v1/user-tokens),
   * ahead of its expiry (default true); the calls go on.
   */
  renewAnonymousToken?: boolean;
  fetch?: typeof fetch;
  /** ms between two quality samples of a connected call (ReportQuality, `qualitySample`): default 5000, at least 1000, 0: none. */
  qualityIntervalMs?: number;
}

/** The push services a registration can name. */
export type PushPlatform = 'apns' | 'fcm' | 'webpush';

/** A browser's Web Push subscription as the server stores it (PushSubscription.toJSON() without expirationTime). */
export interface WebPushSubscriptionJSON {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** One installation's push registration, as the server stores it (PUT/GET /api/v1/push-registrations). */
export interface PushRegistration {
  registrationId: string;
  platform: PushPlatform;
  /** apns and fcm: the device token. */
  token?: string;
  /** webpush: the browser's subscription. */
  subscription?: WebPushSubscriptionJSON;
  /** The APNs topic or FCM app, when the app names one. */
  appId?: string;
  updatedAt: string;
}

export interface PushSubscribeOptions {
  /** This installation's id (≤ 64 of A-Z a-z 0-9 . _ -); default: the manager's (kept in localStorage). */
  registrationId?: string;
  /** Default 'webpush' (this browser); 'apns' or 'fcm' with `token` for a hybrid app's native token. */
  platform?: PushPlatform;
  /** apns, fcm: the device token. */
  token?: string;
  /** apns: the token of alert (non-VoIP) pushes: missed-call pushes go there; kept by refreshDeviceToken unless another is given. */
  alertToken?: string;
  /** The APNs topic or FCM app. */
  appId?: string;
  /** webpush: the service worker registration to subscribe (default: navigator.serviceWorker.ready). */
  serviceWorkerRegistration?: ServiceWorkerRegistration;
}

export interface PushSubscriptionCheck {
  /** The server has this installation's registration (and, for webpush, it is this browser's current subscription). */
  registered: boolean;
  /** The server's registration of this installation, or null. */
  registration: PushRegistration | null;
  /** Web Push: the browser's subscription was made with another VAPID key than the server's current one, so it was replaced (subscribed again and stored under the same id); `registration` is the new one. */
  resubscribed?: boolean;
}

/** A CallServer push, read by parsePushNotification. */
export interface PushNotification {
  /** missedCall (issue 20): a call that woke this device ended unanswered (show "missed call from …"). */
  type: 'incomingCall' | 'callCanceled' | 'missedCall';
  callId: string;
  /** incomingCall, missedCall: the caller's address (null for callCanceled). */
  from: string | null;
  displayName: string | null;
  /** incomingCall: the call offers video. */
  video: boolean;
  /** incomingCall: when it stops ringing. */
  expiresAt: Date | null;
  /** callCanceled: why it stopped ringing; missedCall: Canceled (the caller hung up) or NoAnswer. */
  reason: string | null;
}

export interface PushManagerOptions {
  /** The server (default: the page's origin). */
  baseUrl?: string;
  /** A user's JWT … */
  accessToken?: string;
  /** … or a function that returns one (called for every request). */
  accessTokenFactory?: () => string | Promise<string>;
  /** This installation's registration id (default: a stable one kept in localStorage). */
  registrationId?: string;
  fetch?: typeof fetch;
  /** Where the installation's id is kept (default localStorage; null: only in memory). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Default navigator.serviceWorker (null: no Web Push here). */
  serviceWorkerContainer?: Pick<ServiceWorkerContainer, 'ready' | 'getRegistration'> | null;
}

/**
 * Push wake-ups of this installation, as the mobile SDKs' PushManager: `callService.push`, or
 * `new PushManager(options)` without a hub connection. Failures reject with CallError: the server's codes
 * (Forbidden for an anonymous token, RateLimited for too many registrations, …), InvalidArgument,
 * PushUnavailable (no service worker or Push API here), PushError (the browser refused to subscribe),
 * ConnectionError (the request did not reach the server).
 */
export declare class PushManager {
  constructor(options: PushManagerOptions);
  /** Reads a CallServer push; throws CallError('InvalidArgument') for anything else. */
  static parsePushNotification(data: unknown): PushNotification;
  /** This installation's registration id. */
  getRegistrationId(): string;
  /** Registers this browser's Web Push subscription (no options) or a native token; resolves to the stored registration. */
  subscribe(options?: PushSubscribeOptions): Promise<PushRegistration>;
  /** Stores a new native token, or a new (default: the current) Web Push subscription, under the same id. */
  refreshDeviceToken(token?: string | PushSubscription | WebPushSubscriptionJSON, options?: PushSubscribeOptions): Promise<PushRegistration>;
  /** Removes the registration (and the browser's subscription); true when the server had one. */
  unsubscribe(options?: { registrationId?: string; serviceWorkerRegistration?: ServiceWorkerRegistration }): Promise<boolean>;
  /** Whether the server has this installation's registration (and, for webpush, this browser's current subscription). */
  checkPushSubscription(options?: { registrationId?: string; serviceWorkerRegistration?: ServiceWorkerRegistration }): Promise<PushSubscriptionCheck>;
  /** Reads a CallServer push (as the static one). */
  parsePushNotification(data: unknown): PushNotification;
}

/**
 * Reads a CallServer push: a PushEvent's `data.json()` (or `data`), a JSON string, or FCM data (all
 * strings). Throws CallError('InvalidArgument') for anything that is not one. Needs no DOM: a service
 * worker can import '/sdk/push/push-notification.js' alone.
 */
export declare function parsePushNotification(data: unknown): PushNotification;

/** One call in this user's history, as this side saw it (GET /api/v1/call-history, read). */
export interface CallHistoryEntry {
  readonly callId: string;
  readonly direction: 'incoming' | 'outgoing';
  /** The other party's address (an outgoing call: the one that took it, after forwards). */
  readonly remoteAddress: string;
  readonly remoteDisplayName: string | null;
  /** An incoming call this user neither answered, rejected nor forwarded. */
  readonly missed: boolean;
  readonly endReason: EndReasonName | null;
  readonly statusCode: number | null;
  readonly createdAt: Date;
  /** Null when it was not answered on this side. */
  readonly answeredAt: Date | null;
  readonly endedAt: Date;
  /** The time in the call (0 when not answered on this side). */
  readonly durationSeconds: number;
  readonly video: boolean;
  /** For a call placed by a transfer: the call it replaced and who transferred (else null). */
  readonly transferredFrom: CallHistoryTransfer | null;
  /** For a call this user left by a transfer: the call that replaced it, who transferred, and the target (else null). */
  readonly transferredTo: CallHistoryTransfer | null;
  /** When this user's call moved to another of its devices (PullCall), in order. */
  readonly pulledAt: Date[];
  /** The cursor after this entry: `history.fetch(amount, entry.next)` gives the entries after it (null from a server before issue 20). */
  readonly next: string | null;
}

/** A transfer a history entry took part in. */
export interface CallHistoryTransfer {
  readonly callId: string;
  readonly transferredBy: string | null;
  readonly target: string | null;
}

/** The hub's CallHistoryChanged: an entry was added (a call ended) or removed, or the history was cleared. */
export interface CallHistoryChange {
  readonly change: 'added' | 'removed' | 'cleared';
  /** The entry's call (null for 'cleared'). */
  readonly callId: string | null;
}

export interface CallHistoryOptions {
  /** The server (default: the page's origin). */
  baseUrl?: string;
  /** A user's JWT … */
  accessToken?: string;
  /** … or a function that returns one (called for every request). */
  accessTokenFactory?: () => string | Promise<string>;
  fetch?: typeof fetch;
}

/**
 * This user's call history, as the mobile SDKs' call history: `callService.history`, or
 * `new CallHistory(options)` without a hub connection. Failures reject with CallError: the server's codes
 * (Forbidden for an anonymous token, CallNotFound, RateLimited, …), InvalidArgument, ConnectionError.
 */
export declare class CallHistory {
  constructor(options: CallHistoryOptions);
  /**
   * `amount` calls (default 50), newest first, after skipping the `offset` newest (default 0), or after the entry
   * whose `next` is given (every entry exactly once, while calls come and go); pages of up to 200 follow the cursor.
   */
  fetch(amount?: number, offset?: number | string): Promise<CallHistoryEntry[]>;
  /** The entry of `callId` (one fetched before, else read from the history); null when there is none. */
  get(callId: string): Promise<CallHistoryEntry | null>;
  /** Removes one call from the history; CallError('CallNotFound') when it has none. */
  remove(callId: string): Promise<void>;
  /** Removes every call from the history. */
  clear(): Promise<void>;
}

export interface TokenResponse {
  accessToken: string;
  expiresAt: string;
  address: string;
}

export declare class CallService {
  /** Connects (starts the hub connection) and resolves once connected. Rejects with CallError (ConnectionError). */
  static connect(options: CallServiceOptions): Promise<CallService>;
  /** POST /api/v1/auth/token. Rejects with CallError (Unauthorized, RateLimited, …). */
  static login(options: { baseUrl?: string; username: string; password: string; fetch?: typeof fetch }): Promise<TokenResponse>;
  /** POST /api/v1/anonymous-tokens (apiKey = X-Api-Key, unless the server allows public tokens). */
  static anonymousToken(options?: {
    baseUrl?: string; apiKey?: string; allowedCallees?: string[]; displayName?: string; ttlSeconds?: number; fetch?: typeof fetch;
  }): Promise<TokenResponse>;

  /** POST /api/v1/anonymous-tokens/renew: a new token of the same anonymous caller, for its current one. */
  static renewAnonymousToken(options: { baseUrl?: string; accessToken: string; fetch?: typeof fetch }): Promise<TokenResponse>;

  /**
   * Renews a token the server renews: an anonymous caller's, or a user token minted by the app's backend
   * (POST /api/v1/user-tokens/renew). `path` defaults to the one for that kind of token.
   */
  static renewToken(options: { baseUrl?: string; accessToken: string; fetch?: typeof fetch; path?: string }): Promise<TokenResponse>;

  constructor(options: CallServiceOptions);
  listener: CallApplicationListener | null;
  rtcConfiguration: Partial<RTCConfiguration>;
  readonly baseUrl: string;
  /** This user's address, as getLocalAddress() returns it. */
  readonly localAddress: string | null;
  /** Push wake-ups of this installation, with this service's token. */
  readonly push: PushManager;
  /** This user's call history, with this service's token. */
  readonly history: CallHistory;
  getConnectionState(): string;
  /** This user's address (the token's subject). */
  getLocalAddress(): string | null;
  /** The calls of this device that have not ended. */
  getCalls(): Call[];
  getCall(callId: string): Call | null;
  /**
   * CreateOutgoingCall: a call in state Initial. Then set its views and call establishCall(video) or
   * establishAudioCall(). Rejects with CallError (CalleeNotFound, InvalidAddress, Forbidden, …).
   * `listener` receives this call's events instead of the service's listener.
   */
  createOutgoingCall(callee: string | { address: string }, listener?: CallApplicationListener): Promise<Call>;
  /**
   * PullCall: moves a call of this account from another device to this one (find it with
   * listCallsOnOtherDevices()). Resolves to the call on this device once the other party answered its
   * offer; the other device sees it end `MovedToAnotherDevice`. Rejects with CallError (InvalidState,
   * OperationInProgress, Forbidden for anonymous callers, Rejected, Timeout, …).
   */
  pullCall(callId: string, listener?: CallApplicationListener): Promise<Call>;
  /** The account's calls in progress that another of its devices holds (GetCallsOnOtherDevices), as their party sees them. */
  listCallsOnOtherDevices(): Promise<CallSnapshot[]>;
  /** Call waiting: `newCall.holdAndAccept(heldCall, options)` (rejects with InvalidArgument only when `newCall` is not a Call). */
  holdAndAccept(newCall: Call, heldCall: Call, options?: HoldAndAcceptOptions): Promise<boolean>;
  /** Call waiting: `newCall.endAndAccept(endedCall, options)` (rejects with InvalidArgument only when `newCall` is not a Call). */
  endAndAccept(newCall: Call, endedCall: Call, options?: EndAndAcceptOptions): Promise<boolean>;
  /** Stops the connection and releases the media of every call. */
  disconnect(): Promise<void>;
}

/**
 * One call and its RTCPeerConnection. Every operation returns a promise that resolves to true when it
 * succeeded and false when it failed (it never rejects); the listener gets `<operation>Succeeded` or
 * `<operation>Failed(call, error)`.
 */
export declare class Call {
  private constructor();
  getId(): string;
  getState(): CallStateName;
  getSnapshot(): CallSnapshot;
  getDirection(): 'outgoing' | 'incoming';
  isIncoming(): boolean;
  getLocalAddress(): string;
  getRemoteAddress(): string;
  getRemoteDisplayName(): string | null;
  /** For a call placed by a transfer: who transferred it (else null). */
  getTransferredBy(): string | null;
  /** For a call placed by a transfer: the call of this user it replaces (else null). */
  getReplacedCallId(): string | null;
  getEndReason(): EndReasonName | null;
  /** The free text given by whoever ended the call (endCall's `reason`), else null. */
  getEndReasonText(): string | null;
  /** An incoming call ringing while this device is in another call (the snapshot's `waiting`). */
  isWaiting(): boolean;
  /** The other party's custom parameters, merged (from the snapshots and `customParametersReceived`): a copy. */
  getRemoteCustomParameters(): CustomParameters;
  /** The quality warnings raised and not cleared. */
  getQualityWarnings(): QualityWarningName[];
  /** The audio sender's RTCDTMFSender (null without a connection, or where the browser has none). */
  getDtmfSender(): RTCDTMFSender | null;
  getMediaAttributes(): MediaAttributes;
  isMuted(): boolean;
  isVideoSending(): boolean;
  getIncomingOffer(): string | null;
  /** Whether the incoming offer carries active video. */
  isVideoOffered(): boolean;
  getPeerConnection(): RTCPeerConnection | null;
  getLocalStream(): MediaStream | null;
  getRemoteStream(): MediaStream | null;
  /** The RTCPeerConnection's stats (null before media was set up). */
  getStats(): Promise<RTCStatsReport | null>;
  /** A summary of getStats() plus the ICE, connection and signaling states. */
  getMediaStats(): Promise<CallMediaStats>;
  setLocalVideoView(element: HTMLVideoElement | null): void;
  setRemoteVideoView(element: HTMLVideoElement | null): void;

  /** Outgoing: offer audio + video (`true`) or audio + an inactive video m-line (`false`); custom parameters for the callee. */
  establishCall(video?: boolean, options?: CustomParametersOptions): Promise<boolean>;
  /** Outgoing: offer a single audio m-line. */
  establishAudioCall(options?: CustomParametersOptions): Promise<boolean>;
  /** Incoming: answer, sending video when `video` and the offer has video; custom parameters for the caller. */
  acceptCall(video?: boolean, options?: CustomParametersOptions): Promise<boolean>;
  rejectCall(options?: CustomParametersOptions): Promise<boolean>;
  ignoreCall(): Promise<boolean>;
  forwardCall(target: string | { address: string }): Promise<boolean>;
  /** Ends the call, with an optional free text `reason` (≤ 256 characters) and custom parameters for the other party. */
  endCall(options?: EndCallOptions): Promise<boolean>;
  /**
   * Call waiting (HoldAndAccept): answers this ringing call and holds `heldCall` as one command (both or
   * neither). `holdAndAcceptSucceeded/Failed` here; the hold completes on `heldCall` as holdCall's
   * (`holdCallSucceeded/Failed`). On failure both connections are rolled back and this call keeps ringing.
   */
  holdAndAccept(heldCall: Call, options?: HoldAndAcceptOptions): Promise<boolean>;
  /**
   * Call waiting (EndAndAccept): answers this ringing call and ends `endedCall` as one command.
   * `endAndAcceptSucceeded/Failed` here; `endedCall` stops sending, reports `endCallSucceeded`, then ends.
   */
  endAndAccept(endedCall: Call, options?: EndAndAcceptOptions): Promise<boolean>;
  /** SendCustomParameters: 1 to 16 parameters for the other party (any state but Ended). */
  sendCustomParameters(customParameters: CustomParameters): Promise<boolean>;
  /**
   * DTMF while InCall: RFC 4733 tones on the audio sender when it can (RTCDTMFSender.insertDTMF), and
   * always SendDtmf to the server. `digits`: 1 to 64 of 0-9 A-D a-d * # and `,` (else InvalidArgument).
   */
  sendDTMF(digits: string, options?: DtmfOptions): Promise<boolean>;
  holdCall(): Promise<boolean>;
  /**
   * TransferCall (blind): the other party calls `target`. Holds the call first if needed; resolves true when the
   * target answered (this call ends `Transferred`), false when the transfer failed (the call stays held).
   * Reports `transferProgress`, then `transferCallSucceeded` or `transferCallFailed(call, error)`.
   */
  transferCall(target: string | { address: string }): Promise<boolean>;
  /**
   * ConsultativeTransfer: connects the other party of this call with the other party of `otherCall` (both held
   * first if needed); both calls end `Transferred` when the new call is in progress. Reports like transferCall.
   */
  consultativeTransfer(otherCall: Call): Promise<boolean>;
  unholdCall(): Promise<boolean>;
  videoStart(): Promise<boolean>;
  videoStop(): Promise<boolean>;
  /** Disables the microphone track and tells the other party (muteCallSucceeded/Failed). */
  mute(): Promise<boolean>;
  /** unmuteCallSucceeded/Failed. */
  unmute(): Promise<boolean>;
}
