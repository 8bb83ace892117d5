// @usersvc/client: the usersvc API from TypeScript. The types are generated from the service's OpenAPI document
// (./schema.ts) and every call goes through openapi-fetch; around it, what a calling service needs: the base URL and
// an API key or a bearer token (./token.ts), an X-Request-ID on every call (the caller's own, so one id follows a
// request across services), a timeout per attempt, retries of a 503 that honour Retry-After (creates and patches too:
// each carries an Idempotency-Key, so a retry never writes twice), and problem details thrown as a typed ProblemError.
import createClient, { type Client } from 'openapi-fetch';
import { HttpError, ProblemError, TimeoutError, UsersvcError, type Problem } from './errors';
import type { components, operations, paths } from './schema';
import { createTokenSource, type TokenOption } from './token';

export { HttpError, ProblemError, TimeoutError, UsersvcError } from './errors';
export type { Problem, ProblemCode } from './errors';
export type { components, operations, paths } from './schema';
export type { TokenOption } from './token';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type UserPage = Schemas['UserPage'];
export type CreateUser = Schemas['CreateUser'];
export type PatchUser = Schemas['PatchUser'];
export type Health = Schemas['Health'];
export type Readiness = Schemas['Readiness'];
export type ListUsersQuery = NonNullable<operations['listUsers']['parameters']['query']>;
/**
 * openapi-fetch's client for this API. Named here so that the declarations refer to it by this name: inferred, the
 * type is printed through the default import's namespace, which only `node16`/`nodenext` resolution can read.
 */
export type UsersApi = Client<paths>;

export interface UsersClientOptions {
  /** Where the service is, e.g. https://usersvc.example.com (paths such as /api/v1/users are appended). */
  baseUrl: string;
  /** Sent as X-API-Key on every request. Not with `token`. */
  apiKey?: string;
  /**
   * Sent as `Authorization: Bearer <token>` on every request; not with `apiKey` (the service refuses a request that
   * carries both). A function is called for the first request and again `tokenRefreshMarginMs` before the `exp` of
   * the JWT it returned (a token that is not a JWT or has no `exp` is kept until refused), once for all the calls
   * waiting on it; what it throws, the call throws. When the service answers 401 with `error="invalid_token"` (the
   * token was revoked, a clock is off), the call asks the function for a new token and is sent once more: a 401 means
   * nothing ran, so this is safe for any method. A fixed string is not retried.
   */
  token?: TokenOption;
  /** How long before its `exp` a token from the `token` function is replaced. Default 60 000. */
  tokenRefreshMarginMs?: number;
  /** Each attempt must be answered, body included, within this; else TimeoutError. Default 10 000. */
  timeoutMs?: number;
  /**
   * How many times a 503 is retried, after the wait its Retry-After asks for: GET, HEAD, PUT and DELETE, and a POST or
   * PATCH that carries an Idempotency-Key (createUser and patchUser always do), whose retry the service replays rather
   * than running twice. Such a request is also retried on 409 IDEMPOTENCY_KEY_IN_USE (an earlier attempt still
   * runs). Default 2.
   */
  retries?: number;
  /** The longest wait before a retry; a 503 asking for longer is thrown at once. Default 5 000. */
  maxRetryDelayMs?: number;
  /**
   * The X-Request-ID of a call that names none, e.g. the id of the request this service is handling (from its
   * AsyncLocalStorage), so the service's log lines carry the caller's id. Default: a new UUID per call.
   */
  requestId?: () => string | undefined;
  /** Headers for every request, e.g. a User-Agent naming the calling service. */
  headers?: Record<string, string>;
  /** Defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface CallOptions {
  /** This call's X-Request-ID (wins over the client's requestId()). */
  requestId?: string;
  /** Aborts the call, retries and waits included. */
  signal?: AbortSignal;
  /**
   * createUser and patchUser: the call's Idempotency-Key (default: a new UUID per call). Pass your own to make a
   * retry of your own, e.g. after a crash, replay the first answer: keep it with the work it belongs to.
   */
  idempotencyKey?: string;
}

const RETRIED_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or invalid. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** A 401 whose challenge says the token itself was refused: another token may do. */
const refusesToken = (response: Response) =>
  response.status === 401 && /\berror="?invalid_token\b/i.test(response.headers.get('www-authenticate') ?? '');

function errorFrom(response: Response, body: unknown, requestId: string): UsersvcError {
  const id = response.headers.get('x-request-id') ?? requestId;
  const isProblem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
  if (isProblem && typeof body === 'object' && body !== null && 'code' in body) {
    return new ProblemError(response.status, body as Problem, retryAfterMs(response.headers.get('retry-after')));
  }
  return new HttpError(response.status, typeof body === 'string' ? body : JSON.stringify(body ?? ''), id);
}

/** Errors by shape, not instanceof: fetch's come from Node's own realm, which need not be the caller's. */
const errorLike = (value: unknown): { name: string; message: string; cause?: unknown } | undefined =>
  typeof value === 'object' && value !== null && 'name' in value && 'message' in value
    ? (value as { name: string; message: string; cause?: unknown })
    : undefined;

type Result<T> = { data?: T; error?: unknown; response: Response };
type Init = { headers: Record<string, string>; signal?: AbortSignal };

export function createUsersClient(options: UsersClientOptions) {
  const {
    baseUrl,
    apiKey,
    timeoutMs = 10_000,
    retries = 2,
    maxRetryDelayMs = 5_000,
    fetch: baseFetch = (request: Request) => globalThis.fetch(request),
  } = options;
  if (apiKey && options.token) {
    throw new TypeError(
      'createUsersClient: pass apiKey or token, not both (the service answers a request with both 400 CREDENTIALS_CONFLICT)',
    );
  }
  const tokens = options.token ? createTokenSource(options.token, options.tokenRefreshMarginMs ?? 60_000) : undefined;
  const newRequestId = () => options.requestId?.() ?? globalThis.crypto.randomUUID();

  /** Sends the request once, with the key or `token` and a request id, bounded by timeoutMs. */
  const send = (request: Request, bearer?: string): Promise<Response> => {
    if (apiKey && !request.headers.has('x-api-key')) request.headers.set('X-API-Key', apiKey);
    if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
    if (!request.headers.has('x-request-id')) request.headers.set('X-Request-ID', newRequestId());
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
    return baseFetch(new Request(request, { signal }));
  };

  /**
   * One attempt per call, with the current token; a token the service refused as invalid_token (RFC 6750, 3.1) is
   * replaced by the token function's next and the request sent once more.
   */
  const attempt = async (request: Request): Promise<Response> => {
    if (!tokens || request.headers.has('authorization')) return send(request);
    const again = tokens.renewable ? request.clone() : undefined;
    const token = await tokens.get();
    const response = await send(request, token);
    if (!again || !refusesToken(response)) return response;
    await response.body?.cancel();
    tokens.drop(token);
    return send(again, await tokens.get());
  };

  /** Attempts until an answer other than a retryable 503; every attempt carries the same X-Request-ID. */
  const withRetries = async (request: Request): Promise<Response> => {
    if (!request.headers.has('x-request-id')) request.headers.set('X-Request-ID', newRequestId());
    const keyed = request.headers.has('idempotency-key');
    const retryable = RETRIED_METHODS.has(request.method) || keyed;
    // The service answers a keyed request whose first attempt still runs with 409 and a Retry-After (no other 409
    // carries one): the retry then replays the first attempt's answer.
    const retryAnswer = (response: Response) =>
      response.status === 503 || (keyed && response.status === 409 && response.headers.has('retry-after'));
    for (let attempts = 0; ; attempts++) {
      const response = await attempt(retryable ? request.clone() : request);
      if (!retryAnswer(response) || !retryable || attempts >= retries) return response;
      const delay = retryAfterMs(response.headers.get('retry-after')) ?? Math.min(250 * 2 ** attempts, maxRetryDelayMs);
      if (delay > maxRetryDelayMs) return response;
      await response.body?.cancel();
      await sleep(delay, request.signal);
    }
  };

  /**
   * The openapi-fetch client itself, for anything the methods below do not cover: the same key, request ids,
   * timeouts and retries, with openapi-fetch's `{ data, error, response }` results instead of thrown errors.
   */
  const api: UsersApi = createClient<paths>({ baseUrl, fetch: withRetries, headers: options.headers });

  /** Runs one call: its data on success, else a ProblemError, HttpError, TimeoutError or UsersvcError. */
  async function call<T>(
    run: (init: Init) => Promise<Result<T>>,
    callOptions: CallOptions = {},
    answers?: (response: Response, body: unknown) => body is T,
  ): Promise<T> {
    const requestId = callOptions.requestId ?? newRequestId();
    try {
      const { data, error, response } = await run({
        headers: { 'X-Request-ID': requestId },
        signal: callOptions.signal,
      });
      if (response.ok) return data as T;
      if (answers?.(response, error)) return error;
      throw errorFrom(response, error, requestId);
    } catch (error) {
      if (error instanceof UsersvcError || tokens?.threw(error)) throw error;
      if (callOptions.signal?.aborted) throw error; // the caller's own abort, as fetch reports it
      if (errorLike(error)?.name === 'TimeoutError') throw new TimeoutError(timeoutMs, requestId, error);
      // fetch's own message is "fetch failed"; its cause says why (ECONNREFUSED, a DNS failure ...).
      const cause = errorLike(errorLike(error)?.cause);
      const reason = `${errorLike(error)?.message ?? String(error)}${cause ? ` (${cause.message})` : ''}`;
      throw new UsersvcError(`request to ${baseUrl} failed: ${reason}`, requestId, { cause: error });
    }
  }

  /** The call's headers plus its Idempotency-Key, one per call: every retry of the call sends the same. */
  const keyedInit = (init: Init, o: CallOptions = {}): Init => ({
    ...init,
    headers: { ...init.headers, 'Idempotency-Key': o.idempotencyKey ?? globalThis.crypto.randomUUID() },
  });

  const isReadiness = (response: Response, body: unknown): body is Readiness =>
    response.status === 503 && typeof body === 'object' && body !== null && 'checks' in body;

  return {
    api,
    /** GET /health: the process serves. */
    health: (o?: CallOptions) => call((init) => api.GET('/health', init), o),
    /** GET /ready: `status` is `not_ready` (not an error) while the database is away or the instance drains. */
    ready: (o?: CallOptions) =>
      call((init) => api.GET('/ready', { ...init, fetch: attempt }), o, isReadiness) as Promise<Readiness>,
    /** GET /openapi.json: the document these types were generated from. */
    openApi: (o?: CallOptions) => call((init) => api.GET('/openapi.json', init), o),
    /** GET /metrics: Prometheus text. */
    metrics: (o?: CallOptions) => call((init) => api.GET('/metrics', { ...init, parseAs: 'text' }), o),
    /** GET /api/v1/users: one page; pass the previous page's `next_cursor` as `cursor` for the next. */
    listUsers: (query: ListUsersQuery = {}, o?: CallOptions) =>
      call((init) => api.GET('/api/v1/users', { ...init, params: { query } }), o),
    /** POST /api/v1/users, with an Idempotency-Key: retried like a GET, and a retry never creates a second user. */
    createUser: (user: CreateUser, o?: CallOptions) =>
      call((init) => api.POST('/api/v1/users', { ...keyedInit(init, o), body: user }), o),
    /** GET /api/v1/users/id/{id}: USER_NOT_FOUND when there is none. */
    getUserById: (id: string, o?: CallOptions) =>
      call((init) => api.GET('/api/v1/users/id/{id}', { ...init, params: { path: { id } } }), o),
    /** GET /api/v1/users/username/{username}: case-insensitive. */
    getUserByUsername: (username: string, o?: CallOptions) =>
      call((init) => api.GET('/api/v1/users/username/{username}', { ...init, params: { path: { username } } }), o),
    /** PATCH /api/v1/users/id/{id}: only the fields given change; with an Idempotency-Key, retried like a GET. */
    patchUser: (id: string, changes: PatchUser, o?: CallOptions) =>
      call(
        (init) =>
          api.PATCH('/api/v1/users/id/{id}', { ...keyedInit(init, o), params: { path: { id } }, body: changes }),
        o,
      ),
    /** DELETE /api/v1/users/id/{id}: also fine when the user is already gone. */
    deleteUser: async (id: string, o?: CallOptions): Promise<void> => {
      await call((init) => api.DELETE('/api/v1/users/id/{id}', { ...init, params: { path: { id } } }), o);
    },
  };
}

export type UsersClient = ReturnType<typeof createUsersClient>;
