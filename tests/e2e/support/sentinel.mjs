// Redis with Sentinel on loopback, for the failover tests: a primary, a replica and three sentinels, real
// redis-server processes (`redis-server <conf> --sentinel` is redis-sentinel). Every wait is bounded.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REDIS_SERVER, outputDir, freePort, pollUntil, startProcess, signalGroup } from './cluster.mjs';

const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI ?? path.join(path.dirname(REDIS_SERVER), 'redis-cli');

export const SERVICE = 'callserver';

/** `redis-cli -p port …args`: its output, trimmed; '' when it cannot reach the port (within 2 s). */
export async function redisCli(port, ...args) {
  try {
    const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 2_000 });
    return stdout.trim();
  } catch {
    return '';
  }
}

export class RedisSentinelSet {
  constructor({ label = 'sentinel', downAfterMs = 1_000, failoverTimeoutMs = 10_000 } = {}) {
    this.label = label;
    this.downAfterMs = downAfterMs;
    this.failoverTimeoutMs = failoverTimeoutMs;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callserver-sentinel-'));
    this.servers = new Map(); // port → process (primary and replica)
    this.sentinels = []; // { port, proc }
  }

  /** The connection string of StackExchange.Redis: the sentinels and the service name. */
  get configuration() {
    return `${this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')},serviceName=${SERVICE},connectTimeout=1000,syncTimeout=1000`;
  }

  async start() {
    const [primary, replica] = [await freePort(), await freePort()];
    await this.#startServer(primary, []);
    await this.#startServer(replica, ['--replicaof', '127.0.0.1', String(primary)]);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(this.dir, `sentinel-${port}.conf`);
      fs.writeFileSync(conf, [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${SERVICE} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${SERVICE} ${this.downAfterMs}`,
        `sentinel failover-timeout ${SERVICE} ${this.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${SERVICE} 1`,
        '',
      ].join('\n'));
      const proc = startProcess(REDIS_SERVER, [conf, '--sentinel'], { cwd: this.dir, env: process.env, logFile: path.join(outputDir, `${this.label}-sentinel-${i + 1}.log`) });
      this.sentinels.push({ port, proc });
    }
    // Ready when the replica is in sync and every sentinel knows the primary, the replica and the other sentinels.
    await pollUntil('the replica in sync', async () => (await redisCli(replica, 'INFO', 'replication')).includes('master_link_status:up'), { deadlineMs: 15_000, intervalMs: 100 });
    for (const { port } of this.sentinels) {
      await pollUntil(`sentinel ${port} sees the replica and the other sentinels`, async () => {
        const master = await redisCli(port, 'SENTINEL', 'master', SERVICE);
        return /num-slaves\s+1/.test(master) && /num-other-sentinels\s+2/.test(master);
      }, { deadlineMs: 20_000, intervalMs: 200 });
    }
    return this;
  }

  /** The port of the primary as the sentinels name it now. */
  async primaryPort() {
    for (const { port } of this.sentinels) {
      const answer = await redisCli(port, 'SENTINEL', 'get-master-addr-by-name', SERVICE);
      const lines = answer.split('\n');
      if (lines.length === 2) return Number(lines[1]);
    }
    return null;
  }

  /** SIGKILLs the primary; resolves with the time it was sent and the port that was the primary. */
  async killPrimary() {
    const port = await this.primaryPort();
    const proc = this.servers.get(port);
    const killedAt = performance.now();
    signalGroup(proc.child, 'SIGKILL');
    await proc.exited;
    this.servers.delete(port);
    return { killedAt, port };
  }

  /** Waits until the sentinels name another primary than `oldPort` and it answers as a primary; its port. */
  async waitFailover(oldPort, deadlineMs = 30_000) {
    return pollUntil('the sentinels promote the replica', async () => {
      const port = await this.primaryPort();
      if (port === null || port === oldPort) return false;
      return (await redisCli(port, 'ROLE')).startsWith('master') ? port : false;
    }, { deadlineMs, intervalMs: 100 });
  }

  async stop() {
    const all = [...this.servers.values(), ...this.sentinels.map((s) => s.proc)];
    for (const proc of all) signalGroup(proc.child, 'SIGKILL');
    await Promise.allSettled(all.map((proc) => proc.exited));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  logs() {
    return [...this.servers.entries()].map(([port, proc]) => `----- redis ${port} -----\n${proc.tail.join('').split('\n').slice(-15).join('\n')}`)
      .concat(this.sentinels.map((s) => `----- sentinel ${s.port} -----\n${s.proc.tail.join('').split('\n').slice(-15).join('\n')}`)).join('\n');
  }

  async #startServer(port, extra) {
    const dir = path.join(this.dir, `redis-${port}`);
    fs.mkdirSync(dir);
    const proc = startProcess(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
      { cwd: dir, env: process.env, logFile: path.join(outputDir, `${this.label}-redis-${port}.log`) });
    this.servers.set(port, proc);
    await pollUntil(`redis-server on ${port}`, async () => (await redisCli(port, 'PING')) === 'PONG', { deadlineMs: 10_000, intervalMs: 50 });
  }
}
