import { TfjsPeftError } from '../errors';

/** Base of the errors a Hugging Face Hub download or cache lookup throws. */
export class HubError extends TfjsPeftError {}

const OFFLINE_HINT = 'to load from the cache only, pass { localFilesOnly: true } or set HF_HUB_OFFLINE=1';

/** 401/403: a gated or private repo, or a wrong token. */
export class HubAuthError extends HubError {
  constructor(
    readonly repoId: string,
    readonly url: string,
    readonly status: number,
    hadToken: boolean,
  ) {
    super(
      'HUB_AUTH',
      `${repoId}: HTTP ${status} for ${url} — the repo is gated or private${
        hadToken
          ? ', and the token sent has no access to it (accept its conditions on the hub page, or use a token of an account that has access)'
          : '; pass { token: "hf_…" } or set HF_TOKEN (a token of an account that has access)'
      }`,
    );
  }
}

/** 404: the repo, the revision or the file does not exist on the hub. */
export class HubNotFoundError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
    readonly file: string,
    readonly url: string,
    readonly what: 'repo' | 'revision' | 'file',
  ) {
    super(
      'HUB_NOT_FOUND',
      what === 'repo'
        ? `${repoId}: no such repo on the hub (HTTP 404 for ${url}); check the id (org/name)`
        : what === 'revision'
          ? `${repoId}: no revision "${revision}" (HTTP 404 for ${url}); use a branch, tag or commit of the repo`
          : `${repoId}: no file "${file}" at revision "${revision}" (HTTP 404 for ${url})`,
    );
  }
}

/** The hub could not be reached (connection refused, DNS, timeout, 5xx) and the file is not cached. */
export class HubNetworkError extends HubError {
  constructor(
    readonly url: string,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super('HUB_NETWORK', `${url}: cannot be fetched (${reason}) and the file is not in the cache; check the network or HF_ENDPOINT, or, ${OFFLINE_HINT}`);
  }
}

/** Offline (`localFilesOnly` or `HF_HUB_OFFLINE`) and the file is not in the cache. */
export class HubOfflineError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
    readonly file: string,
    readonly cacheFolder: string,
    why: string,
  ) {
    super(
      'HUB_NOT_CACHED',
      `${repoId}: "${file}" (revision "${revision}") is not in the cache ${cacheFolder} (${why}), and offline mode is on (localFilesOnly or HF_HUB_OFFLINE=1); download it once online, or point cacheDir / HF_HUB_CACHE at a cache that has it`,
    );
  }
}

/** The server answered, but not as the hub does (no X-Repo-Commit / ETag), or a download is corrupt. */
export class HubResponseError extends HubError {
  constructor(
    readonly url: string,
    problem: string,
  ) {
    super('HUB_BAD_RESPONSE', `${url}: ${problem}`);
  }
}

/** The message of a fetch failure with its cause (`fetch failed` alone says nothing). */
export function describeFetchError(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string; errors?: { message?: string }[] } };
  const c = err.cause;
  let inner = c?.message || c?.code || '';
  if (c && !c.message && Array.isArray(c.errors)) inner = [c.code, ...c.errors.map((x) => x.message)].filter(Boolean).join('; ');
  const outer = err.message ?? String(e);
  return inner && inner !== outer ? `${outer}: ${inner}` : outer;
}
