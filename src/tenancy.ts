import type { Db } from './db.js';
import { apiKeyPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './domain/api-keys.js';
import { newId } from './domain/ids.js';

export const DEFAULT_WORKSPACE_SLUG = 'default';

export async function createWorkspace(db: Db, name: string, slug?: string) {
  const workspace = await db.workspace.create({ data: { id: newId('ws'), name, slug: slug ?? null } });
  const key = await createApiKey(db, workspace.id);
  return { workspace, apiKey: key.apiKey, apiKeyId: key.id };
}

/** Stores only the hash; the caller shows `apiKey` once. */
export async function createApiKey(db: Db, workspaceId: string, apiKey = generateApiKey()) {
  const id = newId('key');
  await db.apiKey.create({
    data: { id, workspaceId, keyHash: hashApiKey(apiKey), prefix: apiKeyPrefix(apiKey) },
  });
  return { id, apiKey };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count > 0 || (await db.apiKey.count({ where: { id } })) > 0;
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
export async function authenticateApiKey(db: Db, apiKey: string): Promise<{ apiKeyId: string; workspaceId: string } | null> {
  if (!isWellFormedApiKey(apiKey)) return null;
  const key = await db.apiKey.findUnique({
    where: { keyHash: hashApiKey(apiKey) },
    select: { id: true, workspaceId: true, revokedAt: true },
  });
  return key && !key.revokedAt ? { apiKeyId: key.id, workspaceId: key.workspaceId } : null;
}

/** The workspace a Bearer key belongs to, or null for a malformed, unknown or revoked key. */
export async function authenticate(db: Db, apiKey: string): Promise<string | null> {
  return (await authenticateApiKey(db, apiKey))?.workspaceId ?? null;
}
