import { createHttpClient, type ApiClient } from '../../src/shared/api/client.ts';
import type { DfsProcess } from './dfs.ts';

/** A signed-in API client for a started dfs (admin). */
export async function adminClient(dfs: Pick<DfsProcess, 'apiPort' | 'adminPassword'>): Promise<ApiClient> {
  const base = `http://127.0.0.1:${dfs.apiPort as number}`;
  const anon = createHttpClient({ baseUrl: base });
  const pair = await anon.call('auth.login', { body: { username: 'admin', password: dfs.adminPassword } });
  return createHttpClient({ baseUrl: base, getAccessToken: () => pair.accessToken });
}
