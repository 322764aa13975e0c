// A CallServer cluster on loopback for the multi-node end-to-end tests: one real `redis-server`
// process and N CallServer node processes sharing it, plus the client helpers the tests need
// (REST, hub connections with per-event queues, SDP).
//
// Every process is started in its own process group and stopped by that group's id; `stopAll()`
// (called from the tests' `after` hooks) and a process 'exit' handler make sure none is left behind.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openConnection } from './hub.mjs';
import { pollUntil } from './poll.mjs';
import { freePort } from './server.mjs';
import { provisionUser as provisionRestUser, requestJson } from './http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const e2eDir = path.resolve(here, '..');
export const repo = path.resolve(e2eDir, '..', '..');
export const outputDir = path.join(e2eDir, 'output');

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** The short timers every node runs with (seconds), so that the tests can watch them fire. */
export const TIMERS = {
  ringTimeoutMs: 4_000,
  reconnectGraceMs: 4_000,
  operationTimeoutMs: 5_000,
  heartbeatIntervalMs: 250,
  nodeTimeoutMs: 3_000,
  timerClaimLeaseMs: 2_000,
  timerPollIntervalMs: 50,
  redisOperationTimeoutMs: 1_000,
};

function timeSpan(ms) {
  const totalSeconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  const hh = String(Math.floor(totalSeconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, '0');
  const ss = String(totalSeconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(millis).padStart(3, '0')}`;
}

export { freePort } from './server.mjs';

function dllPath() {
  return process.env.CALLSERVER_DLL
    ? path.resolve(process.env.CALLSERVER_DLL)
    : path.join(repo, 'src', 'CallServer', 'bin', 'Debug', 'net10.0', 'CallServer.dll');
}

export { pollUntil } from './poll.mjs';

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

const everyChild = new Set();

export function isRunning(child) {
  return child && child.exitCode === null && child.signalCode === null;
}

export function signalGroup(child, signal) {
  if (!isRunning(child)) return;
  try {
    process.kill(-child.pid, signal); // the process group this module started
  } catch {
    try { child.kill(signal); } catch { /* gone already */ }
  }
}

// Never leave a process behind, even when the runner is interrupted.
process.on('exit', () => {
  for (const child of everyChild) signalGroup(child, 'SIGKILL');
});

export function startProcess(command, args, { cwd, env, logFile }) {
  fs.mkdirSync(outputDir, { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: 'w' });
  log.write(`$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  everyChild.add(child);
  const tail = [];
  const keep = (chunk) => {
    const text = chunk.toString();
    log.write(text);
    tail.push(text);
    if (tail.length > 400) tail.splice(0, tail.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    everyChild.delete(child);
    log.write(`\n[process exited: ${code ?? signal}]\n`);
    log.end();
    resolve(code ?? signal);
  }));
  return { child, exited, tail };
}

export class Cluster {
  constructor({ label = 'cluster' } = {}) {
    this.label = label;
    this.signingKey = randomBytes(48).toString('base64');
    this.adminKey = `admin-${randomBytes(12).toString('hex')}`;
    this.nodes = [];
    this.redis = null;
    this.redisPort = null;
    this.redisDir = null;
    this.redisStarts = 0;
    this.redisConfiguration = null; // set for another deployment of Redis (Sentinel: support/sentinel.mjs)
  }

  // ----- Redis -----

  async startRedis() {
    if (this.redisPort === null) {
      this.redisPort = await freePort();
      this.redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callserver-redis-'));
    }
    this.redisStarts++;
    const proc = startProcess(REDIS_SERVER, [
      '--port', String(this.redisPort),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', this.redisDir,
    ], { cwd: this.redisDir, env: process.env, logFile: path.join(outputDir, `${this.label}-redis-${this.redisStarts}.log`) });
    this.redis = proc;
    let exit;
    proc.exited.then((code) => { exit = code; });
    await pollUntil(`redis-server on 127.0.0.1:${this.redisPort}`, async () => {
      if (exit !== undefined) throw new Error(`redis-server exited (${exit}): ${proc.tail.join('')}`);
      return redisPing(this.redisPort);
    }, { deadlineMs: 10_000, intervalMs: 50 });
  }

  /** Stops Redis (SIGTERM by default) and waits for the process to exit. */
  async stopRedis(signal = 'SIGTERM') {
    const proc = this.redis;
    if (!proc) return;
    signalGroup(proc.child, signal);
    const force = setTimeout(() => signalGroup(proc.child, 'SIGKILL'), 5_000);
    await proc.exited;
    clearTimeout(force);
    this.redis = null;
  }

  /** Stalls Redis (SIGSTOP): its connections stay open and nothing answers, as on a bad day. */
  pauseRedis() {
    signalGroup(this.redis.child, 'SIGSTOP');
  }

  /** Lets a stalled Redis go on (SIGCONT). */
  resumeRedis() {
    signalGroup(this.redis.child, 'SIGCONT');
  }

  /** Stops Redis and starts it again on the same port; with no persistence its data is gone. */
  async restartRedis() {
    await this.stopRedis('SIGTERM');
    await this.startRedis();
  }

  // ----- nodes -----

  nodeEnv(extra = {}) {
    const env = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: 'Testing',
      DOTNET_ENVIRONMENT: 'Testing',
      DOTNET_NOLOGO: '1',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      Redis__Configuration: this.redisConfiguration ?? `127.0.0.1:${this.redisPort},connectTimeout=1000,syncTimeout=1000`,
      Redis__NodeHeartbeatInterval: timeSpan(TIMERS.heartbeatIntervalMs),
      Redis__NodeTimeout: timeSpan(TIMERS.nodeTimeoutMs),
      Redis__TimerClaimLease: timeSpan(TIMERS.timerClaimLeaseMs),
      Redis__OperationTimeout: timeSpan(TIMERS.redisOperationTimeoutMs),
      Jwt__SigningKey: this.signingKey,
      Admin__ApiKey: this.adminKey,
      DemoUsers__Enabled: 'false',
      Calls__RingTimeout: timeSpan(TIMERS.ringTimeoutMs),
      Calls__ReconnectGrace: timeSpan(TIMERS.reconnectGraceMs),
      Calls__OperationTimeout: timeSpan(TIMERS.operationTimeoutMs),
      Calls__TimerPollInterval: timeSpan(TIMERS.timerPollIntervalMs),
      // Every request of the tests comes from 127.0.0.1: lift the per-address and per-connection
      // limits so that provisioning many users and timing 50 round trips is not rate-limited.
      Limits__LoginAttemptsPerMinute: '100000',
      Limits__HubInvocationsPerSecond: '10000',
      Limits__HubInvocationBurst: '10000',
      Limits__UserInvocationsPerSecond: '10000',
      Limits__UserInvocationBurst: '10000',
      Logs__Format: 'text',
      ...extra,
    };
    delete env.ASPNETCORE_URLS;
    delete env.URLS;
    return env;
  }

  /** Starts a node process (does not wait for it to be ready; see waitReady). */
  async startNode(name, extraEnv = {}) {
    const dll = dllPath();
    if (!fs.existsSync(dll)) {
      throw new Error(`${dll} does not exist: build the server first (dotnet build src/CallServer) or set CALLSERVER_DLL`);
    }
    const port = await freePort();
    const cwd = process.env.CALLSERVER_DLL ? path.dirname(dll) : path.join(repo, 'src', 'CallServer');
    const proc = startProcess('dotnet', [dll, '--urls', `http://127.0.0.1:${port}`], {
      cwd,
      env: this.nodeEnv(extraEnv),
      logFile: path.join(outputDir, `${this.label}-node-${name}.log`),
    });
    const node = { name, port, url: `http://127.0.0.1:${port}`, ...proc, exitCode: undefined };
    proc.exited.then((code) => { node.exitCode = code; });
    this.nodes.push(node);
    return node;
  }

  /** Starts nodes and waits until each answers 200 on /readyz. */
  async startNodes(...names) {
    const nodes = await Promise.all(names.map((name) => this.startNode(name)));
    await Promise.all(nodes.map((node) => waitReady(node)));
    return nodes;
  }

  /** Sends `signal` to a node's process group and waits for it to exit. Resolves with the time the signal was sent. */
  async kill(node, signal = 'SIGKILL') {
    const sentAt = performance.now();
    signalGroup(node.child, signal);
    const force = setTimeout(() => signalGroup(node.child, 'SIGKILL'), 15_000);
    await node.exited;
    clearTimeout(force);
    return sentAt;
  }

  /** Stops every node (SIGTERM, then SIGKILL after a few seconds) and Redis. */
  async stopAll() {
    await Promise.allSettled(this.nodes.map(async (node) => {
      if (!isRunning(node.child)) return;
      signalGroup(node.child, 'SIGTERM');
      const force = setTimeout(() => signalGroup(node.child, 'SIGKILL'), 4_000);
      await node.exited;
      clearTimeout(force);
    }));
    await this.stopRedis('SIGKILL').catch(() => {});
    if (this.redisDir) fs.rmSync(this.redisDir, { recursive: true, force: true });
  }

  running() {
    return this.nodes.filter((node) => isRunning(node.child));
  }

  /** The last lines of every node's output (for failure reports). */
  logs() {
    return this.nodes.map((n) => `----- node ${n.name} (${n.url}, exit ${n.exitCode ?? 'running'}) -----\n${n.tail.join('').split('\n').slice(-60).join('\n')}`).join('\n')
      + (this.redis ? `\n----- redis -----\n${this.redis.tail.join('').split('\n').slice(-20).join('\n')}` : '');
  }

  /** Lines of a node's output matching `pattern` (what the node logged so far, last ~400 chunks). */
  grep(node, pattern) {
    return node.tail.join('').split('\n').filter((line) => pattern.test(line));
  }
}

/** PING over a raw socket: true when Redis answers +PONG. */
function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (value) => { socket.destroy(); resolve(value); };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

/** GET /readyz: the status code, or 0 when the node does not answer. */
export async function readyz(node) {
  try {
    const response = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls /readyz until it answers `status` (200 by default) within `deadlineMs`. */
export async function waitReady(node, { deadlineMs = 30_000, status = 200 } = {}) {
  await pollUntil(`node ${node.name} /readyz == ${status}`, async () => {
    if (node.exitCode !== undefined) {
      throw new Error(`node ${node.name} exited (${node.exitCode}):\n${node.tail.join('').slice(-3000)}`);
    }
    return (await readyz(node)) === status;
  }, { deadlineMs, intervalMs: 100 });
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

/** A node's /metrics (Prometheus text). */
export async function scrape(node) {
  const response = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return response.text();
}

export function api(node, method, route, options) {
  return requestJson(node.url, method, route, options);
}

/** Provisions a user through `adminNode`'s admin API and gets its token from `tokenNode`. */
export function provisionUser(cluster, adminNode, tokenNode, name, { username } = {}) {
  return provisionRestUser({ adminUrl: adminNode.url, tokenUrl: tokenNode.url, adminKey: cluster.adminKey, name, username });
}

// ---------------------------------------------------------------------------------------------
// Hub connections (support/hub.mjs), opened on a node
// ---------------------------------------------------------------------------------------------

export * from './hub.mjs';

/** Opens a hub connection of `user` to `node`. */
export function connect(node, label, user) {
  return openConnection(node.url, `${label}@${node.name}`, user, { node });
}

// ---------------------------------------------------------------------------------------------
// SDP: what a browser would write; the server only reads the media sections' shape and directions.
// ---------------------------------------------------------------------------------------------

export { sdp, candidate } from './sdp.mjs';

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const metrics = [];

/** Prints one METRIC line and keeps it for the summary. */
export function metric(name, value, unit = 'ms', extra = '') {
  const line = `METRIC ${name}=${typeof value === 'number' ? value.toFixed(1) : value}${unit}${extra ? ' ' + extra : ''}`;
  metrics.push(line);
  console.log(line);
}
