// The softphone's service worker (a module worker, registered by app.js at a user's sign-in, scope /):
// it wakes the user for a call when no softphone window is in front. A CallServer push `incomingCall`
// shows a notification (tag = callId) unless a visible softphone window has the focus (that window rings
// through its hub connection); `callCanceled` closes it; `missedCall` shows "Missed call" (tag missed-<callId>, so no
// cancel closes it) unless a visible softphone window has the focus. Every window is told of every push
// (`{ type: 'callserver-push', push }`). A click on the notification focuses a softphone window, or
// opens /?call=<callId>: the page connects by itself with its saved session and the server rings it.

import { parsePushNotification } from '/sdk/push/push-notification.js';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** Who called, as a notification's body says it. */
function callerOf(push) {
  return push.displayName ? `${push.displayName} <${push.from}>` : push.from;
}

/** The title and options of the notification of an incoming call. */
function incomingCallNotification(push) {
  const caller = callerOf(push);
  return {
    title: push.video ? 'Incoming video call' : 'Incoming call',
    options: {
      body: caller,
      tag: push.callId,
      requireInteraction: true,
      data: { callId: push.callId, from: push.from },
    },
  };
}

/** The title and options of the notification of a missed call (its own tag: the call's cancel does not close it). */
function missedCallNotification(push) {
  const caller = callerOf(push);
  return {
    title: push.video ? 'Missed video call' : 'Missed call',
    options: {
      body: caller,
      tag: `missed-${push.callId}`,
      data: { callId: null, from: push.from },
    },
  };
}

function windows() {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true });
}

async function showIncomingCall(push, open) {
  if (push.expiresAt && push.expiresAt.getTime() <= Date.now()) {
    console.info(`callserver sw: incomingCall ${push.callId}: expired, no notification`);
    return;
  }
  if (open.some((client) => client.focused && client.visibilityState === 'visible')) {
    console.info(`callserver sw: incomingCall ${push.callId}: a softphone window is in front, no notification`);
    return;
  }
  const { title, options } = incomingCallNotification(push);
  await self.registration.showNotification(title, options);
  console.info(`callserver sw: incomingCall ${push.callId}: notification shown`);
}

async function showMissedCall(push, open) {
  if (open.some((client) => client.focused && client.visibilityState === 'visible')) {
    console.info(`callserver sw: missedCall ${push.callId}: a softphone window is in front, no notification`);
    return;
  }
  await closeNotifications(push.callId, 'missedCall'); // the incoming call's, if still shown
  const { title, options } = missedCallNotification(push);
  await self.registration.showNotification(title, options);
  console.info(`callserver sw: missedCall ${push.callId}: notification shown`);
}

async function closeNotifications(callId, why) {
  const shown = await self.registration.getNotifications({ tag: callId });
  for (const notification of shown) notification.close();
  console.info(`callserver sw: ${why} ${callId}: ${shown.length} notification(s) closed`);
}

async function onPush(data) {
  let push;
  try {
    push = parsePushNotification(data);
  } catch (error) {
    console.warn(`callserver sw: ignored a push that is not CallServer's (${error.message})`);
    return;
  }
  const open = await windows();
  if (push.type === 'incomingCall') await showIncomingCall(push, open);
  else if (push.type === 'missedCall') await showMissedCall(push, open);
  else await closeNotifications(push.callId, push.type);
  for (const client of open) client.postMessage({ type: 'callserver-push', push });
}

self.addEventListener('push', (event) => {
  let data = null;
  try {
    data = event.data?.json() ?? null;
  } catch {
    data = event.data?.text() ?? null; // parsePushNotification says why it is not a push of ours
  }
  event.waitUntil(onPush(data));
});

async function openCall(callId) {
  const softphone = (await windows()).find((client) => new URL(client.url).pathname === '/');
  if (softphone) {
    softphone.postMessage({ type: 'callserver-notification-click', callId });
    await softphone.focus();
    return;
  }
  await self.clients.openWindow(callId ? `/?call=${encodeURIComponent(callId)}` : '/');
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openCall(event.notification.data?.callId ?? null));
});
