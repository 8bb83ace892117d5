// Starts panva's oidc-provider (test/support/oidc-provider-server.mjs) as a child process on a free port: a real
// identity provider for the service to discover and verify, with client-credentials clients and signing keys the
// test chooses. restart() with new keys is a key rotation as a provider does it: the new key published and used.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { freePort } from '../../scripts/local-port';
import { SCOPES } from '../../shared/auth/scopes';

export interface ProviderClient {
  client_id: string;
  client_secret: string;
  /** The scopes it may ask for, space-separated. */
  scope: string;
}

export interface OidcProvider {
  issuer: string;
  /** A client-credentials access token for `client`, with `scope` (its whole scope by default). */
  token(client: ProviderClient, scope?: string): Promise<string>;
  /** Stops and starts it again on the same port with these signing keys (first signs). */
  restart(keys: JWK[]): Promise<void>;
  close(): Promise<void>;
}

let made = 0;

/** A private signing JWK with a kid, as oidc-provider's `jwks` takes it. */
export async function providerKey(alg = 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `provider-${++made}-${alg.toLowerCase()}`, alg, use: 'sig' };
}

function launch(port: number, audience: string, keys: JWK[], clients: ProviderClient[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'oidc-provider-server.mjs')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      AUDIENCE: audience,
      SIGNING_KEYS: JSON.stringify(keys),
      SCOPES: Object.keys(SCOPES).join(' '),
      CLIENTS: JSON.stringify(
        clients.map((client) => ({
          ...client,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        })),
      ),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve(child);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}): ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startOidcProvider(options: {
  audience: string;
  clients: ProviderClient[];
  keys?: JWK[];
}): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let child = await launch(port, options.audience, options.keys ?? [await providerKey()], options.clients);
  return {
    issuer,
    async token(client, scope = client.scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`no token from oidc-provider: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async restart(keys) {
      await stop(child);
      child = await launch(port, options.audience, keys, options.clients);
    },
    close: () => stop(child),
  };
}
