// Shared pieces of the load tools: starting and stopping the processes under test (CallServer nodes,
// the bare relay, redis-server), users and tokens, SignalR connections that wait for events, and the
// CPU and memory of a process read from /proc. Loopback only; every wait has a timeout.
import { spawn, execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as tcpConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as signalR from "@microsoft/signalr";
import WebSocket from "ws";

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoDir = join(benchDir, "..");
export const signingKey = "bench-signing-key-0123456789abcdef0123456789";
export const adminKey = "bench-admin-key";
export const issuer = "callserver";
export const audience = "callserver";
export const domain = "callserver.local";
export const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

export const log = (...parts) => process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${parts.join(" ")}\n`);

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and killed when this process exits, fails or is interrupted.

const children = new Set();
let cleanupInstalled = false;

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", () => { for (const child of children) { try { child.kill("SIGKILL"); } catch { /* gone */ } } });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => { log(`${signal}: stopping what was started`); process.exit(130); });
  }
}

/** Starts `command args` through bash with the open-files limit raised to the hard limit (exec keeps the pid). */
export function spawnTracked(command, args, options = {}) {
  installCleanup();
  const child = spawn("bash", ["-c", 'ulimit -Sn "$(ulimit -Hn)" && exec "$@"', "bash", command, ...args], {
    stdio: ["ignore", "ignore", "pipe"], ...options,
  });
  children.add(child);
  child.exitedPromise = new Promise((resolve) => child.on("exit", (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  const errTail = [];
  child.stderr?.on("data", (chunk) => { errTail.push(chunk.toString()); if (errTail.length > 20) errTail.shift(); });
  child.errTail = errTail;
  return child;
}

/** Stops a child started here: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child, graceMs = 5000) {
  if (!children.has(child)) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await child.exitedPromise;
  clearTimeout(timer);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (every 100 ms) until it is true, for at most `timeoutMs`; used only to wait for a process to be ready. */
export async function waitUntil(check, what, timeoutMs = 30000, child = null) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child && !children.has(child)) throw new Error(`${what}: the process exited: ${child.errTail.join("").slice(-2000)}`);
    if (await check().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const child = spawnTracked("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning"]);
  child.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  await waitUntil(() => new Promise((resolve) => {
    const socket = tcpConnect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
    socket.on("error", () => resolve(false));
  }), "redis-server", 15000, child);
  return { child, pid: child.pid, port, address: `127.0.0.1:${port}`, name: "redis-server" };
}

/** Redis `INFO commandstats` of the redis-server on `port`: { command: calls } (commands run by scripts count too). */
export function redisCommandStats(port) {
  const text = execFileSync("redis-cli", ["-p", String(port), "info", "commandstats"], { timeout: 5000, encoding: "utf8" });
  const calls = {};
  for (const line of text.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1]] = Number(match[2]);
  }
  return calls;
}

export const resetRedisStats = (port) => execFileSync("redis-cli", ["-p", String(port), "config", "resetstat"], { timeout: 5000, stdio: "ignore" });

/** A Redis Cluster of `primaries` cluster-enabled redis-servers (no replicas) joined by redis-cli; its processes for the CPU count. */
export async function startRedisCluster(primaries = 3) {
  const nodes = [];
  for (let i = 0; i < primaries; i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "bench-redis-cluster-"));
    const child = spawnTracked("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning",
      "--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf")]);
    child.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    await waitUntil(() => new Promise((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    }), "redis-server (cluster)", 15000, child);
    nodes.push({ child, pid: child.pid, port, name: `redis-cluster-${i + 1}` });
  }
  execFileSync("redis-cli", ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"], { timeout: 30000, stdio: "ignore" });
  for (const node of nodes) {
    await waitUntil(async () => execFileSync("redis-cli", ["-p", String(node.port), "cluster", "info"], { timeout: 2000, encoding: "utf8" }).includes("cluster_state:ok"), "cluster ok", 30000);
  }
  return { nodes, address: nodes.map((n) => `127.0.0.1:${n.port}`).join(",") };
}

export const callServerDll = () => process.env.CALLSERVER_DLL ?? join(repoDir, "src/CallServer/bin/Release/net10.0/CallServer.dll");
export const relayDll = () => process.env.RELAY_DLL ?? join(benchDir, "RelayHub/bin/Release/net10.0/RelayHub.dll");

/** Settings that take the limits out of the way of a load test, at warning-level logs. */
export function callServerEnv(redisAddress, extra = {}) {
  return {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: "Production", Jwt__SigningKey: signingKey, Jwt__Issuer: issuer, Jwt__Audience: audience, Admin__ApiKey: adminKey,
    DemoUsers__Enabled: "false", Swagger__Enabled: "false",
    Limits__HubInvocationsPerSecond: "1000000", Limits__HubInvocationBurst: "1000000", Limits__UserInvocationsPerSecond: "1000000", Limits__UserInvocationBurst: "1000000", Limits__LoginAttemptsPerMinute: "1000000",
    Calls__MaxCallsPerCaller: "1000",
    Serilog__MinimumLevel__Default: "Warning", Serilog__MinimumLevel__Override__CallServer: "Warning",
    Serilog__MinimumLevel__Override__Microsoft: "Warning", Serilog__MinimumLevel__Override__System: "Warning",
    "Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime": "Warning",
    ...(redisAddress ? { Redis__Configuration: redisAddress } : {}),
    ...extra,
  };
}

async function startDotnet(dll, env, name) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnTracked("dotnet", [dll, "--urls", base], { env, cwd: dirname(dll) });
  await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, `${name} on ${port}`, 60000, child);
  return { child, pid: child.pid, base, name };
}

/** Extra environment of every .NET server started here (load.mjs --trace sets DOTNET_PerfMapEnabled). */
export const serverEnvExtra = {};

export const startCallServer = (redisAddress, name = "callserver") => startDotnet(callServerDll(), callServerEnv(redisAddress, serverEnvExtra), name);

export const startRelay = () => startDotnet(relayDll(), {
  ...process.env, ASPNETCORE_ENVIRONMENT: "Production", Jwt__SigningKey: signingKey, Jwt__Issuer: issuer, Jwt__Audience: audience,
  Logging__LogLevel__Default: "Warning", ...serverEnvExtra,
}, "relay");

// ---------------------------------------------------------------------------------------------
// Users and tokens.

const base64url = (value) => Buffer.from(value).toString("base64url");

/** An HS256 JWT with the claims CallServer's TokenIssuer writes (sub, role, iss, aud, iat, nbf, exp). */
export function signToken(username, lifetimeSeconds = 3600) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: `${username}@${domain}`, role: "user", iss: issuer, aud: audience, iat: now, nbf: now, exp: now + lifetimeSeconds }));
  const signature = createHmac("sha256", signingKey).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** Creates the user through the admin API and returns a token from POST /api/v1/auth/token (the server's own). */
export async function provision(base, username) {
  const headers = { "content-type": "application/json", "x-admin-key": adminKey };
  const created = await fetch(`${base}/api/v1/users`, { method: "POST", headers, body: JSON.stringify({ username, password: "bench-password" }) });
  if (created.status !== 201) throw new Error(`POST /api/v1/users ${username}: ${created.status} ${await created.text()}`);
  const response = await fetch(`${base}/api/v1/auth/token`, { method: "POST", headers, body: JSON.stringify({ username, password: "bench-password" }) });
  if (!response.ok) throw new Error(`POST /api/v1/auth/token ${username}: ${response.status} ${await response.text()}`);
  return (await response.json()).accessToken;
}

/** Creates the user through the admin API only, and signs its token here (skips the second password hash). */
export async function createUser(base, username) {
  const headers = { "content-type": "application/json", "x-admin-key": adminKey };
  const created = await fetch(`${base}/api/v1/users`, { method: "POST", headers, body: JSON.stringify({ username, password: "bench-password" }) });
  if (created.status !== 201) throw new Error(`POST /api/v1/users ${username}: ${created.status} ${await created.text()}`);
}

export const uniqueSuffix = () => randomBytes(4).toString("hex");

// ---------------------------------------------------------------------------------------------
// Connections.

export const hubEvents = ["IncomingCall", "CallStatusChanged", "RemoteDescription", "RenegotiationRequested", "CallOperationCompleted", "MediaAttributesChanged", "IceCandidate", "ServerDraining"];

/** A WebSocket class for the SignalR client that binds its client end to `localAddress` (e.g. 127.0.3.7). */
export function webSocketFrom(localAddress) {
  return class BoundWebSocket extends WebSocket {
    constructor(url, protocols, options) { super(url, protocols, { ...options, localAddress }); }
  };
}

/**
 * Connects to /hubs/calls over WebSockets (no negotiation) and adds `expect(name, match, timeoutMs)`:
 * a promise of the first later event `name` whose arguments satisfy `match`, resolved with
 * { at: performance.now(), args }. Register before the action that causes the event.
 * `record` (an array) receives every event, for the flow check.
 */
export async function connectHub(base, token, { localAddress, record, invokeFirst = true } = {}) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${base}/hubs/calls`, {
      accessTokenFactory: () => token, skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets,
      ...(localAddress ? { WebSocket: webSocketFrom(localAddress) } : {}),
    })
    .configureLogging(signalR.LogLevel.None).build();
  const waiters = new Map();
  for (const name of hubEvents) {
    waiters.set(name, []);
    connection.on(name, (...args) => {
      const at = performance.now();
      if (record) record.push({ at, event: name, args });
      const list = waiters.get(name);
      for (let i = 0; i < list.length; i++) {
        const waiter = list[i];
        if (waiter.match(...args)) {
          list.splice(i, 1);
          clearTimeout(waiter.timer);
          waiter.resolve({ at, args });
          return;
        }
      }
    });
  }
  connection.expect = (name, match, timeoutMs = 10000) => {
    const promise = new Promise((resolve, reject) => {
      const list = waiters.get(name);
      const waiter = { match, resolve };
      waiter.timer = setTimeout(() => {
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        reject(new Error(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      list.push(waiter);
    });
    // A waiter may time out while its caller is still awaiting an earlier step: not an unhandled rejection.
    promise.catch(() => {});
    return promise;
  };
  await connection.start();
  // A device rings only after its first invocation has been handled (docs/protocol.md §1, Devices).
  if (invokeFirst) await connection.invoke("GetActiveCalls");
  return connection;
}

// ---------------------------------------------------------------------------------------------
// SDP as Chrome writes it (audio only), as in tests/e2e/support/sdp.mjs.

export function sdp(role, user) {
  const alice = user === "caller";
  const transport = [
    "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", `a=ice-ufrag:${alice ? "Xa9f" : "Bq3z"}`,
    `a=ice-pwd:${alice ? "x5Ghf9Tm2bLqYcP0vN7sWe1K" : "J8dPq2Lm5Zx0Rt7Yu4Wc9Vb3"}`, "a=ice-options:trickle",
    "a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08",
    `a=setup:${role === "offer" ? "actpass" : "active"}`,
  ];
  return [
    "v=0", `o=- ${alice ? "4611731400430051336" : "7391552071218364123"} 2 IN IP4 127.0.0.1`, "s=-", "t=0 0",
    "a=group:BUNDLE 0", "a=extmap-allow-mixed", `a=msid-semantic: WMS stream-${user}`,
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", ...transport, "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "a=sendrecv", `a=msid:stream-${user} audio-${user}`, "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc",
    "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111", "a=rtpmap:9 G722/8000",
    "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:13 CN/8000", "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000", `a=ssrc:${alice ? 1001 : 2001} cname:${user}-cname`, "",
  ].join("\r\n");
}

// ---------------------------------------------------------------------------------------------
// /proc readings.

/** utime + stime of a process (all its threads) in milliseconds. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

export const cpuOf = (pids) => Object.fromEntries(pids.map((pid) => [pid, cpuMs(pid)]));

/** VmRSS and VmHWM of a process in KiB. */
export function memoryKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1]);
  return { rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
}

export function loadAverage() {
  const [one, five, fifteen] = readFileSync("/proc/loadavg", "utf8").split(" ").map(Number);
  return { one, five, fifteen };
}

// ---------------------------------------------------------------------------------------------
// Statistics.

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
  };
}

/**
 * The types of a `dotnet-gcdump report` by approximate bytes (its "Object Bytes" per object × count), largest first.
 * Returns { heapBytes, objects, types: [{ type, count, bytes }] } with the first `top` types.
 */
export function summariseGcdump(text, top = 30) {
  const lines = text.split("\n");
  const number = (s) => Number(s.replace(/,/g, ""));
  const heapBytes = number(lines.find((l) => /GC Heap bytes/.test(l))?.trim().split(/\s+/)[0] ?? "0");
  const objects = number(lines.find((l) => /GC Heap objects/.test(l))?.trim().split(/\s+/)[0] ?? "0");
  const totals = new Map();
  for (const line of lines) {
    const match = line.match(/^\s*([\d,]+)\s+([\d,]+)\s+(.+?)\s*$/);
    if (!match) continue;
    const type = match[3].replace(/\s+\(Bytes > [\d,K]+\)/, "").replace(/\s+\[[^\]]+\]$/, "");
    const entry = totals.get(type) ?? { type, count: 0, bytes: 0 };
    entry.count += number(match[2]);
    entry.bytes += number(match[1]) * number(match[2]);
    totals.set(type, entry);
  }
  return { heapBytes, objects, types: [...totals.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top) };
}
