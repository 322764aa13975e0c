// An identity provider on a loopback port for the end-to-end tests: OpenID Connect discovery and a JWKS
// document over HTTP, an RSA key made here, and RS256 tokens signed with it (node:crypto, no library).
import http from 'node:http';
import { generateKeyPairSync, sign, randomBytes } from 'node:crypto';

const base64url = (data) => Buffer.from(data).toString('base64url');

export class OidcStandIn {
  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.kid = `e2e-${randomBytes(4).toString('hex')}`;
    this.privateKey = privateKey;
    this.jwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' };
    this.requests = [];
  }

  async start() {
    this.server = http.createServer((request, response) => {
      this.requests.push(request.url);
      if (request.url === '/.well-known/openid-configuration') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (request.url === '/jwks') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: [this.jwk] }));
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  /** An RS256 token of this provider for `claims` (iss, aud, iat, exp added). */
  token(claims, { audience = 'callserver-e2e', lifetimeSeconds = 600 } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = base64url(JSON.stringify({ iss: this.issuer, aud: audience, iat: now, nbf: now, exp: now + lifetimeSeconds, ...claims }));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve());
  }
}
