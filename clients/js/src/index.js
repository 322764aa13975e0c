// CallServer JavaScript SDK: voice and video calls over CallServer's SignalR hub, with the
// RTCPeerConnection managed for you. API named as the mobile SDKs' guides (createOutgoingCall,
// establishCall, acceptCall, holdCall, …); see README.md.

export { CallService } from './call-service.js';
export { Call } from './call.js';
export { CallError, parseHubError, parseOperationError } from './errors.js';
export { CallState, EndReason, IN_CALL_STATES } from './constants.js';
export { summarizeStats } from './stats.js';
export { PushManager } from './push/push-manager.js';
export { parsePushNotification } from './push/push-notification.js';
export { CallHistory } from './history/call-history.js';
