// The scopes a caller can hold, one per kind of access; each route names the one it needs (functions/routes.ts).
export const SCOPES = {
  'users:read': 'List and read users',
  'users:write': 'Create, change and delete users',
  'metrics:read': 'Read /metrics (Prometheus)',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export const isScope = (value: string): value is Scope => Object.hasOwn(SCOPES, value);
