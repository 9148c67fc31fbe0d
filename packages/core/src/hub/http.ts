/** What the hub's HTTP answers mean, and download progress; shared by the Node and browser paths. */
import { progressBarsDisabled } from './env';
import { HubAuthError, HubNetworkError, HubNotFoundError, type HubError } from './errors';
import type { HubFolder, HubProgress } from './hub-folder';

/** The error of a non-2xx answer; 5xx is a `HubNetworkError` (the cache may still have the file). */
export function statusError(folder: HubFolder, file: string, url: string, res: Response, hadToken: boolean): HubError {
  if (res.status === 401 || res.status === 403) return new HubAuthError(folder.repoId, url, res.status, hadToken);
  if (res.status === 404) {
    const code = res.headers.get('x-error-code');
    const what = code === 'RepoNotFound' ? 'repo' : code === 'RevisionNotFound' ? 'revision' : 'file';
    return new HubNotFoundError(folder.repoId, folder.revision, file, url, what);
  }
  const msg = res.headers.get('x-error-message');
  return new HubNetworkError(url, `HTTP ${res.status} ${res.statusText}${msg ? `: ${msg}` : ''}`);
}

/** A 404 for a file of a repo that exists (not a missing repo or revision). */
export function isMissingEntry(e: unknown): boolean {
  return e instanceof HubNotFoundError && e.what === 'file';
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function formatSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/**
 * A progress sink for one file: `options.onProgress`, or else (Node, stderr a terminal, and
 * `HF_HUB_DISABLE_PROGRESS_BARS` not set) one line per file redrawn in place, as huggingface_hub's tqdm bars.
 */
export function progressFor(folder: HubFolder, file: string, total: number | null): { update(loaded: number): void; done(loaded: number): void } {
  const cb = folder.options.onProgress;
  if (cb) {
    const p = (loaded: number): HubProgress => ({ file, repoId: folder.repoId, loaded, total });
    cb(p(0));
    return { update: (l) => cb(p(l)), done: (l) => cb({ ...p(l), total: total ?? l }) };
  }
  const tty = typeof process !== 'undefined' && (process.stderr as { isTTY?: boolean } | undefined)?.isTTY === true && !progressBarsDisabled();
  if (!tty) return { update: () => undefined, done: () => undefined };
  let last = 0;
  const draw = (loaded: number, end: boolean) => {
    const now = Date.now();
    if (!end && now - last < 100) return;
    last = now;
    const pct = total ? `${Math.floor((100 * loaded) / total)}%`.padStart(4) : '';
    process.stderr.write(`\r${folder.repoId}/${file}: ${pct} ${formatSize(loaded)}${total ? ` / ${formatSize(total)}` : ''}\x1b[K${end ? '\n' : ''}`);
  };
  return { update: (l) => draw(l, false), done: (l) => draw(l, true) };
}

/** Reads a response body in chunks, reporting progress; `sink` receives each chunk. */
export async function readBody(res: Response, onChunk: (chunk: Uint8Array) => void | Promise<void>, progress: { update(loaded: number): void }, start = 0): Promise<number> {
  let loaded = start;
  if (!res.body) return loaded;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await onChunk(value);
    loaded += value.byteLength;
    progress.update(loaded);
  }
  return loaded;
}
