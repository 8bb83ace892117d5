// Makes Functions Framework's own Express app (`functions-framework --target=...`, and its getTestServer) answer
// exactly as our production server does: the same body limit, and problem details for what Express would
// otherwise answer itself with an empty 404 or an HTML page carrying a stack trace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { errors } from '../errors';
import { readBodyWithLimit, type BodyFields } from './body-limit';
import { MAX_BODY_BYTES } from './limits';
import { send } from './pipeline';
import { problemResponse } from './problem';
import { requestIdFrom } from './request-id';
import { splitTarget } from './request-target';

type Request = IncomingMessage & BodyFields & { rawUrl?: string };
type Done = (error?: unknown) => void;
type Handle = (this: unknown, req: Request, res: ServerResponse, done?: Done) => void;
interface ExpressApplication {
  handle: Handle;
  [ADAPTED]?: true;
}

const ADAPTED = Symbol.for('usersvc.framework-adapted');

// The app answers these itself, before any function runs: its default ignored routes get an empty 404, and a
// target that is not a path ("OPTIONS *") or cannot be percent-decoded gets Express's HTML error page.
const FRAMEWORK_IGNORED_ROUTE = /^\/(favicon\.ico|robots\.txt)(\/|$)/i;

/**
 * Hands such a request to Express under a harmless escaped path and keeps the original in `rawUrl`, so that our
 * router answers it with problem details like any other unknown or invalid path.
 */
function shieldFromFrameworkRoutes(request: Request): void {
  const url = request.url ?? '/';
  const { path, query } = splitTarget(url);
  let decodable = true;
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      decodable = false;
    }
  }
  if (decodable && path.startsWith('/') && !FRAMEWORK_IGNORED_ROUTE.test(path)) return;
  request.rawUrl = url;
  request.url = `/${encodeURIComponent(path)}${query === undefined ? '' : `?${query}`}`;
}

/** What reaches Express's final handler (an error from its own middleware, or no route): problem details. */
function answerUnhandled(request: Request, response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const status = (error as { status?: unknown } | undefined)?.status;
  const problem =
    error === undefined
      ? errors.routeNotFound(request.url ?? '/')
      : status === 413
        ? errors.payloadTooLarge()
        : status === 415
          ? errors.unsupportedMediaType()
          : status === 400
            ? errors.malformedJson()
            : errors.internal(error);
  send(response, problemResponse(problem, requestIdFrom(request.headers['x-request-id'])), true);
}

/**
 * Installs the front door on every Express app Functions Framework builds in this process: our body limit runs
 * first (the framework's parsers then see no body; our pipeline reads `rawBody`), and whatever Express would answer
 * itself becomes problem details. Express offers no hook for an app it creates internally, so this wraps
 * `application.handle`, the one method every request of every app goes through. Idempotent.
 */
export function adaptFrameworkApps(): void {
  const frameworkRequire = createRequire(require.resolve('@google-cloud/functions-framework'));
  const { application } = frameworkRequire('express') as { application: ExpressApplication };
  if (application[ADAPTED]) return;
  const handle = application.handle;
  application.handle = function (this: unknown, request, response, done) {
    shieldFromFrameworkRoutes(request);
    readBodyWithLimit(request, MAX_BODY_BYTES, () =>
      handle.call(this, request, response, done ?? ((error) => answerUnhandled(request, response, error))),
    );
  };
  application[ADAPTED] = true;
}
