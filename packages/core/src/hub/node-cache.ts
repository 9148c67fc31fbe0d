/**
 * The Node path: files live in the Hugging Face cache layout that huggingface_hub writes and reads
 * (`file_download.py`), so either finds what the other downloaded:
 *
 *   <cache>/models--org--name/blobs/<etag>               the bytes (etag: sha256 for LFS files, git blob id otherwise)
 *   <cache>/models--org--name/snapshots/<commit>/<file>  a relative symlink to the blob (a copy where links fail)
 *   <cache>/models--org--name/refs/<revision>            the commit the revision (`main`) last resolved to
 *   <cache>/models--org--name/.no_exist/<commit>/<file>  the hub said 404 for this file at this commit
 *
 * Online, a `HEAD {endpoint}/{repo}/resolve/{revision}/{file}` gives `X-Repo-Commit`, the
 * `X-Linked-Etag` (or `ETag`) naming the blob and the size; a 302 to a file host gives the download
 * URL. Offline, or when the hub cannot be reached, `refs/<revision>` gives the commit.
 *
 * Node modules are loaded with `import()` so browser bundles never need them.
 */
import { hubCacheDir, hubOffline, hubToken } from './env';
import { HubNetworkError, HubOfflineError, HubResponseError, describeFetchError } from './errors';
import { authHeaders, isMissingEntry, progressFor, readBody, statusError } from './http';
import type { HubFolder } from './hub-folder';
import { COMMIT_HASH, repoFolderName } from './repo-id';

interface FileMeta {
  commit: string;
  etag: string;
  size: number | null;
  /** where the bytes are: the resolve URL, or the file host a 302 pointed at */
  downloadUrl: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

export async function read(folder: HubFolder, file: string): Promise<Uint8Array | null> {
  const path = await resolveInCache(folder, file);
  if (path === null) return null;
  const buf = await (await import('node:fs/promises')).readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Offline or with the hub unreachable, a file that is not in a cached snapshot of the revision does
 * not exist (as transformers' `cached_file` for optional files): a sharded checkpoint has no
 * model.safetensors. Without any snapshot of the revision, the error says what is missing.
 */
export async function exists(folder: HubFolder, file: string): Promise<boolean> {
  return (await resolveInCache(folder, file, true)) !== null;
}

/** The file's path in the cache, downloading it on a miss; null when the hub has no such file. */
export async function resolveInCache(folder: HubFolder, file: string, probing = false): Promise<string | null> {
  const { join } = await import('node:path');
  const o = folder.options;
  const storage = join(await hubCacheDir(o.cacheDir), repoFolderName(folder.repoId));
  const revision = folder.commit ?? folder.revision;
  // a commit already on disk needs no request (huggingface_hub does the same)
  if (COMMIT_HASH.test(revision)) {
    const p = pointerPath(join, storage, revision, file);
    if (await isFile(p)) return p;
  }
  if (hubOffline(o.localFilesOnly)) return fromCache(folder, storage, revision, file, null, probing);

  const token = await hubToken(o.token);
  const url = folder.fileUrl(file, revision);
  let meta: FileMeta;
  try {
    meta = await head(folder, file, url, token);
  } catch (e) {
    if (e instanceof HubNetworkError) return fromCache(folder, storage, revision, file, e, probing);
    if (isMissingEntry(e)) {
      const commit = (e as { commit?: string }).commit;
      if (commit) await markMissing(join, storage, commit, file);
      return null;
    }
    throw e;
  }
  folder.commit ??= meta.commit;
  if (revision !== meta.commit) await writeAtomic(join(storage, 'refs', revision), meta.commit);
  const blob = join(storage, 'blobs', meta.etag);
  const pointer = pointerPath(join, storage, meta.commit, file);
  if (await isFile(pointer)) return pointer;
  if (!(await isFile(blob))) await download(folder, file, url, meta, blob, token);
  await link(blob, pointer);
  return pointer;
}

function pointerPath(join: (...p: string[]) => string, storage: string, commit: string, file: string): string {
  return join(storage, 'snapshots', commit, ...file.split('/'));
}

/** Offline or hub unreachable: the file as cached for this revision, else a clear error. */
async function fromCache(folder: HubFolder, storage: string, revision: string, file: string, networkError: HubNetworkError | null, probing: boolean): Promise<string | null> {
  const { join } = await import('node:path');
  const fs = await import('node:fs/promises');
  let commit: string | null = COMMIT_HASH.test(revision) ? revision : null;
  if (commit === null) {
    try {
      commit = (await fs.readFile(join(storage, 'refs', revision), 'utf8')).trim();
    } catch {
      commit = null;
    }
  }
  if (commit) {
    const p = pointerPath(join, storage, commit, file);
    if (await isFile(p)) return p;
    if (await isFile(join(storage, '.no_exist', commit, ...file.split('/')))) return null;
    if (
      probing &&
      (await fs.stat(join(storage, 'snapshots', commit)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      return null;
  }
  if (networkError) throw networkError;
  throw new HubOfflineError(
    folder.repoId,
    folder.revision,
    file,
    storage,
    commit ? `snapshots/${commit}/ has no ${file}` : `no refs/${revision}: this revision was never downloaded here`,
  );
}

/** Same host name, ports aside (huggingface_hub `_is_same_or_hub_host`). */
function sameHost(a: string, b: string): boolean {
  const host = (u: string) => new URL(u).hostname.toLowerCase();
  return host(a) === host(b) || ['huggingface.co', 'hf.co'].includes(host(b));
}

/** HEAD on the resolve URL, following redirects on the hub's host but not a 302 to a file host. */
async function head(folder: HubFolder, file: string, url: string, token: string | undefined): Promise<FileMeta> {
  const f = folder.options.fetch ?? fetch;
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    let res: Response;
    try {
      res = await f(current, { method: 'HEAD', headers: { ...authHeaders(token), 'Accept-Encoding': 'identity' }, redirect: 'manual' });
    } catch (e) {
      throw new HubNetworkError(current, describeFetchError(e), e);
    }
    const location = res.headers.get('location');
    const redirect = res.status >= 300 && res.status < 400 && location != null;
    // follow redirects on the hub's host (a renamed repo); stop at a file host: its 302 carries the metadata
    if (redirect && sameHost(current, new URL(location, current).href)) {
      current = new URL(location, current).href;
      continue;
    }
    if (!redirect && !res.ok) {
      const err = statusError(folder, file, current, res, token != null);
      const commit = res.headers.get('x-repo-commit');
      if (commit) Object.assign(err, { commit });
      throw err;
    }
    const commit = res.headers.get('x-repo-commit');
    if (!commit) {
      throw new HubResponseError(current, `no X-Repo-Commit header in the answer, so this is not a Hugging Face Hub endpoint (check HF_ENDPOINT / the endpoint option)`);
    }
    const etag = normaliseEtag(res.headers.get('x-linked-etag') ?? res.headers.get('etag'));
    if (!etag) throw new HubResponseError(current, 'no ETag header in the answer; the file cannot be cached reliably');
    const sizeHeader = res.headers.get('x-linked-size') ?? (redirect ? null : res.headers.get('content-length'));
    return { commit, etag, size: sizeHeader == null ? null : Number(sizeHeader), downloadUrl: redirect ? new URL(location, current).href : current };
  }
  throw new HubResponseError(url, 'too many redirects');
}

/** `W/"abc"` or `"abc"` → `abc` (huggingface_hub `_normalize_etag`). */
function normaliseEtag(etag: string | null): string | null {
  if (etag == null) return null;
  return etag.replace(/^W\//, '').replace(/^"+|"+$/g, '') || null;
}

/**
 * Downloads into `<blob>.incomplete` (huggingface_hub's name, so either resumes the other's
 * interrupted download with a `Range` request), checks the size and, for LFS files whose ETag is a
 * sha256, the hash, then renames it onto the blob: a blob is always whole.
 */
async function download(folder: HubFolder, file: string, resolveUrl: string, meta: FileMeta, blob: string, token: string | undefined): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const { createHash } = await import('node:crypto');
  await fs.mkdir(dirname(blob), { recursive: true });
  const tmp = `${blob}.incomplete`;
  let start = (await fs.stat(tmp).catch(() => null))?.size ?? 0;
  if (meta.size != null && start > meta.size) start = 0;
  // the token goes to the hub only, not to a file host on another domain (as huggingface_hub)
  const headers: Record<string, string> = { ...(sameHost(resolveUrl, meta.downloadUrl) ? authHeaders(token) : {}), 'Accept-Encoding': 'identity' };
  if (start > 0) headers.Range = `bytes=${start}-`;
  const f = folder.options.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(meta.downloadUrl, { headers });
  } catch (e) {
    throw new HubNetworkError(meta.downloadUrl, describeFetchError(e), e);
  }
  if (!res.ok) throw statusError(folder, file, meta.downloadUrl, res, token != null);
  if (res.status !== 206) start = 0;
  const hash = createHash('sha256');
  if (start > 0) hash.update(await fs.readFile(tmp));
  const total = meta.size ?? (res.headers.get('content-length') != null ? start + Number(res.headers.get('content-length')) : null);
  const progress = progressFor(folder, file, total);
  const fh = await fs.open(tmp, start > 0 ? 'a' : 'w');
  let loaded: number;
  try {
    loaded = await readBody(
      res,
      async (chunk) => {
        hash.update(chunk);
        await fh.write(chunk);
      },
      progress,
      start,
    );
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e instanceof HubNetworkError ? e : new HubNetworkError(meta.downloadUrl, `download broke off: ${describeFetchError(e)}`, e);
  }
  await fh.close();
  progress.done(loaded);
  if (meta.size != null && loaded !== meta.size) {
    await fs.rm(tmp, { force: true });
    throw new HubResponseError(meta.downloadUrl, `downloaded ${loaded} bytes of ${file}, the hub announced ${meta.size}; the file was not cached`);
  }
  const digest = hash.digest('hex');
  if (SHA256.test(meta.etag) && digest !== meta.etag) {
    await fs.rm(tmp, { force: true });
    throw new HubResponseError(meta.downloadUrl, `sha256 of the downloaded ${file} is ${digest}, the hub's ETag says ${meta.etag}; the download is corrupt and was not cached`);
  }
  await fs.rename(tmp, blob);
}

/** snapshots/<commit>/<file> → ../../blobs/<etag>, a relative symlink made under a temporary name and renamed; a copy where symlinks fail. */
async function link(blob: string, pointer: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, relative } = await import('node:path');
  await fs.mkdir(dirname(pointer), { recursive: true });
  const tmp = `${pointer}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fs.symlink(relative(dirname(pointer), blob), tmp);
  } catch {
    await fs.copyFile(blob, tmp);
  }
  await fs.rename(tmp, pointer);
}

async function markMissing(join: (...p: string[]) => string, storage: string, commit: string, file: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const p = join(storage, '.no_exist', commit, ...file.split('/'));
  try {
    await fs.mkdir(dirname(p), { recursive: true });
    await fs.writeFile(p, '');
  } catch {
    // as huggingface_hub: failing to record a missing file is not an error
  }
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  try {
    if ((await fs.readFile(path, 'utf8')) === text) return;
  } catch {
    // not there yet
  }
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path);
}

async function isFile(path: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return fs.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
