// The contract's names (docs/protocol.md): states, end reasons, operations.

/** The call states, as the server spells them. */
export const CallState = Object.freeze({
  Initial: 'Initial',
  Dialing: 'Dialing',
  Ringing: 'Ringing',
  Answering: 'Answering',
  InCall: 'InCall',
  OnHold: 'OnHold',
  RemotelyHeld: 'RemotelyHeld',
  OnDoubleHold: 'OnDoubleHold',
  Ended: 'Ended',
});

/** Why a call ended. */
export const EndReason = Object.freeze({
  EndedLocally: 'EndedLocally',
  EndedRemotely: 'EndedRemotely',
  Rejected: 'Rejected',
  Ignored: 'Ignored',
  NoAnswer: 'NoAnswer',
  Unavailable: 'Unavailable',
  Forwarded: 'Forwarded',
  AnsweredElsewhere: 'AnsweredElsewhere',
  MovedToAnotherDevice: 'MovedToAnotherDevice',
  Transferred: 'Transferred',
  Canceled: 'Canceled',
  ConnectionLost: 'ConnectionLost',
  Failed: 'Failed',
  /** The callee is busy: every device is in a call and the server's busy policy refuses a waiting call (486). */
  Busy: 'Busy',
});

/**
 * The states of a call that is connected (media may flow, mid-call operations are allowed).
 * @type {readonly import('../index.js').CallStateName[]}
 */
export const IN_CALL_STATES = Object.freeze(['InCall', 'OnHold', 'RemotelyHeld', 'OnDoubleHold']);
