const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// Prisma's "can't reach / timed out / closed" codes and PostgreSQL's shutdown / cannot-connect states.
const DB_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const PATTERNS = [/connection terminated/i, /can't reach database/i, /connect(ion)? (refused|timeout)/i, /timeout exceeded when trying to connect/i,
  // pg, for a pooled client whose connection broke under it (seen while PostgreSQL restarts).
  /is not queryable/i, /14 UNAVAILABLE/, /4 DEADLINE_EXCEEDED/];

// What @prisma/adapter-pg calls a lost or unreachable server (DriverAdapterError causes).
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Whether an error means a dependency (Postgres, Temporal) is down rather than the request being
 * wrong: those answer 503 so callers retry instead of giving up. Follows `cause` chains and Prisma's
 * `meta.driverAdapterError`, where the driver's own code sits (PostgreSQL's 57P01 "terminating
 * connection due to administrator command" while it shuts down, 57P03 while it starts up).
 */
export function isDependencyUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const current = pending.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; name?: unknown; kind?: unknown; cause?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown } };
    for (const code of [e.code, e.originalCode]) {
      if (typeof code === 'string' && (NETWORK_CODES.has(code) || DB_CODES.has(code))) return true;
      // gRPC status UNAVAILABLE / DEADLINE_EXCEEDED from the Temporal client.
      if (typeof code === 'number' && (code === 14 || code === 4)) return true;
    }
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    if (e.name === 'ConnectionError') return true;
    if (typeof e.message === 'string' && PATTERNS.some((p) => p.test(e.message as string))) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}
