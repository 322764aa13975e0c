// Redis Cluster (issue 19): two nodes whose Redis:Configuration lists a cluster of three primaries with a replica
// each, all real processes on loopback. The primary holding the call in progress is SIGKILLed
// (support/failover-scenario.mjs): its replica takes its slots over; every call either goes on, the same for both
// parties, or both are told it ended; no node stays unready; new calls work. METRIC lines: the failover as the
// nodes saw it.

import { describe, it, before, after } from 'node:test';
import { Cluster, waitReady, closeAll, metrics, clientLog } from './support/cluster.mjs';
import { RedisClusterSet, slotOfCall } from './support/redis-cluster.mjs';
import { primaryKilledMidCall } from './support/failover-scenario.mjs';

const cluster = new Cluster({ label: 'redis-cluster-failover' });
let redis;
let A, B;
let failed = false;

describe('Redis Cluster: the primary of a call in progress is SIGKILLed', { timeout: 150_000 }, () => {
  before(async () => {
    redis = await new RedisClusterSet({ label: 'redis-cluster-failover' }).start();
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
        cluster, A, B, label: 'redis_cluster',
        failover: {
          promotedMeaning: '(SIGKILL of the primary holding the call → its replica serves its slots and the cluster is ok; cluster-node-timeout 1000)',
          kill: async ({ inCall }) => {
            const slot = slotOfCall(inCall);
            const primary = await redis.primaryOfSlot(slot);
            const { killedAt } = await redis.kill(primary);
            return { killedAt, promoted: redis.waitFailover(slot, primary) };
          },
        },
      });
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});
