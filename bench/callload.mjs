// CallServer load tool: runs whole calls (create, establish, ring, accept, hold, answer, end) over the
// official SignalR client against real server processes on loopback, and reports medians side by side
// for three topologies measured in one run: one node in memory, one node on Redis, two nodes on Redis
// (caller and callee on different nodes). Every loop is bounded: a fixed number of calls, each wait has
// a timeout, and the whole run has a deadline.
//   node callload.mjs [--calls 300] [--concurrency 10] [--out results.json]
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as signalR from "@microsoft/signalr";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ""), all[i + 1]]] : pairs), []));
const totalCalls = Number(args.calls ?? 300);
const concurrency = Number(args.concurrency ?? 10);
const dll = process.env.CALLSERVER_DLL ?? join(root, "src/CallServer/bin/Release/net10.0/CallServer.dll");
const deadline = Date.now() + 10 * 60 * 1000;
const signingKey = "bench-signing-key-0123456789abcdef0123456789";
const adminKey = "bench-admin-key";
const processes = [];

const sdp = (audio, video) => [
  "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0" + (video ? " 1" : ""),
  "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", `a=${audio}`, "a=rtpmap:111 opus/48000/2",
  ...(video ? ["m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=mid:1", `a=${video}`, "a=rtpmap:96 VP8/90000"] : []),
  "",
].join("\r\n");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on("error", reject);
  });
}

async function waitUntil(check, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  processes.push(child);
  await waitUntil(() => new Promise((resolve) => {
    const socket = createServer().listen(); socket.close();
    import("node:net").then(({ connect }) => { const c = connect(port, "127.0.0.1", () => { c.end(); resolve(true); }); c.on("error", () => resolve(false)); });
  }), "redis");
  return `127.0.0.1:${port}`;
}

async function startNode(redis) {
  const port = await freePort();
  const env = {
    ...process.env, ASPNETCORE_ENVIRONMENT: "Production", Jwt__SigningKey: signingKey, Admin__ApiKey: adminKey,
    DemoUsers__Enabled: "false", Swagger__Enabled: "false", Limits__HubInvocationsPerSecond: "100000", Limits__HubInvocationBurst: "100000", Limits__UserInvocationsPerSecond: "100000", Limits__UserInvocationBurst: "100000",
    Limits__LoginAttemptsPerMinute: "100000", Serilog__MinimumLevel__Default: "Warning", Serilog__MinimumLevel__Override__CallServer: "Warning",
    ...(redis ? { Redis__Configuration: redis } : {}),
  };
  const child = spawn("dotnet", [dll, "--urls", `http://127.0.0.1:${port}`], { env, stdio: ["ignore", "ignore", "inherit"] });
  processes.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, `node on ${port}`);
  return base;
}

async function provision(base, username) {
  const headers = { "content-type": "application/json", "x-admin-key": adminKey };
  await fetch(`${base}/api/v1/users`, { method: "POST", headers, body: JSON.stringify({ username, password: "bench-password" }) });
  const response = await fetch(`${base}/api/v1/auth/token`, { method: "POST", headers, body: JSON.stringify({ username, password: "bench-password" }) });
  return (await response.json()).accessToken;
}

async function connect(base, token) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${base}/hubs/calls`, { accessTokenFactory: () => token, skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None).build();
  const waiters = [];
  for (const name of ["IncomingCall", "CallStatusChanged", "RenegotiationRequested", "CallOperationCompleted", "RemoteDescription"]) {
    connection.on(name, (...eventArgs) => {
      const at = performance.now();
      for (const waiter of [...waiters]) {
        if (waiter.name === name && waiter.match(...eventArgs)) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve({ at, args: eventArgs }); }
      }
    });
  }
  connection.waitFor = (name, match, timeoutMs = 10000) => new Promise((resolve, reject) => {
    const waiter = { name, match, resolve };
    waiters.push(waiter);
    setTimeout(() => { if (waiters.includes(waiter)) { waiters.splice(waiters.indexOf(waiter), 1); reject(new Error(`no ${name} within ${timeoutMs} ms`)); } }, timeoutMs);
  });
  await connection.start();
  return connection;
}

const timed = async (samples, name, action) => { const start = performance.now(); const result = await action(); (samples[name] ??= []).push(performance.now() - start); return result; };

async function oneCall(caller, callee, calleeAddress, samples) {
  const incoming = callee.waitFor("IncomingCall", () => true);
  const call = await timed(samples, "CreateOutgoingCall", () => caller.invoke("CreateOutgoingCall", calleeAddress));
  const id = call.callId;
  const establishedAt = performance.now();
  const inCall = caller.waitFor("CallStatusChanged", (s) => s.callId === id && s.state === "InCall");
  await timed(samples, "EstablishCall", () => caller.invoke("EstablishCall", id, sdp("sendrecv")));
  const ring = await incoming;
  (samples["establish → IncomingCall"] ??= []).push(ring.at - establishedAt);
  await timed(samples, "AcceptCall", () => callee.invoke("AcceptCall", id, sdp("sendrecv")));
  (samples["establish → caller InCall (setup)"] ??= []).push((await inCall).at - establishedAt);
  const renegotiation = callee.waitFor("RenegotiationRequested", (callId) => callId === id);
  const holdStart = performance.now();
  const operationId = await timed(samples, "HoldCall", () => caller.invoke("HoldCall", id, sdp("sendonly")));
  await renegotiation;
  const completed = caller.waitFor("CallOperationCompleted", (callId, opId) => opId === operationId);
  await timed(samples, "AnswerRenegotiation", () => callee.invoke("AnswerRenegotiation", id, operationId, sdp("recvonly")));
  (samples["hold round trip"] ??= []).push((await completed).at - holdStart);
  const ended = callee.waitFor("CallStatusChanged", (s) => s.callId === id && s.state === "Ended");
  await timed(samples, "EndCall", () => caller.invoke("EndCall", id));
  await ended;
}

async function runTopology(name, callerBase, calleeBase) {
  const pairs = [];
  for (let i = 0; i < concurrency; i++) {
    const suffix = `${name.replace(/\W+/g, "")}${i}${Math.random().toString(16).slice(2, 8)}`;
    const callerToken = await provision(callerBase, `caller-${suffix}`);
    const calleeToken = await provision(calleeBase, `callee-${suffix}`);
    pairs.push({ caller: await connect(callerBase, callerToken), callee: await connect(calleeBase, calleeToken), address: `callee-${suffix}` });
  }
  // Warm-up: JIT and connections, not measured.
  await Promise.all(pairs.map((p) => oneCall(p.caller, p.callee, p.address, {})));
  const samples = {};
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(pairs.map(async (pair) => {
    while (next < totalCalls && Date.now() < deadline) {
      next++;
      try { await oneCall(pair.caller, pair.callee, pair.address, samples); } catch { failures++; }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(pairs.flatMap((p) => [p.caller.stop(), p.callee.stop()]));
  return { name, calls: totalCalls, failures, callsPerSecond: totalCalls / seconds, samples };
}

const median = (values) => { const sorted = [...values].sort((a, b) => a - b); return sorted[Math.floor(sorted.length / 2)]; };
const p95 = (values) => { const sorted = [...values].sort((a, b) => a - b); return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]; };

try {
  if (!existsSync(dll)) throw new Error(`build first: dotnet build src/CallServer -c Release (missing ${dll})`);
  const memory = await startNode(null);
  const redis = await startRedis();
  const redisA = await startNode(redis);
  const redisB = await startNode(redis);
  const results = [];
  results.push(await runTopology("one node, in memory", memory, memory));
  results.push(await runTopology("one node, Redis", redisA, redisA));
  results.push(await runTopology("two nodes, Redis, cross-node", redisA, redisB));
  const metrics = Object.keys(results[0].samples);
  const lines = [];
  lines.push(`calls per topology: ${totalCalls}, concurrent call pairs: ${concurrency}, medians (p95) in ms`);
  lines.push("");
  lines.push(`| measure | ${results.map((r) => r.name).join(" | ")} | Redis / memory | cross-node / memory |`);
  lines.push(`|---|${results.map(() => "---").join("|")}|---|---|`);
  for (const metric of metrics) {
    const values = results.map((r) => median(r.samples[metric]));
    lines.push(`| ${metric} | ${results.map((r) => `${median(r.samples[metric]).toFixed(2)} (${p95(r.samples[metric]).toFixed(2)})`).join(" | ")} | ${(values[1] / values[0]).toFixed(2)} | ${(values[2] / values[0]).toFixed(2)} |`);
  }
  lines.push(`| whole calls per second | ${results.map((r) => r.callsPerSecond.toFixed(1)).join(" | ")} | ${(results[1].callsPerSecond / results[0].callsPerSecond).toFixed(2)} | ${(results[2].callsPerSecond / results[0].callsPerSecond).toFixed(2)} |`);
  lines.push(`| failed calls | ${results.map((r) => r.failures).join(" | ")} | | |`);
  console.log(lines.join("\n"));
  if (args.out) writeFileSync(args.out, JSON.stringify({ when: new Date().toISOString(), totalCalls, concurrency, results }, null, 2));
} finally {
  for (const child of processes) child.kill("SIGTERM");
}
