/**
 * Hub settings from options and environment variables, with huggingface_hub's precedence
 * (`constants.py`, `utils/_auth.py`): an option wins over the environment.
 */
const isNode = typeof process !== 'undefined' && process.versions?.node != null;

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const TRUE = new Set(['1', 'ON', 'YES', 'TRUE']);

function env(name: string): string | undefined {
  if (!isNode) return undefined;
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && TRUE.has(v.toUpperCase());
}

/** `endpoint` option, else `HF_ENDPOINT`, else https://huggingface.co; no trailing slash. */
export function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? env('HF_ENDPOINT') ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

/** `localFilesOnly` option, else `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) set to 1/ON/YES/TRUE. */
export function hubOffline(localFilesOnly?: boolean): boolean {
  if (localFilesOnly !== undefined) return localFilesOnly;
  return isTrue(env('HF_HUB_OFFLINE') ?? env('TRANSFORMERS_OFFLINE'));
}

/** Whether the terminal progress line is off (`HF_HUB_DISABLE_PROGRESS_BARS`, or the project's `TFJS_PEFT_DISABLE_PROGRESS_BARS`). */
export function progressBarsDisabled(): boolean {
  return isTrue(env('HF_HUB_DISABLE_PROGRESS_BARS')) || isTrue(env('TFJS_PEFT_DISABLE_PROGRESS_BARS'));
}

async function expandUser(p: string): Promise<string> {
  if (p === '~' || p.startsWith('~/')) return (await import('node:os')).homedir() + p.slice(1);
  return p;
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (Node). */
export async function hfHome(): Promise<string> {
  const { join } = await import('node:path');
  const home = env('HF_HOME');
  if (home) return expandUser(home);
  const xdg = env('XDG_CACHE_HOME') ?? join((await import('node:os')).homedir(), '.cache');
  return join(await expandUser(xdg), 'huggingface');
}

/** `cacheDir` option, else `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE`, else `<HF_HOME>/hub` (Node). */
export async function hubCacheDir(cacheDir?: string): Promise<string> {
  if (cacheDir) return expandUser(cacheDir);
  const fromEnv = env('HF_HUB_CACHE') ?? env('HUGGINGFACE_HUB_CACHE');
  if (fromEnv) return expandUser(fromEnv);
  return (await import('node:path')).join(await hfHome(), 'hub');
}

/**
 * `token` option (`false`: send none), else `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the
 * file `huggingface-cli login` writes (`HF_TOKEN_PATH`, default `<HF_HOME>/token`) in Node.
 */
export async function hubToken(token?: string | false): Promise<string | undefined> {
  if (token === false) return undefined;
  if (token) return token;
  const fromEnv = env('HF_TOKEN') ?? env('HUGGING_FACE_HUB_TOKEN');
  if (fromEnv) return fromEnv.trim();
  if (!isNode) return undefined;
  const path = env('HF_TOKEN_PATH') ?? (await import('node:path')).join(await hfHome(), 'token');
  try {
    const t = (await (await import('node:fs/promises')).readFile(await expandUser(path), 'utf8')).trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}
