// One client process of the idle-connections phase of load.mjs: holds a share of the authenticated,
// idle SignalR connections (each started, then one GetActiveCalls invoked), bound to source addresses
// spread over 127.0.0.0/8. Started by load.mjs (through bash, with the open-files limit raised); it
// reads JSON lines on stdin and writes JSON lines on stdout:
//   in:  {"connect": <how many this worker should hold>}   out: {"progress": n, "failed": f} ... {"held": n, "failed": f}
//   in:  {"stop": true}                                     out: {"stopped": true}, then exits
// Arguments (JSON in argv[2]): { base, worker, users: [names], concurrency, connectTimeoutMs }.
// It exits by itself when stdin closes (its parent is gone) or after maxLifetimeMs.
import { createInterface } from "node:readline";
import { connectHub, signToken } from "./lib.mjs";

const settings = JSON.parse(process.argv[2]);
const { base, worker, users, concurrency = 32, connectTimeoutMs = 30000, maxLifetimeMs = 15 * 60 * 1000 } = settings;
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");
const tokens = users.map((name) => signToken(name, 2 * 3600));
const connections = [];
let failed = 0;
let lastError = null;
let next = 0;

// 127.<worker+1>.<hi>.<lo>: never 127.0.0.1 (the server's), never .0 or .255.
const sourceAddress = (i) => `127.${worker + 1}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;

async function connectOne(i) {
  let timer;
  try {
    const connection = await Promise.race([
      connectHub(base, tokens[i % tokens.length], { localAddress: sourceAddress(i) }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`connect ${i} took over ${connectTimeoutMs} ms`)), connectTimeoutMs); }),
    ]);
    connections.push(connection);
  } catch (error) {
    failed++;
    lastError = String(error?.message ?? error);
  } finally {
    clearTimeout(timer);
  }
}

async function connectUpTo(target) {
  let lastReport = Date.now();
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < target) {
      const i = next++;
      await connectOne(i);
      if (Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        send({ progress: connections.length, failed });
      }
    }
  });
  await Promise.all(lanes);
  send({ held: connections.length, failed, lastError });
}

const lifetime = setTimeout(() => process.exit(3), maxLifetimeMs);
const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  const command = JSON.parse(line);
  queue = queue.then(async () => {
    if (command.connect !== undefined) await connectUpTo(command.connect);
    if (command.stop) {
      // Closing is not measured: drop the sockets with the process.
      send({ stopped: true });
      clearTimeout(lifetime);
      process.exit(0);
    }
  });
});
lines.on("close", () => process.exit(0));
