// Records what the caller and the callee receive during one whole call of the load loop (create →
// establish → IncomingCall → accept → InCall → end → both Ended), against CallServer in memory and
// against the bare relay, and checks that the relay sends the same events, in the same order, with the
// same argument counts and the same snapshot fields (values such as ids and times differ). Bounded:
// every wait has a timeout. JSON on stdout, progress on stderr.
//   node flow.mjs [--only callserver|relay]
import {
  connectHub, createUser, log, relayDll, callServerDll, sdp, signToken, startCallServer, startRelay, stopChild, uniqueSuffix,
} from "./lib.mjs";
import { existsSync } from "node:fs";

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;

const shape = (value) => {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return typeof value;
};

async function recordOneCall(server, tokens) {
  const callerEvents = [];
  const calleeEvents = [];
  const caller = await connectHub(server.base, tokens.caller, { record: callerEvents });
  const callee = await connectHub(server.base, tokens.callee, { record: calleeEvents });
  const created = await caller.invoke("CreateOutgoingCall", tokens.calleeName);
  const id = created.callId;
  const incoming = callee.expect("IncomingCall", (s) => s.callId === id);
  const inCall = caller.expect("CallStatusChanged", (s) => s.callId === id && s.state === "InCall");
  const calleeInCall = callee.expect("CallStatusChanged", (s) => s.callId === id && s.state === "InCall");
  const establishResult = await caller.invoke("EstablishCall", id, sdp("offer", "caller"));
  await incoming;
  const acceptResult = await callee.invoke("AcceptCall", id, sdp("answer", "callee"));
  await Promise.all([inCall, calleeInCall]);
  const callerEnded = caller.expect("CallStatusChanged", (s) => s.callId === id && s.state === "Ended");
  const calleeEnded = callee.expect("CallStatusChanged", (s) => s.callId === id && s.state === "Ended");
  const endResult = await caller.invoke("EndCall", id);
  await Promise.all([callerEnded, calleeEnded]);
  const active = await caller.invoke("GetActiveCalls");
  await Promise.all([caller.stop(), callee.stop()]);
  const summarise = (events) => events.map((e) => ({
    event: e.event,
    argumentCount: e.args.length,
    state: e.args[0]?.state ?? null, sequence: e.args[0]?.sequence ?? null, endReason: e.args[0]?.endReason ?? null,
    statusCode: e.args[0]?.statusCode ?? null, direction: e.args[0]?.direction ?? null,
    args: e.args,
  }));
  return {
    results: { CreateOutgoingCall: created, EstablishCall: establishResult ?? null, AcceptCall: acceptResult ?? null, EndCall: endResult ?? null, GetActiveCallsAfter: active },
    caller: summarise(callerEvents), callee: summarise(calleeEvents),
  };
}

const comparable = (flow) => ({
  createdShape: shape(flow.results.CreateOutgoingCall),
  invocationResults: { EstablishCall: flow.results.EstablishCall, AcceptCall: flow.results.AcceptCall, EndCall: flow.results.EndCall },
  caller: flow.caller.map((e) => ({ event: e.event, argumentCount: e.argumentCount, state: e.state, endReason: e.endReason, statusCode: e.statusCode, direction: e.direction, shape: shape(e.args) })),
  callee: flow.callee.map((e) => ({ event: e.event, argumentCount: e.argumentCount, state: e.state, endReason: e.endReason, statusCode: e.statusCode, direction: e.direction, shape: shape(e.args) })),
});

const output = {};
try {
  if (only !== "relay") {
    if (!existsSync(callServerDll())) throw new Error(`build first: dotnet build src/CallServer -c Release (missing ${callServerDll()})`);
    log("CallServer in memory: one call");
    const server = await startCallServer(null, "callserver-memory");
    const suffix = uniqueSuffix();
    await createUser(server.base, `caller${suffix}`);
    await createUser(server.base, `callee${suffix}`);
    output.callserver = await recordOneCall(server, { caller: signToken(`caller${suffix}`), callee: signToken(`callee${suffix}`), calleeName: `callee${suffix}` });
    await stopChild(server.child);
  }
  if (only !== "callserver") {
    if (!existsSync(relayDll())) throw new Error(`build first: dotnet build bench/RelayHub -c Release (missing ${relayDll()})`);
    log("relay: one call");
    const relay = await startRelay();
    output.relay = await recordOneCall(relay, { caller: signToken("caller"), callee: signToken("callee"), calleeName: "callee" });
    await stopChild(relay.child);
  }
  if (output.callserver && output.relay) {
    const a = JSON.stringify(comparable(output.callserver));
    const b = JSON.stringify(comparable(output.relay));
    output.sameShape = a === b;
    if (!output.sameShape) {
      output.difference = { callserver: comparable(output.callserver), relay: comparable(output.relay) };
    }
    log(output.sameShape ? "the relay sends the same events, counts and snapshot fields" : "DIFFERENT: see difference");
  }
  console.log(JSON.stringify(output, null, 2));
  process.exit(output.sameShape === false ? 1 : 0);
} catch (error) {
  log(`failed: ${error.stack ?? error}`);
  process.exit(1);
}
