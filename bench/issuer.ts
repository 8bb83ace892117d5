// The identity provider of the bearer workloads: scripts/token-issuer.ts in the bench's own process (wrk, the load
// generator, is another), one signing key per algorithm, and one token per algorithm minted once for the whole run.
import { startTokenIssuer, TEST_AUDIENCE } from '../scripts/token-issuer';
import type { ServerSpec } from './processes';
import type { BearerAlgorithm } from './workloads';

// Longer than any run: a token that expired mid-run would turn a cell's answers into 401s.
const TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export interface BenchIssuer {
  issuer: string;
  /** A token with the default scopes (users:read among them) for each algorithm. */
  tokens: Record<BearerAlgorithm, string>;
  close(): Promise<void>;
}

export async function startBenchIssuer(): Promise<BenchIssuer> {
  const issuer = await startTokenIssuer('ES256');
  // mint() signs with the newest key; the ES256 key stays published after the RS256 one is added.
  const es256 = await issuer.mint({}, { expiresIn: TOKEN_LIFETIME_SECONDS });
  await issuer.rotate({ alg: 'RS256' });
  const rs256 = await issuer.mint({}, { expiresIn: TOKEN_LIFETIME_SECONDS });
  return { issuer: issuer.issuer, tokens: { ES256: es256, RS256: rs256 }, close: () => issuer.close() };
}

/** A server started for the bearer workloads: it finds the issuer's keys by discovery, as in production. */
export const withIssuer = (spec: ServerSpec, issuer: BenchIssuer): ServerSpec => ({
  ...spec,
  env: { ...spec.env, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE },
});
