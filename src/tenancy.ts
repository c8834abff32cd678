import type { Db } from './db.js';
import { apiKeyPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './domain/api-keys.js';
import { NotFoundError } from './domain/errors.js';
import { newId } from './domain/ids.js';
import { SCOPES, type Scope } from './domain/scopes.js';

export const DEFAULT_WORKSPACE_SLUG = 'default';

export async function createWorkspace(db: Db, name: string, slug?: string) {
  const workspace = await db.workspace.create({ data: { id: newId('ws'), name, slug: slug ?? null } });
  const key = await createApiKey(db, workspace.id);
  return { workspace, apiKey: key.apiKey, apiKeyId: key.id };
}

/** Stores only the hash; the caller shows `apiKey` once. */
export async function createApiKey(db: Db, workspaceId: string, apiKey = generateApiKey(), scopes: readonly Scope[] = SCOPES, name: string | null = null) {
  const id = newId('key');
  const stored = SCOPES.filter((s) => scopes.includes(s));
  await db.apiKey.create({
    data: { id, workspaceId, keyHash: hashApiKey(apiKey), prefix: apiKeyPrefix(apiKey), scopes: stored, name },
  });
  return { id, apiKey, scopes: stored, name };
}

/** Another key for an existing workspace (the operator's call); NotFoundError for an unknown one. */
export async function createApiKeyFor(db: Db, workspaceId: string, scopes: readonly Scope[] = SCOPES, name: string | null = null) {
  if (!(await db.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } }))) throw new NotFoundError('workspace');
  return createApiKey(db, workspaceId, undefined, scopes, name);
}

export const apiKeyView = (k: { id: string; name: string | null; prefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes as Scope[],
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** A workspace's keys, newest first (never the keys themselves: only their prefixes). */
export async function listApiKeys(db: Db, workspaceId: string) {
  return (await db.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: 'desc' } })).map(apiKeyView);
}

/** Revokes one of the workspace's own keys; another workspace's key is NotFoundError. */
export async function revokeOwnApiKey(db: Db, workspaceId: string, id: string, now: Date): Promise<void> {
  if ((await db.apiKey.count({ where: { id, workspaceId } })) === 0) throw new NotFoundError('api_key');
  await revokeApiKey(db, id, now);
}

/** Revoking twice is fine; an unknown key is NotFoundError. */
export async function revokeApiKey(db: Db, id: string, now: Date): Promise<void> {
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  if (count === 0 && (await db.apiKey.count({ where: { id } })) === 0) throw new NotFoundError('api_key');
}

export const workspaceView = (w: { id: string; name: string; timezone: string; createdAt: Date }) => ({
  id: w.id,
  name: w.name,
  timezone: w.timezone,
  createdAt: w.createdAt.toISOString(),
});

export async function getWorkspace(db: Db, id: string) {
  return workspaceView(await db.workspace.findUniqueOrThrow({ where: { id } }));
}

/** Makes `apiKey` a valid key of the `default` workspace; idempotent across restarts. */
export async function ensureBootstrapKey(db: Db, apiKey: string) {
  const workspace = await db.workspace.upsert({
    where: { slug: DEFAULT_WORKSPACE_SLUG },
    create: { id: newId('ws'), name: 'Default', slug: DEFAULT_WORKSPACE_SLUG },
    update: {},
  });
  const keyHash = hashApiKey(apiKey);
  await db.apiKey.upsert({
    where: { keyHash },
    create: { id: newId('key'), workspaceId: workspace.id, keyHash, prefix: apiKeyPrefix(apiKey) },
    // Re-asserting the bootstrap key un-revokes it: the operator's environment is the authority.
    update: { revokedAt: null, workspaceId: workspace.id },
  });
  return workspace;
}

/** The key and workspace a Bearer key stands for, or null for a malformed, unknown or revoked key. */
export async function authenticateApiKey(db: Db, apiKey: string): Promise<{ apiKeyId: string; workspaceId: string; scopes: Scope[] } | null> {
  if (!isWellFormedApiKey(apiKey)) return null;
  const key = await db.apiKey.findUnique({
    where: { keyHash: hashApiKey(apiKey) },
    select: { id: true, workspaceId: true, revokedAt: true, scopes: true },
  });
  return key && !key.revokedAt ? { apiKeyId: key.id, workspaceId: key.workspaceId, scopes: key.scopes as Scope[] } : null;
}

