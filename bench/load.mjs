// CallServer load tool: the server against a bare SignalR relay, in one run, on loopback.
//
// Phases, in this order (each starts its own processes and stops them when it is done):
//   relay, memory, redis, two-nodes,  closed loop: `pairs` caller/callee pairs, each running whole calls back to
//                                     back (create → establish → callee's IncomingCall → accept → caller's InCall
//                                     → end → both see Ended) for `seconds` after a warm-up. Setups/s, setup
//                                     latency (EstablishCall sent → caller's InCall) p50/p90/p99, server CPU per
//                                     setup (utime+stime from /proc/<pid>/stat of every server process and
//                                     redis-server), and its ratio to the relay's.
//   cluster                           the same closed loop on one node over a Redis Cluster of three primaries
//                                     (redis-cli --cluster create, no replicas): CPU of the node and the three.
//   half-peak                         after each closed loop, on the same processes: an open loop starting calls
//                                     at half the measured setups/s (paced, bounded count) → p99 setup.
//   growth                            one caller, one callee, back to back, `growth-windows` windows of `seconds`,
//                                     in memory and on Redis (fresh processes, JIT warmed by another pair).
//   idle                              one node in memory; authenticated idle connections (started, one
//                                     GetActiveCalls each) held by worker processes from source addresses over
//                                     127.0.0.0/8; server RSS and GC heap at 0 and at each step → KB per connection.
//   idle-relay                        the same against the bare relay: what SignalR and Kestrel cost per connection.
//
//   node load.mjs [--only relay,memory,redis,two-nodes,cluster,growth,half-peak,idle,idle-relay] [--seconds 10] [--pairs 20]
//                 [--warmup 15] [--growth-windows 6] [--connections 19000] [--idle-steps 5000,19000]
//                 [--idle-users 200] [--idle-workers 4] [--no-build] [--deadline-minutes 15] [--out results.json]
//                 [--commandstats] (Redis commands per setup over each closed-loop window)
//                 [--trace DIR]   (perf record of every server process during each closed loop, .NET frames named
//                                  through DOTNET_PerfMapEnabled, and a report of the top functions; sampling costs
//                                  CPU, so such a run's figures are not the baseline)
//                 [--gcdump DIR]  (dotnet-gcdump of the idle server after each step is read, with the report of
//                                  its types; it forces a full collection, so the next step's reading is disturbed)
// Progress on stderr; the JSON results on stdout and in --out.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  benchDir, callServerDll, connectHub, cpuOf, createUser, delay, latencySummary, loadAverage, log, memoryKiB, relayDll, repoDir,
  redisCommandStats, resetRedisStats, sdp, serverEnvExtra, signToken, summariseGcdump, spawnTracked, startCallServer, startRedis, startRedisCluster, startRelay, stopChild, uniqueSuffix,
} from "./lib.mjs";

// ---------------------------------------------------------------------------------------------
// Options.

const argv = process.argv.slice(2);
const option = (name, fallback) => { const i = argv.indexOf(`--${name}`); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback; };
const flag = (name) => argv.includes(`--${name}`);
const allPhases = ["relay", "memory", "redis", "two-nodes", "cluster", "growth", "half-peak", "idle", "idle-relay"];
const only = option("only", allPhases.join(",")).split(",").map((s) => s.trim()).filter(Boolean);
for (const phase of only) if (!allPhases.includes(phase)) throw new Error(`unknown phase ${phase}; phases: ${allPhases.join(",")}`);
const settings = {
  phases: only,
  seconds: Number(option("seconds", 10)),
  pairs: Number(option("pairs", 20)),
  warmupSeconds: Number(option("warmup", 15)),
  halfPeakSeconds: Number(option("half-seconds", option("seconds", 10))),
  growthWindows: Number(option("growth-windows", 6)),
  growthSeconds: Number(option("growth-seconds", option("seconds", 10))),
  connections: Number(option("connections", 19000)),
  idleSteps: option("idle-steps", null),
  idleUsers: Number(option("idle-users", 200)),
  idleWorkers: Number(option("idle-workers", 4)),
  deadlineMinutes: Number(option("deadline-minutes", 15)),
  trace: option("trace", null),
  gcdump: option("gcdump", null),
  commandStats: flag("commandstats"),
  callTimeoutMs: 10000,
};
settings.idleSteps = (settings.idleSteps ?? `5000,${settings.connections}`).split(",").map(Number).filter((n) => n > 0 && n <= settings.connections);
if (!settings.idleSteps.includes(settings.connections)) settings.idleSteps.push(settings.connections);
settings.idleSteps = [...new Set(settings.idleSteps)].sort((a, b) => a - b);
const outPath = option("out", null);
const topologies = ["relay", "memory", "redis", "two-nodes", "cluster"].filter((t) => only.includes(t));
if (topologies.length === 0 && only.includes("half-peak")) topologies.push("relay", "memory", "redis", "two-nodes");
const runHalfPeak = only.includes("half-peak");

const startedAt = Date.now();
const deadline = startedAt + settings.deadlineMinutes * 60 * 1000;
const remainingMs = () => deadline - Date.now();

// ---------------------------------------------------------------------------------------------
// Results, written however the run ends.

const gitCommit = (() => { try { return execFileSync("git", ["-C", repoDir, "rev-parse", "HEAD"]).toString().trim(); } catch { return null; } })();
const gitDirty = (() => { try { return execFileSync("git", ["-C", repoDir, "status", "--porcelain", "--", "src"]).toString().trim().length > 0; } catch { return null; } })();
const results = {
  tool: "bench/load.mjs",
  startedAt: new Date(startedAt).toISOString(),
  traced: Boolean(settings.trace),
  commit: gitCommit, srcModified: gitDirty,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), openFilesHardLimit: Number(execFileSync("bash", ["-c", "ulimit -Hn"]).toString().trim()), loadAverageAtStart: loadAverage() },
  settings,
  phases: {},
  summary: null,
  errors: [],
};
let written = false;
function writeResults(reason) {
  if (written) return;
  written = true;
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
  results.machine.loadAverageAtEnd = loadAverage();
  if (reason) results.aborted = reason;
  results.summary = summarise();
  const text = JSON.stringify(results, null, 2);
  if (outPath) {
    mkdirSync(dirname(resolve(outPath)), { recursive: true });
    writeFileSync(resolve(outPath), text + "\n");
  }
  process.stdout.write(text + "\n");
}
process.on("exit", (code) => { if (!written) writeResults(`exited (code ${code}) before the end`); });

// ---------------------------------------------------------------------------------------------
// Machine-wide CPU (from /proc/stat), to see what else ran during a window (another worker shares the machine).

function machineTicks() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + line[4];
  const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** A measuring window: server CPU of `pids`, this tool's own CPU, and the whole machine's. */
function openWindow(pids) {
  return { at: performance.now(), servers: cpuOf(pids), client: process.cpuUsage(), machine: machineTicks(), pids };
}

function closeWindow(window) {
  const at = performance.now();
  const servers = cpuOf(window.pids);
  const client = process.cpuUsage(window.client);
  const machine = machineTicks();
  const seconds = (at - window.at) / 1000;
  const perProcess = Object.fromEntries(window.pids.map((pid) => [pid, servers[pid] - window.servers[pid]]));
  const serverMs = Object.values(perProcess).reduce((a, b) => a + b, 0);
  const totalTicks = machine.total - window.machine.total;
  const busyTicks = totalTicks - (machine.idle - window.machine.idle);
  return {
    at, seconds, serverCpuMs: serverMs, perProcessCpuMs: perProcess,
    clientCpuMs: (client.user + client.system) / 1000,
    machineBusyCores: totalTicks > 0 ? Math.round((busyTicks / totalTicks) * cpus().length * 100) / 100 : null,
  };
}

// ---------------------------------------------------------------------------------------------
// One whole call.

const offer = sdp("offer", "caller");
const answer = sdp("answer", "callee");

async function oneCall(pair) {
  const { caller, callee } = pair;
  const created = await caller.invoke("CreateOutgoingCall", pair.calleeName);
  const id = created.callId;
  const incoming = callee.expect("IncomingCall", (s) => s.callId === id, settings.callTimeoutMs);
  const inCall = caller.expect("CallStatusChanged", (s) => s.callId === id && s.state === "InCall", settings.callTimeoutMs);
  const establishedAt = performance.now();
  await caller.invoke("EstablishCall", id, offer);
  await incoming;
  await callee.invoke("AcceptCall", id, answer);
  const { at } = await inCall;
  const callerEnded = caller.expect("CallStatusChanged", (s) => s.callId === id && s.state === "Ended", settings.callTimeoutMs);
  const calleeEnded = callee.expect("CallStatusChanged", (s) => s.callId === id && s.state === "Ended", settings.callTimeoutMs);
  await caller.invoke("EndCall", id);
  await Promise.all([callerEnded, calleeEnded]);
  return { setupMs: at - establishedAt, inCallAt: at, endedAt: performance.now() };
}

function noteError(where, error) {
  const message = `${where}: ${error?.message ?? error}`;
  if (results.errors.length < 50) results.errors.push(message);
}

/** Calls back to back on every pair until `untilMs` (performance.now() time); resolves when all pairs are done. */
async function closedLoop(pairs, untilMs, onCall) {
  let failures = 0;
  await Promise.all(pairs.map(async (pair) => {
    while (performance.now() < untilMs) {
      try {
        onCall(await oneCall(pair));
      } catch (error) {
        failures++;
        noteError("closed loop call", error);
      }
    }
  }));
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Topologies.

const needRedis = (topology) => topology === "redis" || topology === "two-nodes";

/** Starts the processes of a topology; returns { servers (for CPU), callerBase, calleeBase, stop, tokenFor, makeUser }. */
async function startTopology(topology) {
  const started = [];
  const stop = async () => { for (const p of started.reverse()) await stopChild(p.child); };
  try {
    if (topology === "relay") {
      const relay = await startRelay();
      started.push(relay);
      return { processes: [relay], callerBase: relay.base, calleeBase: relay.base, stop, makeUser: async () => {} };
    }
    if (topology === "cluster") {
      const cluster = await startRedisCluster(3);
      started.push(...cluster.nodes);
      const node = await startCallServer(cluster.address, "cluster-a");
      started.push(node);
      return { processes: [node, ...cluster.nodes], callerBase: node.base, calleeBase: node.base, stop, makeUser: (name) => createUser(node.base, name) };
    }
    const redis = needRedis(topology) ? await startRedis() : null;
    if (redis) started.push(redis);
    const a = await startCallServer(redis?.address, `${topology}-a`);
    started.push(a);
    const b = topology === "two-nodes" ? await startCallServer(redis.address, `${topology}-b`) : null;
    if (b) started.push(b);
    return {
      processes: [a, ...(b ? [b] : []), ...(redis ? [redis] : [])],
      callerBase: a.base, calleeBase: (b ?? a).base, stop,
      makeUser: (name) => createUser(a.base, name),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function makePairs(system, count, label) {
  const pairs = [];
  const suffix = uniqueSuffix();
  for (let i = 0; i < count; i++) {
    const callerName = `${label}-caller-${i}-${suffix}`;
    const calleeName = `${label}-callee-${i}-${suffix}`;
    await system.makeUser(callerName);
    await system.makeUser(calleeName);
    pairs.push({
      caller: await connectHub(system.callerBase, signToken(callerName)),
      callee: await connectHub(system.calleeBase, signToken(calleeName)),
      calleeName,
    });
  }
  return pairs;
}

const closePairs = (pairs) => Promise.all(pairs.flatMap((p) => [p.caller.stop(), p.callee.stop()]));

function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: over its deadline of ${Math.round(ms / 1000)} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function runTopology(topology) {
  const result = { topology };
  results.phases[topology] = result;
  const system = await startTopology(topology);
  try {
    result.processes = system.processes.map((p) => ({ name: p.name, pid: p.pid }));
    const pids = system.processes.map((p) => p.pid);
    const pairs = await makePairs(system, settings.pairs, topology.replace(/\W/g, ""));

    log(`${topology}: warm-up ${settings.warmupSeconds} s with ${pairs.length} pairs`);
    let warm = 0;
    await closedLoop(pairs, performance.now() + settings.warmupSeconds * 1000, () => warm++);
    result.warmupCalls = warm;

    log(`${topology}: closed loop ${settings.seconds} s`);
    const setups = [];
    const traces = settings.trace ? startTraces(topology, system.processes) : [];
    const redisPorts = system.processes.filter((p) => p.port).map((p) => p.port);
    if (settings.commandStats) redisPorts.forEach(resetRedisStats);
    const window = openWindow(pids);
    const end = window.at + settings.seconds * 1000;
    let closed = null;
    const closer = setTimeout(() => { closed = closeWindow(window); }, settings.seconds * 1000);
    const failures = await closedLoop(pairs, end, (call) => { if (closed === null || call.inCallAt <= closed.at) setups.push(call.setupMs); });
    clearTimeout(closer);
    closed ??= closeWindow(window);
    result.closedLoop = {
      windowSeconds: round(closed.seconds, 3), setups: setups.length, failures,
      setupsPerSecond: round(setups.length / closed.seconds, 1),
      setupMs: latencySummary(setups),
      serverCpuMs: round(closed.serverCpuMs, 0), cpuPerSetupMs: setups.length ? round(closed.serverCpuMs / setups.length, 3) : null,
      perProcessCpuMs: namedCpu(system.processes, closed.perProcessCpuMs),
      clientCpuMs: round(closed.clientCpuMs, 0), machineBusyCores: closed.machineBusyCores, loadAverage: loadAverage(),
      callsPerCallerAtEnd: round((warm + setups.length + failures) / pairs.length, 0),
    };
    if (traces.length) result.traces = await finishTraces(traces);
    if (settings.commandStats && redisPorts.length) result.closedLoop.redisCommandsPerSetup = commandsPerSetup(redisPorts, setups.length);
    log(`${topology}: ${result.closedLoop.setupsPerSecond} setups/s, p50/p99 ${result.closedLoop.setupMs.p50}/${result.closedLoop.setupMs.p99} ms, `
      + `${result.closedLoop.cpuPerSetupMs} ms CPU per setup (machine busy ${closed.machineBusyCores} cores)`);

    if (runHalfPeak && setups.length > 0) {
      const rate = result.closedLoop.setupsPerSecond / 2;
      result.halfPeak = await openLoop(pairs, pids, system.processes, rate, settings.halfPeakSeconds, topology);
    }
    await closePairs(pairs);
  } finally {
    await system.stop();
  }
}

/** Redis commands per setup over the window (every redis-server of the topology summed), most frequent first. */
function commandsPerSetup(ports, setups) {
  const total = {};
  for (const port of ports) for (const [command, calls] of Object.entries(redisCommandStats(port))) total[command] = (total[command] ?? 0) + calls;
  const perSetup = Object.entries(total).filter(([command]) => !["config|resetstat", "info"].includes(command))
    .map(([command, calls]) => [command, round(calls / Math.max(1, setups), 2)]).sort((a, b) => b[1] - a[1]);
  return Object.fromEntries([["total", round(perSetup.reduce((sum, [, n]) => sum + n, 0), 2)], ...perSetup]);
}

const round = (value, digits) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const namedCpu = (processes, perPid) => processes.map((p) => ({ name: p.name, pid: p.pid, cpuMs: round(perPid[p.pid], 0) }));

/** perf record (call graphs) of each process for the closed-loop window: a diagnostic that costs CPU of its own. */
function startTraces(topology, processes) {
  mkdirSync(resolve(settings.trace), { recursive: true });
  return processes.map((p) => {
    const file = join(resolve(settings.trace), `${topology}-${p.name}.perf.data`);
    const child = spawnTracked("perf", ["record", "-F", "499", "-g", "-p", String(p.pid), "-o", file, "--", "sleep", String(settings.seconds)], { stdio: ["ignore", "ignore", "pipe"] });
    return { child, file, name: p.name };
  });
}

async function finishTraces(traces) {
  const done = [];
  for (const trace of traces) {
    await withDeadline(trace.child.exitedPromise, 60000, `perf ${trace.name}`).catch((error) => noteError("trace", error));
    const report = trace.file.replace(/\.perf\.data$/, ".top.txt");
    try {
      const perfReport = (extra) => execFileSync("perf", ["report", "-i", trace.file, "--stdio", "--percent-limit", "0.7", ...extra], { timeout: 180000, maxBuffer: 64 * 2 ** 20, stdio: ["ignore", "pipe", "ignore"] }).toString();
      const exclusive = perfReport(["--no-children", "--sort", "dso,symbol", "-g", "none"]);
      const inclusive = perfReport(["--children", "--sort", "symbol", "-g", "none"]);
      writeFileSync(report, `# self (exclusive)\n${exclusive}\n# with children (inclusive)\n${inclusive}`);
      done.push({ name: trace.name, perfData: trace.file, report });
    } catch (error) { noteError("trace report", error); }
  }
  return done;
}

/** Starts calls at `rate` per second for `seconds` (count bounded), spread over the pairs; a pair may have several at once. */
async function openLoop(pairs, pids, processes, rate, seconds, topology) {
  const count = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  log(`${topology}: open loop at ${round(rate, 1)} calls/s (half of peak), ${count} calls`);
  const setups = [];
  let failures = 0;
  let maxLagMs = 0;
  const inFlight = [];
  const window = openWindow(pids);
  for (let i = 0; i < count;) {
    const now = performance.now();
    const due = window.at + i * interval;
    if (due > now) {
      // Pacing of the load generator (not a synchronisation): wait for the next start time.
      await delay(Math.max(1, Math.floor(due - now)));
      continue;
    }
    for (; i < count && window.at + i * interval <= performance.now(); i++) {
      maxLagMs = Math.max(maxLagMs, performance.now() - (window.at + i * interval));
      inFlight.push(oneCall(pairs[i % pairs.length]).then((call) => setups.push(call.setupMs), (error) => { failures++; noteError("open loop call", error); }));
    }
  }
  await Promise.all(inFlight);
  const closed = closeWindow(window);
  const result = {
    targetPerSecond: round(rate, 1), calls: count, completed: setups.length, failures,
    achievedPerSecond: round(count / ((closed.at - window.at) / 1000), 1), maxStartLagMs: round(maxLagMs, 1),
    setupMs: latencySummary(setups),
    cpuPerSetupMs: setups.length ? round(closed.serverCpuMs / setups.length, 3) : null,
    perProcessCpuMs: namedCpu(processes, closed.perProcessCpuMs),
    clientCpuMs: round(closed.clientCpuMs, 0), machineBusyCores: closed.machineBusyCores,
  };
  log(`${topology}: half peak p50/p99 ${result.setupMs.p50}/${result.setupMs.p99} ms, ${failures} failed, start lag up to ${result.maxStartLagMs} ms`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Growth: one caller, one callee, back to back.

async function runGrowth(topology) {
  const result = { topology, windowSeconds: settings.growthSeconds, windows: [] };
  (results.phases.growth ??= {})[topology] = result;
  const system = await startTopology(topology);
  try {
    const pids = system.processes.map((p) => p.pid);
    // JIT warm-up on a pair of its own, so the measured caller starts with no history.
    const warmPairs = await makePairs(system, 1, `growthwarm${topology.replace(/\W/g, "")}`);
    await closedLoop(warmPairs, performance.now() + settings.warmupSeconds * 1000, () => {});
    await closePairs(warmPairs);
    const [pair] = await makePairs(system, 1, `growth${topology.replace(/\W/g, "")}`);
    log(`growth ${topology}: ${settings.growthWindows} windows of ${settings.growthSeconds} s, one caller, one callee`);
    let windowCalls = [];
    let window = openWindow(pids);
    const start = window.at;
    const boundaries = Array.from({ length: settings.growthWindows }, (_, i) => start + (i + 1) * settings.growthSeconds * 1000);
    let failures = 0;
    let current = 0;
    const closeCurrent = () => {
      const closed = closeWindow(window);
      const calls = windowCalls.length;
      result.windows.push({
        callsPerSecond: round(calls / closed.seconds, 1), calls, setupMs: latencySummary(windowCalls),
        cpuPerCallMs: calls ? round(closed.serverCpuMs / calls, 3) : null, machineBusyCores: closed.machineBusyCores,
      });
      log(`growth ${topology}: window ${current + 1}: ${round(calls / closed.seconds, 1)} calls/s, ${calls ? round(closed.serverCpuMs / calls, 3) : "-"} ms CPU per call`);
      windowCalls = [];
      window = openWindow(pids);
      current++;
    };
    // Every window but the last is closed by a timer at its boundary; the last when the loop stops after it.
    const timers = boundaries.slice(0, -1).map((at) => setTimeout(closeCurrent, at - start));
    const end = boundaries[boundaries.length - 1];
    while (performance.now() < end) {
      try {
        const call = await oneCall(pair);
        if (call.endedAt <= end) windowCalls.push(call.setupMs);
      } catch (error) {
        failures++;
        noteError(`growth ${topology}`, error);
      }
    }
    timers.forEach(clearTimeout);
    while (current < settings.growthWindows) closeCurrent();
    result.failures = failures;
    const first = result.windows[0]?.callsPerSecond;
    const last = result.windows[result.windows.length - 1]?.callsPerSecond;
    result.lastOverFirst = first ? round(last / first, 3) : null;
    await closePairs([pair]);
  } finally {
    await system.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Idle connections.

function startWorker(base, worker, users) {
  const child = spawnTracked(process.execPath, [join(benchDir, "idle-worker.mjs"), JSON.stringify({ base, worker, users, concurrency: 32 })], { stdio: ["pipe", "pipe", "pipe"] });
  const listeners = new Set();
  createInterface({ input: child.stdout }).on("line", (line) => { const message = JSON.parse(line); for (const l of listeners) l(message); });
  child.state = { held: 0, failed: 0, progress: 0 };
  listeners.add((m) => { if (m.progress !== undefined) child.state.progress = m.progress; });
  child.command = (command, until) => new Promise((resolveCommand, reject) => {
    const listener = (message) => { if (until(message)) { listeners.delete(listener); resolveCommand(message); } };
    listeners.add(listener);
    child.exitedPromise.then(() => reject(new Error(`idle worker ${worker} exited: ${child.errTail.join("").slice(-1000)}`)));
    child.stdin.write(JSON.stringify(command) + "\n");
  });
  return child;
}

async function serverGauges(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (pattern) => {
    let sum = null;
    for (const line of text.split("\n")) if (!line.startsWith("#") && pattern.test(line)) sum = (sum ?? 0) + Number(line.trim().split(/\s+/).pop());
    return sum;
  };
  return {
    connections: value(/^callserver_connections\{/),
    gcHeapSizeBytes: value(/^dotnet_gc_last_collection_heap_size_bytes\{/),
    gcCommittedBytes: value(/^dotnet_gc_last_collection_memory_committed_size_bytes\{/),
    gcFragmentationBytes: value(/^dotnet_gc_last_collection_heap_fragmentation_size_bytes\{/),
    gen2Collections: value(/^dotnet_gc_collections_total\{gc_heap_generation="gen2"\}/),
  };
}

function openFiles(pid) { try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return null; } }

/** `kind`: "memory" (a CallServer node, the measured one) or "relay" (the bare relay: the framework's own floor). */
async function runIdle(kind) {
  const phase = kind === "relay" ? "idle-relay" : "idle";
  const isRelay = kind === "relay";
  const result = { server: isRelay ? "relay" : "CallServer, in memory", users: settings.idleUsers, workers: settings.idleWorkers, steps: [] };
  results.phases[phase] = result;
  const server = isRelay ? await startRelay() : await startCallServer(null, "idle-memory");
  const workers = [];
  const waitForServer = (expected) => (isRelay ? Promise.resolve() : waitForGauge(server.base, expected));
  try {
    result.atStart = { ...memoryKiB(server.pid), ...(await serverGauges(server.base)) };
    const suffix = uniqueSuffix();
    const names = Array.from({ length: settings.idleUsers }, (_, i) => `idle-${i}-${suffix}`);
    if (!isRelay) {
      log(`${phase}: creating ${settings.idleUsers} users`);
      const createStart = performance.now();
      for (let i = 0; i < names.length; i += 4) await Promise.all(names.slice(i, i + 4).map((name) => createUser(server.base, name)));
      result.userCreationSeconds = round((performance.now() - createStart) / 1000, 1);
    }
    // Warm the connection path (JIT, pools) with a few connections, closed again before the baseline.
    const warm = await Promise.all(names.slice(0, 20).map((name) => connectHub(server.base, signToken(name))));
    await Promise.all(warm.map((c) => c.stop()));
    await waitForServer(0);
    result.baseline = { ...memoryKiB(server.pid), ...(await serverGauges(server.base)), openFiles: openFiles(server.pid) };
    log(`${phase}: baseline RSS ${Math.round(result.baseline.rssKiB / 1024)} MiB; starting ${settings.idleWorkers} workers`);
    for (let w = 0; w < settings.idleWorkers; w++) {
      const share = names.filter((_, i) => i % settings.idleWorkers === w);
      workers.push(startWorker(server.base, w, share));
    }
    for (const target of settings.idleSteps) {
      const perWorker = Array.from({ length: settings.idleWorkers }, (_, w) => Math.floor(target / settings.idleWorkers) + (w < target % settings.idleWorkers ? 1 : 0));
      log(`${phase}: connecting up to ${target}`);
      const stepStart = performance.now();
      const progress = setInterval(() => log(`${phase}: ${workers.reduce((a, w) => a + w.state.progress, 0)} connected`), 5000);
      const replies = await Promise.all(workers.map((w, i) => w.command({ connect: perWorker[i] }, (m) => m.held !== undefined)));
      clearInterval(progress);
      const held = replies.reduce((a, r) => a + r.held, 0);
      const failed = replies.reduce((a, r) => a + r.failed, 0);
      // The server counts a connection once OnConnectedAsync has run; every client has had its GetActiveCalls answered.
      await waitForServer(held);
      const memory = memoryKiB(server.pid);
      const gauges = await serverGauges(server.base);
      const step = {
        target, held, failed, lastError: replies.find((r) => r.lastError)?.lastError ?? null,
        connectSeconds: round((performance.now() - stepStart) / 1000, 1),
        ...memory, ...gauges, openFiles: openFiles(server.pid),
        rssPerConnectionKB: held ? round(((memory.rssKiB - result.baseline.rssKiB) * 1024) / held / 1000, 2) : null,
        rssPerConnectionKiB: held ? round((memory.rssKiB - result.baseline.rssKiB) / held, 2) : null,
        gcHeapPerConnectionKB: held && gauges.gcHeapSizeBytes !== null ? round((gauges.gcHeapSizeBytes - result.baseline.gcHeapSizeBytes) / held / 1000, 2) : null,
        workersRssMiB: workers.map((w) => { try { return Math.round(memoryKiB(w.pid).rssKiB / 1024); } catch { return null; } }),
        loadAverage: loadAverage(),
      };
      result.steps.push(step);
      if (settings.gcdump) step.gcdump = gcdump(server.pid, `${phase}-${held}`);
      log(`${phase}: ${held} held (${failed} failed) → RSS ${Math.round(memory.rssKiB / 1024)} MiB, ${step.rssPerConnectionKB} KB per connection (GC heap ${step.gcHeapPerConnectionKB} KB)`);
      if (held < target * 0.99) throw new Error(`${phase}: only ${held} of ${target} connections held: ${step.lastError}`);
    }
  } finally {
    await Promise.all(workers.map(async (w) => { try { await withDeadline(w.command({ stop: true }, (m) => m.stopped), 10000, "worker stop"); } catch { /* killed below */ } await stopChild(w, 5000); }));
    await stopChild(server.child, 10000);
  }
}

/** dotnet-gcdump collect + report (types by size) of a process; a diagnostic. */
function gcdump(pid, label) {
  const home = process.env.HOME ?? "/root";
  const tool = process.env.DOTNET_GCDUMP ?? (existsSync(join(home, ".dotnet/tools/dotnet-gcdump")) ? join(home, ".dotnet/tools/dotnet-gcdump") : "dotnet-gcdump");
  mkdirSync(resolve(settings.gcdump), { recursive: true });
  const file = join(resolve(settings.gcdump), `${label}.gcdump`);
  try {
    execFileSync(tool, ["collect", "-p", String(pid), "-o", file], { timeout: 120000, stdio: ["ignore", "ignore", "pipe"] });
    const report = execFileSync(tool, ["report", file], { timeout: 120000, maxBuffer: 64 * 2 ** 20 }).toString();
    writeFileSync(`${file}.txt`, report);
    return { file, report: `${file}.txt`, ...summariseGcdump(report, 25) };
  } catch (error) {
    noteError("gcdump", error);
    return null;
  }
}

/** Waits (polling /metrics, at most 60 s) until the server counts `expected` connections. */
async function waitForGauge(base, expected) {
  const end = Date.now() + 60000;
  while (Date.now() < end) {
    if ((await serverGauges(base)).connections === expected) return;
    await delay(200);
  }
  throw new Error(`the server never counted ${expected} connections`);
}

// ---------------------------------------------------------------------------------------------
// Summary: the table.

function summarise() {
  const relay = results.phases.relay?.closedLoop?.cpuPerSetupMs ?? null;
  const memory = results.phases.memory?.closedLoop?.cpuPerSetupMs ?? null;
  const redis = results.phases.redis?.closedLoop?.cpuPerSetupMs ?? null;
  const table = ["relay", "memory", "redis", "two-nodes", "cluster"].filter((t) => results.phases[t]?.closedLoop).map((t) => {
    const c = results.phases[t].closedLoop;
    return {
      topology: t, setupsPerSecond: c.setupsPerSecond, p50: c.setupMs.p50, p90: c.setupMs.p90, p99: c.setupMs.p99,
      cpuPerSetupMs: c.cpuPerSetupMs, timesRelay: relay && c.cpuPerSetupMs ? round(c.cpuPerSetupMs / relay, 2) : null,
      halfPeakP99: results.phases[t].halfPeak?.setupMs?.p99 ?? null, failures: c.failures,
    };
  });
  const twoNodes = results.phases["two-nodes"]?.closedLoop?.cpuPerSetupMs ?? null;
  const cluster = results.phases.cluster?.closedLoop?.cpuPerSetupMs ?? null;
  const idle = results.phases.idle?.steps ?? [];
  return {
    table,
    twoNodesOverOneNodeRedis: twoNodes && redis ? round(twoNodes / redis, 2) : null,
    clusterOverSingleRedis: cluster && redis ? round(cluster / redis, 2) : null,
    growthLastOverFirst: Object.fromEntries(Object.entries(results.phases.growth ?? {}).map(([k, v]) => [k, v.lastOverFirst])),
    growthCallsPerSecond: Object.fromEntries(Object.entries(results.phases.growth ?? {}).map(([k, v]) => [k, v.windows.map((w) => w.callsPerSecond)])),
    idleKBPerConnection: Object.fromEntries(idle.map((s) => [s.held, s.rssPerConnectionKB])),
    idleRelayKBPerConnection: Object.fromEntries((results.phases["idle-relay"]?.steps ?? []).map((s) => [s.held, s.rssPerConnectionKB])),
    targets: {
      "CPU per setup ≤ 1.5× relay, memory": relay && memory ? memory / relay <= 1.5 : null,
      "CPU per setup ≤ 3× relay, Redis": relay && redis ? redis / relay <= 3 : null,
      "two nodes ≤ 1.2× one node, Redis": twoNodes && redis ? twoNodes / redis <= 1.2 : null,
      "three-primary cluster ≤ 1.3× single Redis": cluster && redis ? cluster / redis <= 1.3 : null,
      "growth last/first ≥ 0.9, memory": results.phases.growth?.memory ? results.phases.growth.memory.lastOverFirst >= 0.9 : null,
      "growth last/first ≥ 0.9, Redis": results.phases.growth?.redis ? results.phases.growth.redis.lastOverFirst >= 0.9 : null,
      "p99 at half peak ≤ 10 ms, memory": results.phases.memory?.halfPeak ? results.phases.memory.halfPeak.setupMs.p99 <= 10 : null,
      "p99 at half peak ≤ 20 ms, Redis": results.phases.redis?.halfPeak ? results.phases.redis.halfPeak.setupMs.p99 <= 20 : null,
      "≤ 30 KB per idle connection at 19,000": idle.find((s) => s.held >= 19000) ? idle.find((s) => s.held >= 19000).rssPerConnectionKB <= 30 : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The run.

function build() {
  const wanted = [];
  if (!process.env.CALLSERVER_DLL && only.some((p) => p !== "relay")) wanted.push(join(repoDir, "src/CallServer"));
  if (!process.env.RELAY_DLL && (only.includes("relay") || runHalfPeak || only.includes("idle-relay"))) wanted.push(join(benchDir, "RelayHub"));
  for (const project of wanted) {
    log(`dotnet build -c Release ${project}`);
    execFileSync("dotnet", ["build", "-c", "Release", "--nologo", "-v", "q", project], { stdio: ["ignore", "ignore", "inherit"], timeout: 5 * 60 * 1000 });
  }
}

if (settings.trace) Object.assign(serverEnvExtra, { DOTNET_PerfMapEnabled: "1", DOTNET_EnableWriteXorExecute: "0" });
const overall = setTimeout(() => { log(`the run passed its deadline of ${settings.deadlineMinutes} minutes: stopping`); writeResults("deadline"); process.exit(2); }, remainingMs());
let exitCode = 0;
try {
  if (!flag("no-build")) build();
  for (const dll of [callServerDll(), ...(topologies.includes("relay") || only.includes("idle-relay") ? [relayDll()] : [])]) if (!existsSync(dll)) throw new Error(`missing ${dll}`);
  log(`phases: ${only.join(", ")}; load average ${JSON.stringify(loadAverage())}`);
  for (const topology of topologies) {
    try {
      await withDeadline(runTopology(topology), Math.min(remainingMs(), (settings.warmupSeconds + settings.seconds + settings.halfPeakSeconds) * 1000 + 120000), topology);
    } catch (error) { log(`${topology} failed: ${error.stack ?? error}`); noteError(topology, error); exitCode = 1; }
  }
  if (only.includes("growth")) {
    for (const topology of ["memory", "redis"]) {
      try {
        await withDeadline(runGrowth(topology), Math.min(remainingMs(), (settings.warmupSeconds + settings.growthWindows * settings.growthSeconds) * 1000 + 120000), `growth ${topology}`);
      } catch (error) { log(`growth ${topology} failed: ${error.stack ?? error}`); noteError(`growth ${topology}`, error); exitCode = 1; }
    }
  }
  for (const [phase, kind] of [["idle", "memory"], ["idle-relay", "relay"]]) {
    if (!only.includes(phase)) continue;
    try {
      await withDeadline(runIdle(kind), Math.min(remainingMs(), 6 * 60 * 1000), phase);
    } catch (error) { log(`${phase} failed: ${error.stack ?? error}`); noteError(phase, error); exitCode = 1; }
  }
} catch (error) {
  log(`failed: ${error.stack ?? error}`);
  noteError("run", error);
  exitCode = 1;
} finally {
  clearTimeout(overall);
  writeResults(null);
}
process.exit(exitCode);
