// The same calls on every Redis deployment the server supports (issue 19): a single redis-server, Sentinel (a
// primary, a replica, three sentinels) and a Redis Cluster of three primaries with a replica each, all real
// processes on loopback, two nodes each, driven by the official SignalR client. Each scenario touches a part of
// the shared state: calls and their compare-and-set saves, the active-call index of accounts in other shards
// (busy and call waiting, forwards, a device's active calls), timers (the ring timeout), the outbox (webhooks,
// history, transfer progress), presence across nodes. On the Cluster the keys must spread over the primaries.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, closeAll, sdp, clientLog, assertRefused, pollUntil,
} from './support/cluster.mjs';
import { RedisSentinelSet } from './support/sentinel.mjs';
import { RedisClusterSet } from './support/redis-cluster.mjs';
import { WebhookReceiver } from './support/webhook-receiver.mjs';

const TOPOLOGIES = [
  { name: 'a single Redis', start: async (cluster) => { await cluster.startRedis(); return { stop: () => cluster.stopRedis('SIGKILL'), logs: () => '' }; } },
  { name: 'Redis Sentinel', start: async (cluster) => { const set = await new RedisSentinelSet({ label: 'topology-sentinel' }).start(); cluster.redisConfiguration = set.configuration; return set; } },
  { name: 'a Redis Cluster of three primaries', cluster: true, start: async (cluster) => { const set = await new RedisClusterSet({ label: 'topology-cluster' }).start(); cluster.redisConfiguration = set.configuration; return set; } },
];

for (const topology of TOPOLOGIES) {
  describe(`calls on ${topology.name}`, { timeout: 180_000 }, () => {
    const cluster = new Cluster({ label: `topology-${topology.name.split(' ').pop().toLowerCase()}` });
    let redis;
    let receiver;
    let A, B;
    let failed = false;
    let turn = 0;

    function test(name, fn) {
      it(name, async () => {
        try {
          await fn();
        } catch (error) {
          failed = true;
          throw error;
        }
      });
    }

    /** Fresh users (unique names per scenario), provisioned on A, their tokens from A and B in turn. */
    async function users(...names) {
      const made = [];
      for (const name of names) made.push(await provisionUser(cluster, A, turn++ % 2 ? B : A, `${name}${turn}`));
      return made;
    }

    async function ring(caller, callee, devices) {
      const callId = (await caller.hub.invoke('CreateOutgoingCall', callee.username)).callId;
      await caller.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'caller' }));
      for (const device of devices) await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
      await waitForState(caller, callId, 'Ringing');
      return callId;
    }

    async function answer(caller, device, callId) {
      await device.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'callee' }));
      await waitForState(caller, callId, 'InCall');
      await waitForState(device, callId, 'InCall');
    }

    before(async () => {
      receiver = await new WebhookReceiver().start();
      redis = await topology.start(cluster);
      const env = {
        Webhooks__Endpoints__0__Url: receiver.url,
        Webhooks__Endpoints__0__Secret: receiver.secret,
        Webhooks__PollInterval: '00:00:00.100',
        Redis__IndexPollInterval: '00:00:00.200',
      };
      [A, B] = await Promise.all(['A', 'B'].map((name) => cluster.startNode(name, env)));
      await Promise.all([A, B].map((node) => waitReady(node)));
    }, { timeout: 120_000 });

    after(async () => {
      await closeAll();
      await cluster.stopAll();
      await receiver?.stop();
      if (failed) process.stderr.write(`\n${cluster.logs()}\n${redis?.logs?.() ?? ''}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
      await redis?.stop();
    });

    test('a call across nodes rings every device, is answered on one, held, muted, sent DTMF and ended; the webhook record and both histories have it', async () => {
      const [alice, bob] = await users('alice', 'bob');
      const a = await connect(A, 'alice', alice);
      const b1 = await connect(B, 'bob#1', bob);
      const b2 = await connect(A, 'bob#2', bob);
      const callId = await ring(a, bob, [b1, b2]);
      await answer(a, b1, callId);
      await waitForState(b2, callId, 'Ended', 'AnsweredElsewhere');

      const hold = await a.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' }));
      await waitFor(b1, 'RenegotiationRequested', (id, operation) => id === callId && operation === hold);
      await b1.hub.invoke('AnswerRenegotiation', callId, hold, sdp({ role: 'answer', user: 'bob', audio: 'recvonly', video: 'recvonly' }));
      await waitForState(b1, callId, 'RemotelyHeld');
      await waitForState(a, callId, 'OnHold');
      const unhold = await a.hub.invoke('UnholdCall', callId, sdp({ role: 'offer', user: 'alice' }));
      await waitFor(b1, 'RenegotiationRequested', (id, operation) => id === callId && operation === unhold);
      await b1.hub.invoke('AnswerRenegotiation', callId, unhold, sdp({ role: 'answer', user: 'bob' }));
      await waitForState(a, callId, 'InCall');
      await a.hub.invoke('Mute', callId);
      await b1.hub.invoke('SendDtmf', callId, '42#');
      await waitFor(a, 'DtmfReceived', (id, digits) => id === callId && digits === '42#');
      assert.deepEqual((await b1.hub.invoke('GetActiveCalls')).map((s) => s.callId), [callId]);

      await b1.hub.invoke('EndCall', callId);
      await waitForState(a, callId, 'Ended', 'EndedRemotely');
      await receiver.waitDelivered(callId, 'call.ended', 10_000);
      for (const [user, node] of [[alice, B], [bob, A]]) {
        await pollUntil(`${user.username}'s history has the call`, async () => {
          const read = await api(node, 'GET', '/api/v1/call-history', { token: user.token });
          return read.json?.some((entry) => entry.callId === callId);
        }, { deadlineMs: 10_000 });
      }
      assert.deepEqual(await b1.hub.invoke('GetActiveCalls'), []);
      await assertRefused(a.hub.invoke('Unmute', callId), 'InvalidState');
    });

    test('reject across nodes; an unanswered call ends by its ring timer for both parties', async () => {
      const [carol, dave] = await users('carol', 'dave');
      const c = await connect(A, 'carol', carol);
      const d = await connect(B, 'dave', dave);
      const rejected = await ring(c, dave, [d]);
      await d.hub.invoke('RejectCall', rejected);
      await waitForState(c, rejected, 'Ended', 'Rejected');

      const unanswered = await ring(c, dave, [d]);
      await waitForState(c, unanswered, 'Ended', 'NoAnswer', 15_000);
      await waitForState(d, unanswered, 'Ended', undefined, 15_000);
      assert.deepEqual(await c.hub.invoke('GetActiveCalls'), []);
    });

    test('a forward to another user and call waiting: the active calls of accounts in other shards than the call are found', async () => {
      const [erin, frank, grace, heidi] = await users('erin', 'frank', 'grace', 'heidi');
      const e = await connect(A, 'erin', erin);
      const f = await connect(B, 'frank', frank);
      const g = await connect(B, 'grace', grace);
      const h = await connect(A, 'heidi', heidi);
      const forwarded = await ring(e, frank, [f]);
      await f.hub.invoke('ForwardCall', forwarded, grace.username);
      await waitForState(f, forwarded, 'Ended', 'Forwarded');
      await waitFor(g, 'IncomingCall', (s) => s.callId === forwarded);
      await answer(e, g, forwarded);
      await pollUntil('grace\'s active calls list the forwarded call', async () =>
        (await g.hub.invoke('GetActiveCalls')).some((s) => s.callId === forwarded), { deadlineMs: 5_000 });

      // grace is busy: heidi's call rings her flagged waiting; she holds erin and accepts.
      const waiting = (await h.hub.invoke('CreateOutgoingCall', grace.username)).callId;
      await h.hub.invoke('EstablishCall', waiting, sdp({ role: 'offer', user: 'heidi' }));
      const [incoming] = await waitFor(g, 'IncomingCall', (s) => s.callId === waiting);
      assert.equal(incoming.waiting, true);
      const hold = await g.hub.invoke('HoldAndAccept', waiting, forwarded, sdp({ role: 'answer', user: 'grace' }), sdp({ role: 'offer', user: 'grace', audio: 'sendonly', video: 'sendonly' }));
      await waitForState(h, waiting, 'InCall');
      await waitFor(e, 'RenegotiationRequested', (id, operation) => id === forwarded && operation === hold);
      await e.hub.invoke('AnswerRenegotiation', forwarded, hold, sdp({ role: 'answer', user: 'erin', audio: 'recvonly', video: 'recvonly' }));
      await waitForState(e, forwarded, 'RemotelyHeld');
      assert.deepEqual((await g.hub.invoke('GetActiveCalls')).map((s) => s.callId).sort(), [forwarded, waiting].sort());
      await g.hub.invoke('EndCall', waiting);
      await g.hub.invoke('EndCall', forwarded);
      await waitForState(e, forwarded, 'Ended');
      await waitForState(h, waiting, 'Ended');
      await pollUntil('grace has no active calls', async () => (await g.hub.invoke('GetActiveCalls')).length === 0, { deadlineMs: 5_000 });
    });

    test('a blind transfer across nodes: the new call is placed, answered, and the transferred call ends for both', async () => {
      const [ivan, judy, ken] = await users('ivan', 'judy', 'ken');
      const i = await connect(A, 'ivan', ivan);
      const j = await connect(B, 'judy', judy);
      const k = await connect(B, 'ken', ken);
      const callId = await ring(i, judy, [j]);
      await answer(i, j, callId);
      const newCallId = await j.hub.invoke('TransferCall', callId, ken.username);
      await waitFor(i, 'TransferRequested', (id) => id === callId);
      await i.hub.invoke('EstablishCall', newCallId, sdp({ role: 'offer', user: 'ivan' }));
      await waitFor(k, 'IncomingCall', (s) => s.callId === newCallId);
      await answer(i, k, newCallId);
      await waitForState(j, callId, 'Ended', 'Transferred');
      await waitForState(i, callId, 'Ended', 'Transferred');
      await k.hub.invoke('EndCall', newCallId);
      await waitForState(i, newCallId, 'Ended');
    });

    if (topology.cluster) {
      test('the data spreads over the three primaries', async () => {
        const perPrimary = await redis.keysPerPrimary();
        assert.equal(Object.keys(perPrimary).length, 3);
        for (const [port, keys] of Object.entries(perPrimary)) assert.ok(keys > 0, `primary ${port} holds no key: ${JSON.stringify(perPrimary)}`);
      });
    }
  });
}
