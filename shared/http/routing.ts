// Matches a method and path against route templates: a route, 405 with the methods the path has, or 404.
import { errors } from '../errors';
import type { Route } from './types';

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'not-found' };

interface CompiledPath {
  template: string;
  segments: string[];
  routes: Route[];
}

function compile(routes: readonly Route[]): CompiledPath[] {
  const byTemplate = new Map<string, CompiledPath>();
  for (const route of routes) {
    const path = byTemplate.get(route.path) ?? { template: route.path, segments: route.path.split('/'), routes: [] };
    path.routes.push(route);
    byTemplate.set(route.path, path);
  }
  return [...byTemplate.values()];
}

function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.validationFailed([{ field: `path.${name}`, message: 'is not valid percent-encoding' }]);
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  // Every segment is compared before any parameter is decoded: most templates fail on a literal segment, and a
  // failed match then costs no object and no decoding (this runs for each template, on every request).
  for (let i = 0; i < template.length; i++) {
    const expected = template[i] as string;
    const segment = actual[i] as string;
    if (expected.startsWith(':') ? segment === '' : expected !== segment) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const expected = template[i] as string;
    if (expected.startsWith(':')) params[expected.slice(1)] = decodeSegment(actual[i] as string, expected.slice(1));
  }
  return params;
}

export function createRouter(routes: readonly Route[]) {
  const paths = compile(routes);
  return function match(method: string, path: string): RouteMatch {
    // HEAD is answered as GET (Node drops the body); everything else must match exactly.
    const effective = method === 'HEAD' ? 'GET' : method;
    const actual = path.split('/');
    for (const candidate of paths) {
      const params = matchSegments(candidate.segments, actual);
      if (!params) continue;
      const route = candidate.routes.find((r) => r.method === effective);
      if (route) return { kind: 'found', route, params };
      const allow: string[] = candidate.routes.map((r) => r.method);
      if (allow.includes('GET')) allow.push('HEAD');
      return { kind: 'wrong-method', allow };
    }
    return { kind: 'not-found' };
  };
}
