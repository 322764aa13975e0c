// A Redis Cluster on loopback, for the topology and failover tests: three primaries (and, unless told otherwise,
// one replica each), real redis-server processes joined by `redis-cli --cluster create`. Every wait is bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDIS_SERVER, outputDir, freePort, pollUntil, startProcess, signalGroup } from './cluster.mjs';
import { redisCli } from './sentinel.mjs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI ?? path.join(path.dirname(REDIS_SERVER), 'redis-cli');

export class RedisClusterSet {
  constructor({ label = 'redis-cluster', primaries = 3, replicas = 1, nodeTimeoutMs = 1_000 } = {}) {
    this.label = label;
    this.primaries = primaries;
    this.replicas = replicas;
    this.nodeTimeoutMs = nodeTimeoutMs;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callserver-redis-cluster-'));
    this.servers = new Map(); // port → process
  }

  /** The connection string of StackExchange.Redis: every node (it discovers the slots itself). */
  get configuration() {
    return `${[...this.servers.keys()].map((port) => `127.0.0.1:${port}`).join(',')},connectTimeout=1000,syncTimeout=1000`;
  }

  async start() {
    const ports = [];
    for (let i = 0; i < this.primaries * (1 + this.replicas); i++) ports.push(await freePort());
    await Promise.all(ports.map((port) => this.#startServer(port)));
    await run(REDIS_CLI, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(this.replicas), '--cluster-yes'], { timeout: 30_000 });
    for (const port of ports) {
      await pollUntil(`cluster node ${port} sees the cluster ok`, async () => (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), { deadlineMs: 30_000, intervalMs: 100 });
    }
    if (this.replicas > 0) {
      for (const port of ports) {
        await pollUntil(`cluster node ${port} in sync`, async () => {
          const replication = await redisCli(port, 'INFO', 'replication');
          return replication.includes('role:master') || replication.includes('master_link_status:up');
        }, { deadlineMs: 30_000, intervalMs: 100 });
      }
    }
    return this;
  }

  /** The ports of the primaries now, each with its slot ranges (from CLUSTER SHARDS-like CLUSTER NODES). */
  async primaryPorts() {
    for (const port of this.servers.keys()) {
      const nodes = await redisCli(port, 'CLUSTER', 'NODES');
      if (!nodes) continue;
      return nodes.split('\n').filter((line) => line.includes('master') && !line.includes('fail') && /\d+-\d+/.test(line))
        .map((line) => Number(line.split(' ')[1].split('@')[0].split(':')[1]));
    }
    return [];
  }

  /** The port of the primary that holds `slot` now. */
  async primaryOfSlot(slot) {
    for (const port of this.servers.keys()) {
      const nodes = await redisCli(port, 'CLUSTER', 'NODES');
      if (!nodes) continue;
      for (const line of nodes.split('\n')) {
        if (!line.includes('master') || line.includes('fail')) continue;
        const fields = line.split(' ');
        for (const range of fields.slice(8)) {
          const [from, to = from] = range.split('-').map(Number);
          if (slot >= from && slot <= to) return Number(fields[1].split('@')[0].split(':')[1]);
        }
      }
    }
    return null;
  }

  /** SIGKILLs the primary on `port`; resolves with the time it was sent. */
  async kill(port) {
    const proc = this.servers.get(port);
    const killedAt = performance.now();
    signalGroup(proc.child, 'SIGKILL');
    await proc.exited;
    this.servers.delete(port);
    return { killedAt, port };
  }

  /** Waits until `slot` is served by a primary other than `oldPort` and every live node says the cluster is ok; that port. */
  async waitFailover(slot, oldPort, deadlineMs = 30_000) {
    return pollUntil('a replica takes over the killed primary\'s slots', async () => {
      const port = await this.primaryOfSlot(slot);
      if (port === null || port === oldPort) return false;
      for (const live of this.servers.keys()) {
        if (!(await redisCli(live, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
      }
      return port;
    }, { deadlineMs, intervalMs: 100 });
  }

  /** How many keys each primary holds (the spread of the data over the cluster). */
  async keysPerPrimary() {
    const counts = {};
    for (const port of await this.primaryPorts()) counts[port] = Number(await redisCli(port, 'DBSIZE'));
    return counts;
  }

  async stop() {
    const all = [...this.servers.values()];
    for (const proc of all) signalGroup(proc.child, 'SIGKILL');
    await Promise.allSettled(all.map((proc) => proc.exited));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  logs() {
    return [...this.servers.entries()].map(([port, proc]) => `----- redis cluster node ${port} -----\n${proc.tail.join('').split('\n').slice(-15).join('\n')}`).join('\n');
  }

  async #startServer(port) {
    const dir = path.join(this.dir, `node-${port}`);
    fs.mkdirSync(dir);
    const proc = startProcess(REDIS_SERVER, [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(this.nodeTimeoutMs),
    ], { cwd: dir, env: process.env, logFile: path.join(outputDir, `${this.label}-${port}.log`) });
    this.servers.set(port, proc);
    await pollUntil(`redis-server on ${port}`, async () => (await redisCli(port, 'PING')) === 'PONG', { deadlineMs: 10_000, intervalMs: 50 });
  }
}

// ----- the server's key layout (src/CallServer/Adapters/Redis/RedisShards.cs), to find where a call's keys are -----

const SHARDS = 16;
const SLOTS = 16384;

/** The Redis Cluster slot of a string: CRC16 (XMODEM) of its UTF-8 bytes, modulo 16384. */
export function slotOf(text) {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOTS;
}

const shardTagSlots = Array.from({ length: SHARDS }, (_, shard) => {
  for (let candidate = 0; ; candidate++) {
    const slot = slotOf(`cs${shard}.${candidate}`);
    if (Math.floor(slot / (SLOTS / SHARDS)) === shard) return slot;
  }
});

/** The slot of every key of a call (its hash, timers and outbox messages): its shard's tag. */
export function slotOfCall(callId) {
  return shardTagSlots[slotOf(callId) % SHARDS];
}
