// What an operator relies on: /metrics, the ICE servers with TURN REST credentials, problem codes on
// framework errors, hub connections closed when their token expires, the compose file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { CallServerProcess, repoDir } from './support/server.mjs';
import { pollUntil } from './support/poll.mjs';
import { answeredCall, nextEvent as waitForEvent, plainConnection as connect } from './support/plain-hub.mjs';

const turnSecret = 'operations-test-turn-secret';
const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n';

describe('operations', () => {
  const server = new CallServerProcess({
    logName: 'operations-server.log',
    env: {
      IceServers__StunUrls__0: 'stun:127.0.0.1:3478',
      IceServers__TurnUrls__0: 'turn:127.0.0.1:3478?transport=udp',
      IceServers__TurnSecret: turnSecret,
      IceServers__CredentialLifetime: '00:10:00',
      Jwt__AccessTokenLifetime: '00:00:15',
    },
  });
  let alice;
  let bob;

  before(async () => {
    await server.start();
    alice = await server.provisionUser('alice');
    bob = await server.provisionUser('bob');
  });

  after(async () => {
    await server.stop();
    server.saveLog();
  });

  test('/metrics is Prometheus text with the call, operation, connection and store series', async () => {
    const a = connect(server, alice.token);
    const b = connect(server, bob.token);
    await a.start();
    await b.start();
    await b.invoke('GetActiveCalls'); // registered: see call-flow.test.mjs
    const call = { callId: await answeredCall(a, b, bob, offer) };
    await assert.rejects(a.invoke('HoldCall', 'no-such-call', offer), /CallNotFound/);
    const ended = waitForEvent(b, 'CallStatusChanged', (s) => s.callId === call.callId && s.state === 'Ended');
    await a.invoke('EndCall', call.callId);
    await ended;

    const response = await fetch(`${server.baseUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# TYPE callserver_operations_total counter$/m);
    assert.match(text, /^callserver_operations_total\{method="EstablishCall",result="ok"\} [1-9]/m);
    assert.match(text, /^callserver_operations_total\{method="HoldCall",result="CallNotFound"\} 1$/m);
    assert.match(text, /^callserver_connections(\{\})? 2$/m);
    assert.match(text, /^callserver_call_setups_total\{result="ringing"\} [1-9]/m);
    assert.match(text, /^callserver_calls_ended_total\{reason="EndedLocally"\} [1-9]/m);
    assert.match(text, /^callserver_call_setup_duration_seconds_bucket\{le="\+Inf"\} [1-9]/m);
    assert.match(text, /^callserver_store_duration_seconds_count\{operation="save"\} [1-9]/m);
    await a.stop();
    await b.stop();
  });

  test('GET /api/v1/ice-servers hands out STUN and TURN with a coturn use-auth-secret credential', async () => {
    const unauthenticated = await server.api('GET', '/api/v1/ice-servers');
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.json.code, 'Unauthorized');

    const before = Math.floor(Date.now() / 1000);
    const { status, json } = await server.api('GET', '/api/v1/ice-servers', { token: alice.token });
    assert.equal(status, 200);
    assert.equal(json.ttlSeconds, 600);
    assert.deepEqual(json.iceServers[0], { urls: ['stun:127.0.0.1:3478'], username: null, credential: null });
    const turn = json.iceServers[1];
    assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp']);
    const [expiry, address] = turn.username.split(':');
    assert.equal(address, alice.address);
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= before + 602, `expiry ${expiry}`);
    assert.equal(turn.credential, createHmac('sha1', turnSecret).update(turn.username).digest('base64'));
  });

  test('framework errors carry a stable code too', async () => {
    const unknownRoute = await server.api('GET', '/api/v1/nothing-here');
    assert.equal(unknownRoute.status, 404);
    assert.equal(unknownRoute.json.code, 'NotFound');
    const malformed = await fetch(`${server.baseUrl}/api/v1/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username": ',
    });
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json()).code, 'InvalidArgument');
  });

  test("a deleted user's token no longer opens the hub or reads calls", async () => {
    const dave = await server.provisionUser('dave');
    const deleted = await server.api('DELETE', `/api/v1/users/${dave.username}`, { headers: { 'X-Admin-Key': server.adminKey } });
    assert.equal(deleted.status, 204);

    const rest = await server.api('GET', '/api/v1/calls/some-call', { token: dave.token });
    assert.equal(rest.status, 401);
    assert.equal(rest.json.code, 'Unauthorized');

    const connection = connect(server, dave.token);
    const outcome = await connection.start().then(() => 'started', () => 'refused');
    if (outcome === 'started') {
      // The handshake went through; the server closes the connection as soon as it sees the account is gone.
      const closed = await Promise.race([
        connection.closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('the connection of a deleted user stayed open')), 10_000)),
      ]);
      assert.ok(closed.at > 0);
      await assert.rejects(connection.invoke('GetActiveCalls'));
    }

    // The refusal is one warning line naming the device's account, not an error with a stack trace.
    const refusal = await pollUntil('the ConnectionRefused log line', async () =>
      server.log().split('\n').find((line) => line.includes('CallHub:') && line.includes(`of ${dave.address} refused: Unauthorized`)), { deadlineMs: 10_000 });
    assert.match(refusal, / WRN\] /);
    assert.ok(!server.log().includes("Error when dispatching 'OnConnectedAsync'"), 'no SignalR error for a refused connection');
  });

  test('a hub connection closes when its token expires', async () => {
    // The tokens of this server live 15 s; a fresh one, so that the test does not depend on the others' age.
    const fresh = await server.api('POST', '/api/v1/auth/token', { body: { username: alice.username, password: alice.password } });
    const expiresAt = Date.parse(fresh.json.expiresAt);
    const connection = connect(server, fresh.json.accessToken);
    await connection.start();
    const closed = await Promise.race([
      connection.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still open 20 s after the token expired')), expiresAt - Date.now() + 20_000)),
    ]);
    assert.ok(closed.at >= expiresAt - 1_000, `closed ${closed.at - expiresAt} ms relative to the expiry`);
  });
});

describe('deployment', () => {
  test('docker-compose config accepts the compose file: Redis, three nodes, nginx, coturn', () => {
    const env = {
      ...process.env,
      CALLSERVER_JWT_SIGNING_KEY: 'compose-check-signing-key-0123456789abcdef',
      CALLSERVER_ADMIN_KEY: 'compose-check-admin-key',
      TURN_SECRET: 'compose-check-turn-secret',
      TURN_HOST: 'turn.example.test',
    };
    const config = execFileSync('docker-compose', ['-f', path.join(repoDir, 'docker-compose.yml'), 'config'], { env, encoding: 'utf8' });
    for (const service of ['redis:', 'callserver-1:', 'callserver-2:', 'callserver-3:', 'nginx:', 'coturn:']) {
      assert.ok(config.includes(`  ${service}`), `service ${service} in:\n${config}`);
    }
    assert.match(config, /Redis__Configuration: redis:6379/);
    assert.match(config, /--appendonly/);
    assert.match(config, /IceServers__TurnSecret: compose-check-turn-secret/);

    const { status } = spawnCompose([], { ...process.env });
    assert.notEqual(status, 0, 'without the secrets the compose file refuses to render');
  });

  test('docker-compose config accepts the Sentinel variant: a replica, three sentinels, nodes that name them', () => {
    const env = {
      ...process.env,
      CALLSERVER_JWT_SIGNING_KEY: 'compose-check-signing-key-0123456789abcdef',
      CALLSERVER_ADMIN_KEY: 'compose-check-admin-key',
      TURN_SECRET: 'compose-check-turn-secret',
    };
    const config = execFileSync('docker-compose', ['-f', path.join(repoDir, 'docker-compose.yml'), '-f', path.join(repoDir, 'deploy', 'docker-compose.sentinel.yml'), 'config'], { env, encoding: 'utf8' });
    for (const service of ['redis:', 'redis-replica:', 'sentinel-1:', 'sentinel-2:', 'sentinel-3:', 'callserver-1:', 'nginx:']) {
      assert.ok(config.includes(`  ${service}`), `service ${service} in:\n${config}`);
    }
    const nodes = config.match(/Redis__Configuration: .*/g);
    assert.equal(nodes.length, 3);
    for (const line of nodes) assert.equal(line, 'Redis__Configuration: sentinel-1:26379,sentinel-2:26379,sentinel-3:26379,serviceName=callserver');
    assert.equal(config.match(/Redis__ReplicasToAcknowledgeEnd: ['"]?1['"]?$/gm)?.length, nodes.length, 'every node waits for the replica after an end');
    assert.match(config, /sentinel monitor callserver redis 6379 2/);
    assert.match(config, /Jwt__SigningKey: compose-check-signing-key/, 'the base file\'s settings are kept');
  });

  test('docker-compose config accepts the Cluster variant: six cluster-enabled Redis nodes joined once, nodes that list them all', () => {
    const env = {
      ...process.env,
      CALLSERVER_JWT_SIGNING_KEY: 'compose-check-signing-key-0123456789abcdef',
      CALLSERVER_ADMIN_KEY: 'compose-check-admin-key',
      TURN_SECRET: 'compose-check-turn-secret',
    };
    const config = execFileSync('docker-compose', ['-f', path.join(repoDir, 'docker-compose.yml'), '-f', path.join(repoDir, 'deploy', 'docker-compose.cluster.yml'), 'config'], { env, encoding: 'utf8' });
    for (const service of ['redis:', 'redis-2:', 'redis-3:', 'redis-4:', 'redis-5:', 'redis-6:', 'redis-cluster-init:', 'callserver-1:', 'nginx:']) {
      assert.ok(config.includes(`  ${service}`), `service ${service} in:\n${config}`);
    }
    assert.equal((config.match(/--cluster-enabled\s+yes/g) ?? []).length, 6, 'every Redis node is a cluster node');
    assert.match(config, /--cluster\s+create\s+redis:6379\s+redis-2:6379\s+redis-3:6379\s+redis-4:6379\s+redis-5:6379\s+redis-6:6379\s+--cluster-replicas\s+1\s+--cluster-yes/);
    const nodes = config.match(/Redis__Configuration: .*/g);
    assert.equal(nodes.length, 3);
    for (const line of nodes) assert.equal(line, 'Redis__Configuration: redis:6379,redis-2:6379,redis-3:6379,redis-4:6379,redis-5:6379,redis-6:6379');
    assert.equal(config.match(/Redis__ReplicasToAcknowledgeEnd: ['"]?1['"]?$/gm)?.length, nodes.length, 'every node waits for the replica after an end');
    assert.equal((config.match(/condition: service_completed_successfully/g) ?? []).length, 3, 'the nodes start once the cluster is made');
    assert.match(config, /Jwt__SigningKey: compose-check-signing-key/, 'the base file\'s settings are kept');
  });
});

function spawnCompose(extraArgs, env) {
  try {
    execFileSync('docker-compose', ['-f', path.join(repoDir, 'docker-compose.yml'), 'config', '-q', ...extraArgs], { env, stdio: 'pipe' });
    return { status: 0 };
  } catch (error) {
    return { status: error.status ?? 1 };
  }
}
