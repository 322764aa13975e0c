// Redis Sentinel (issue 19): two nodes whose Redis:Configuration names three sentinels and the service, a
// primary and a replica, all real processes on loopback. The primary is SIGKILLed while calls are in progress
// (support/failover-scenario.mjs): every call either goes on, the same for both parties, or both are told it
// ended; no node stays unready; new calls work. METRIC lines: how long the failover took as the nodes saw it.

import { describe, it, before, after } from 'node:test';
import { Cluster, waitReady, closeAll, metrics, clientLog } from './support/cluster.mjs';
import { RedisSentinelSet } from './support/sentinel.mjs';
import { primaryKilledMidCall } from './support/failover-scenario.mjs';

const cluster = new Cluster({ label: 'sentinel' });
let redis;
let A, B;
let failed = false;

describe('Redis Sentinel: the primary is SIGKILLed mid-call', { timeout: 150_000 }, () => {
  before(async () => {
    redis = await new RedisSentinelSet({ label: 'sentinel' }).start();
    cluster.redisConfiguration = redis.configuration;
    // As the compose variant does: a call's end waits for the replica (WAIT), so the failover cannot bring it back.
    const waitForReplica = { Redis__ReplicasToAcknowledgeEnd: '1', Redis__ReplicaWaitTimeout: '00:00:00.200' };
    [A, B] = await Promise.all(['A', 'B'].map((name) => cluster.startNode(name, waitForReplica)));
    await Promise.all([A, B].map((node) => waitReady(node)));
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n${redis?.logs() ?? ''}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
    await redis?.stop();
    if (metrics.length) console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
  });

  it('calls in progress go on or end for both parties; both nodes are ready again; new calls work', async () => {
    try {
      await primaryKilledMidCall({
        cluster, A, B, label: 'sentinel',
        failover: {
          promotedMeaning: '(SIGKILL of the primary → the sentinels name the replica; down-after-milliseconds 1000)',
          kill: async () => {
            const { killedAt, port } = await redis.killPrimary();
            return { killedAt, promoted: redis.waitFailover(port) };
          },
        },
      });
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});
