import { homedir } from 'node:os';
import path from 'node:path';

/** Per-user cache for downloaded tools (never the repo), so every clone reuses them. */
export function cacheDir(): string {
  if (process.env.SEQUENT_CACHE_DIR) return path.resolve(process.env.SEQUENT_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'sequent');
}
