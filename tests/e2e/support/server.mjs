// The real CallServer process for end-to-end tests: started on a free loopback port, waited for
// through /readyz, stopped (its whole process group) when the tests are done. Shared by
// call-flow.test.mjs and the browser tests in browser/.
//
// Which server is started:
//   - CALLSERVER_DLL=/path/to/CallServer.dll if set (a published server; its folder is the cwd);
//   - else src/CallServer/bin/Debug/net10.0/CallServer.dll when it exists (`dotnet build src/CallServer`);
//   - else `dotnet run --project src/CallServer --no-launch-profile` (builds first: slower).
// The server's content root is its build output folder (Program.cs), so static files (the web
// softphone and the SDK under /sdk/) come from bin/…/wwwroot: rebuild after changing them.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionUser, requestJson } from './http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const e2eDir = path.resolve(here, '..');
export const repoDir = path.resolve(e2eDir, '..', '..');
export const outputDir = path.join(e2eDir, 'output');

const started = new Set();
// Never leave a server behind, even when the runner is interrupted.
process.on('exit', () => {
  for (const server of started) server.kill('SIGKILL');
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function serverCommand(port) {
  const urls = ['--urls', `http://127.0.0.1:${port}`];
  const dll = process.env.CALLSERVER_DLL
    ? path.resolve(process.env.CALLSERVER_DLL)
    : path.join(repoDir, 'src', 'CallServer', 'bin', 'Debug', 'net10.0', 'CallServer.dll');
  if (fs.existsSync(dll)) {
    const cwd = process.env.CALLSERVER_DLL ? path.dirname(dll) : path.join(repoDir, 'src', 'CallServer');
    return { args: [dll, ...urls], cwd, built: true };
  }
  if (process.env.CALLSERVER_DLL) {
    throw new Error(`CALLSERVER_DLL=${process.env.CALLSERVER_DLL} does not exist`);
  }
  return {
    args: ['run', '--project', path.join(repoDir, 'src', 'CallServer'), '--no-launch-profile', '--', ...urls],
    cwd: repoDir,
    built: false,
  };
}

/**
 * One CallServer process. `env` adds or overrides configuration (`Section__Key` variables);
 * `logName` is the file under output/ that receives the server's output.
 */
export class CallServerProcess {
  constructor({ env = {}, logName = 'server.log' } = {}) {
    this.extraEnv = env;
    this.logName = logName;
    this.adminKey = `admin-${randomBytes(12).toString('hex')}`;
    this.child = null;
    this.exited = null; // a promise that resolves with the exit code
    this.output = [];
    this.baseUrl = null;
  }

  async start() {
    const port = await freePort();
    const command = serverCommand(port);
    const env = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: 'Testing',
      DOTNET_ENVIRONMENT: 'Testing',
      DOTNET_NOLOGO: '1',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      Jwt__SigningKey: randomBytes(48).toString('base64'),
      Admin__ApiKey: this.adminKey,
      DemoUsers__Enabled: 'false',
      Logs__Format: 'text',
      ...this.extraEnv,
    };
    delete env.ASPNETCORE_URLS;
    delete env.URLS;

    this.output.push(`$ dotnet ${command.args.join(' ')}\n`);
    const child = spawn('dotnet', command.args, {
      cwd: command.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that `dotnet run` and the app it starts both stop
    });
    this.child = child;
    started.add(this);
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    child.stdout.on('data', (chunk) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk) => this.output.push(chunk.toString()));
    this.baseUrl = `http://127.0.0.1:${port}`;

    // Wait for the process to be ready: bounded polling of /readyz (this synchronises with a process
    // starting up, not with test logic).
    let exitCode;
    this.exited.then((code) => { exitCode = code; });
    const attempts = command.built ? 150 : 900; // 200 ms apart: 30 s for the dll, 3 min for `dotnet run`
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (exitCode !== undefined) {
        throw new Error(`the server exited (${exitCode}) before it was ready`);
      }
      try {
        const response = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the server did not answer 200 on /readyz after ${attempts} attempts`);
  }

  kill(signal) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    try {
      process.kill(-child.pid, signal); // the process group this test started
    } catch {
      try { child.kill(signal); } catch { /* gone already */ }
    }
  }

  async stop() {
    if (!this.child) {
      return;
    }
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
    started.delete(this);
  }

  log() {
    return this.output.join('');
  }

  saveLog() {
    try {
      fs.mkdirSync(outputDir, { recursive: true });
      fs.writeFileSync(path.join(outputDir, this.logName), this.log());
    } catch {
      // best effort
    }
  }

  /** A JSON request to the server: `{status, contentType, json, text}`. */
  api(method, route, options) {
    return requestJson(this.baseUrl, method, route, options);
  }

  /** Creates a user `<name>-<random>` through the admin API and gets it a token. */
  provisionUser(name) {
    return provisionUser({ adminUrl: this.baseUrl, adminKey: this.adminKey, name });
  }
}
