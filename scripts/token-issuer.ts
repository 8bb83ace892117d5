// A token issuer for the tests and the bench: signing keys made with jose, published over real HTTP on loopback as
// an OIDC discovery document and a JWKS, and tokens minted with whatever claims and header a case needs. The
// identity provider the service is tested against end to end is oidc-provider (test/support/oidc-provider.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const TEST_AUDIENCE = 'https://usersvc.test';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface MintOptions {
  /** The key to sign with; the newest by default. */
  key?: SigningKey;
  /** Header fields over the defaults (alg and kid of the key). */
  header?: Record<string, unknown>;
  /** Seconds from now; negative for a token already expired. */
  expiresIn?: number;
}

export interface TokenIssuer {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens and the base of its discovery document. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Every key made, oldest first; `published` are those the JWKS lists. */
  readonly keys: SigningKey[];
  published: SigningKey[];
  /** JWKS documents served so far. */
  readonly jwksFetches: number;
  /** A signed token: iss, aud, sub, scope, iat and exp by default, `claims` over them (undefined removes one). */
  mint(claims?: JWTPayload, options?: MintOptions): Promise<string>;
  /** A new key, published and used from now on; the old ones stay published unless `retireOld`. */
  rotate(options?: { alg?: string; retireOld?: boolean }): Promise<SigningKey>;
  /** Stops answering (connections refused), as an identity provider that is down. */
  stop(): Promise<void>;
  /** Answers again, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

let made = 0;

export async function makeSigningKey(alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${++made}-${alg.toLowerCase()}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function signToken(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

/** Starts an issuer on a free loopback port with one key of `alg`. */
export async function startTokenIssuer(alg = 'ES256'): Promise<TokenIssuer> {
  const keys = [await makeSigningKey(alg)];
  let published = [...keys];
  let jwksFetches = 0;
  let issuer = '';

  const handler = (req: { url?: string }, res: import('node:http').ServerResponse) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: [alg] }));
    } else if (req.url === '/jwks') {
      jwksFetches += 1;
      res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
    } else {
      res.writeHead(404);
      res.end();
    }
  };

  let server: Server = createServer(handler);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  issuer = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    keys,
    get published() {
      return published;
    },
    set published(value) {
      published = value;
    },
    get jwksFetches() {
      return jwksFetches;
    },
    async mint(claims = {}, { key = keys.at(-1) as SigningKey, header, expiresIn = 300 } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        aud: TEST_AUDIENCE,
        sub: 'client-a',
        scope: 'users:read users:write',
        iat: now,
        exp: now + expiresIn,
        ...claims,
      };
      for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
      return signToken(key, payload, header);
    },
    async rotate({ alg: next = alg, retireOld = false } = {}) {
      const key = await makeSigningKey(next);
      keys.push(key);
      published = retireOld ? [key] : [...published, key];
      return key;
    },
    stop,
    async start() {
      server = createServer(handler);
      await listen(port);
    },
    close: stop,
  };
}
