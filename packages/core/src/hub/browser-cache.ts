/**
 * The browser path: files are kept in the Cache API (`caches.open('tfjs-peft-hub')`), keyed by
 * their resolve URL `{endpoint}/{repo}/resolve/{revision}/{file}`, as transformers.js does. A
 * cached file is used without asking the hub again; offline (`localFilesOnly`) only the cache is read.
 * Without a Cache API (an insecure page, some workers) files are fetched each time.
 */
import { hubOffline, hubToken } from './env';
import { HubNetworkError, HubOfflineError, describeFetchError } from './errors';
import { authHeaders, isMissingEntry, progressFor, readBody, statusError } from './http';
import type { CacheLike, HubFolder } from './hub-folder';

export const CACHE_NAME = 'tfjs-peft-hub';

async function openCache(folder: HubFolder): Promise<CacheLike | null> {
  const storage = folder.options.cacheStorage ?? (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches;
  if (!storage) return null;
  try {
    return await storage.open(CACHE_NAME);
  } catch {
    return null;
  }
}

export async function read(folder: HubFolder, file: string): Promise<Uint8Array | null> {
  const url = folder.fileUrl(file);
  const cache = await openCache(folder);
  const hit = await cache?.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    const progress = progressFor(folder, file, bytes.byteLength);
    progress.done(bytes.byteLength);
    return bytes;
  }
  if (hubOffline(folder.options.localFilesOnly)) {
    throw new HubOfflineError(folder.repoId, folder.revision, file, `Cache API "${CACHE_NAME}"`, cache ? `no entry for ${url}` : 'no Cache API here');
  }
  const token = await hubToken(folder.options.token);
  let res: Response;
  try {
    res = await (folder.options.fetch ?? fetch)(url, { headers: authHeaders(token) });
  } catch (e) {
    throw new HubNetworkError(url, describeFetchError(e), e);
  }
  if (!res.ok) {
    const err = statusError(folder, file, url, res, token != null);
    if (isMissingEntry(err)) return null;
    throw err;
  }
  const length = res.headers.get('content-length');
  const total = res.headers.get('x-linked-size') ?? length;
  const progress = progressFor(folder, file, total == null ? null : Number(total));
  const chunks: Uint8Array[] = [];
  const loaded = await readBody(res, (c) => void chunks.push(c), progress);
  progress.done(loaded);
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const headers: Record<string, string> = { 'Content-Length': String(loaded), 'Content-Type': res.headers.get('content-type') ?? 'application/octet-stream' };
  const commit = res.headers.get('x-repo-commit');
  if (commit) headers['X-Repo-Commit'] = commit;
  try {
    await cache?.put(url, new Response(bytes, { headers }));
  } catch {
    // a full quota: the file loads, it is just not kept
  }
  return bytes;
}

export async function exists(folder: HubFolder, file: string): Promise<boolean> {
  const url = folder.fileUrl(file);
  const cache = await openCache(folder);
  if (await cache?.match(url)) return true;
  if (hubOffline(folder.options.localFilesOnly)) return false;
  // with a cache, fetch it now (the next read is a cache hit); without one, ask with HEAD
  if (cache) return (await read(folder, file)) !== null;
  const token = await hubToken(folder.options.token);
  let res: Response;
  try {
    res = await (folder.options.fetch ?? fetch)(url, { method: 'HEAD', headers: authHeaders(token) });
  } catch (e) {
    throw new HubNetworkError(url, describeFetchError(e), e);
  }
  if (res.ok) return true;
  const err = statusError(folder, file, url, res, token != null);
  if (isMissingEntry(err)) return false;
  throw err;
}
