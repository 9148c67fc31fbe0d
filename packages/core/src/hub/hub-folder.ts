/**
 * A Hugging Face Hub repo as a folder location: `joinPath(hubFolder, 'config.json')` gives a
 * `HubPath`, and `readBytes` / `exists` on it resolve through the cache (Node: the Hugging Face
 * cache folder, downloading on a miss; browsers: the Cache API). Every loader that reads a folder
 * through `joinPath` / `readBytes` / `exists` therefore loads from the hub unchanged.
 */
import { normalise } from '../io/memory-folder';
import { hubEndpoint } from './env';
import { HubError, HubNotFoundError } from './errors';
import { isRepoId } from './repo-id';

/** One file's download progress; `total` is null when the server sent no size. */
export interface HubProgress {
  /** the file in the repo (`model.safetensors`) */
  file: string;
  repoId: string;
  loaded: number;
  total: number | null;
}

/** The parts of the Cache API the browser path uses (`globalThis.caches` by default). */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}

/** How files of a hub repo are found: the options of transformers' / huggingface_hub's `from_pretrained`. */
export interface HubOptions {
  /** branch, tag or commit (default `main`) */
  revision?: string;
  /** Node: the hub cache folder (default `HF_HUB_CACHE`, else `<HF_HOME>/hub`, else `~/.cache/huggingface/hub`) */
  cacheDir?: string;
  /** access token for gated or private repos (default `HF_TOKEN`, else the `hf auth login` token file); `false` sends none */
  token?: string | false;
  /** never touch the network; files must be in the cache (default: `HF_HUB_OFFLINE=1`) */
  localFilesOnly?: boolean;
  /** called as each file downloads; without it, Node prints a progress line per file on a terminal */
  onProgress?: (progress: HubProgress) => void;
  /** the hub's address (default `HF_ENDPOINT`, else https://huggingface.co) */
  endpoint?: string;
  /** the fetch to use (a proxy, extra headers) */
  fetch?: typeof fetch;
  /** browsers: the Cache API to keep files in (default `globalThis.caches`); when given in Node, the browser path is used */
  cacheStorage?: CacheStorageLike;
}

/** A hub repo (model repos only) at a revision. */
export class HubFolder {
  readonly revision: string;
  /**
   * The commit the first file resolved to (Node). Later files of this folder are fetched at that
   * commit, so a checkpoint never mixes files of two pushes.
   */
  commit: string | null = null;

  constructor(
    readonly repoId: string,
    readonly options: HubOptions = {},
  ) {
    if (!isRepoId(repoId)) {
      throw new HubError('HUB_REPO_ID', `${JSON.stringify(repoId)}: not a hub repo id (name or org/name: letters, digits, "-", "_", "."; no "--" or ".."; at most 96 characters)`);
    }
    this.revision = options.revision ?? 'main';
  }

  root(): HubPath {
    return new HubPath(this, '');
  }

  /** `{endpoint}/{repo}/resolve/{revision}/{file}`, quoted as huggingface_hub's `hf_hub_url`. */
  fileUrl(file: string, revision: string = this.revision): string {
    const path = file.split('/').map(encodeURIComponent).join('/');
    return `${hubEndpoint(this.options.endpoint)}/${this.repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
  }

  toString(): string {
    return this.revision === 'main' ? this.repoId : `${this.repoId}@${this.revision}`;
  }
}

/** A file (or sub-folder) in a hub repo. */
export class HubPath {
  constructor(
    readonly folder: HubFolder,
    readonly path: string,
  ) {}

  join(name: string): HubPath {
    return new HubPath(this.folder, normalise(this.path ? `${this.path}/${name}` : name, 'the repo'));
  }

  /** The file's bytes, from the cache or downloaded into it. */
  async read(): Promise<Uint8Array> {
    const bytes = await (await backend(this.folder)).read(this.folder, this.path);
    if (bytes === null) throw new HubNotFoundError(this.folder.repoId, this.folder.revision, this.path, this.folder.fileUrl(this.path), 'file');
    return bytes;
  }

  /** Whether the repo has this file (Node: downloads it into the cache when it does). */
  async exists(): Promise<boolean> {
    if (this.path === '') return true;
    return (await backend(this.folder)).exists(this.folder, this.path);
  }

  /**
   * Node: the file's path in the cache (`…/snapshots/<commit>/<file>`), downloading it on a miss;
   * null when the repo has no such file.
   */
  async localPath(): Promise<string | null> {
    return (await import('./node-cache')).resolveInCache(this.folder, this.path);
  }

  toString(): string {
    return this.path ? `${String(this.folder)}/${this.path}` : String(this.folder);
  }
}

interface Backend {
  read(folder: HubFolder, file: string): Promise<Uint8Array | null>;
  exists(folder: HubFolder, file: string): Promise<boolean>;
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

async function backend(folder: HubFolder): Promise<Backend> {
  if (folder.options.cacheStorage || !isNode) return import('./browser-cache');
  return import('./node-cache');
}
