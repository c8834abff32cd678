/**
 * SPEC §11 scoped keys: `read` (GET), `write` (every other change), `send` (starting or resuming a
 * campaign, the calls that make mail go out). A key holds any subset; keys made before scopes
 * existed hold all three.
 */
export const SCOPES = ['read', 'write', 'send'] as const;
export type Scope = (typeof SCOPES)[number];

const LAUNCH = /^\/v1\/campaigns\/[^/]+\/(?:start|resume)\/?$/;

/** The scope a /v1 request needs, from its method and path. */
export function requiredScope(method: string, path: string): Scope {
  if (method === 'GET' || method === 'HEAD') return 'read';
  return method === 'POST' && LAUNCH.test(path) ? 'send' : 'write';
}
