// panva's oidc-provider as a child process (it is an ES module; Jest runs CommonJS): an OAuth 2.0 authorization
// server issuing JWT access tokens (RFC 9068) to client-credentials clients for one resource, the service. Its
// configuration comes from the environment; it prints "listening" once it serves. See oidc-provider.ts.
import Provider, { errors } from 'oidc-provider';

const { PORT, AUDIENCE, SIGNING_KEYS, CLIENTS, SCOPES } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const keys = JSON.parse(SIGNING_KEYS);

const provider = new Provider(issuer, {
  // Private JWKs; the first of an algorithm signs, all are published (a rotation lists the new key first).
  jwks: { keys },
  clients: JSON.parse(CLIENTS),
  scopes: SCOPES.split(' '),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== AUDIENCE) throw new errors.InvalidTarget();
        return {
          scope: SCOPES,
          audience: AUDIENCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: keys[0].alg } },
        };
      },
    },
  },
});

const server = provider.listen(Number(PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
