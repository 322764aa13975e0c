// The official client with nothing around it, for tests that only need a call to happen (operations,
// telemetry): a connection with a `closed` promise, a one-shot event wait, and a whole answered call.
import * as signalR from '@microsoft/signalr';

/** A hub connection of the server's `token` (not started). `connection.closed` resolves when it closes. */
export function plainConnection(server, token) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${server.baseUrl}/hubs/calls`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None)
    .build();
  connection.closed = new Promise((resolve) => connection.onclose((error) => resolve({ at: Date.now(), error })));
  return connection;
}

/** The arguments of the next `name` event matching `predicate`, or an error after `timeoutMs`. */
export function nextEvent(connection, name, predicate = () => true, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs);
    connection.on(name, (...args) => {
      if (predicate(...args)) {
        clearTimeout(timer);
        resolve(args);
      }
    });
  });
}

/** Caller `a` calls `callee` (whose connection `b` is registered) with `offer`; `b` accepts: both InCall. Returns the call id. */
export async function answeredCall(a, b, callee, offer) {
  const ringing = nextEvent(b, 'IncomingCall');
  const call = await a.invoke('CreateOutgoingCall', callee.username);
  await a.invoke('EstablishCall', call.callId, offer);
  await ringing;
  const inCall = nextEvent(a, 'CallStatusChanged', (s) => s.callId === call.callId && s.state === 'InCall');
  await b.invoke('AcceptCall', call.callId, offer);
  await inCall;
  return call.callId;
}
