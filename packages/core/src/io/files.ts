/**
 * Byte I/O that works in Node (paths) and in browsers (URLs, bytes, picked folders). Node modules
 * are loaded with `import()` only when a path is used, so browser bundles never need them.
 */
import { TfjsPeftError } from '../errors';
import { HubFolder, HubPath } from '../hub/hub-folder';
import { describeFetchError } from '../hub/errors';
import { MemoryFolder, MemoryPath } from './memory-folder';

/**
 * Where a file or folder is: a path (Node), an http(s)/blob/data URL, a place in a `MemoryFolder`,
 * or a Hugging Face Hub repo (`HubFolder`, read through the cache).
 */
export type FileLocation = string | URL | MemoryFolder | MemoryPath | HubFolder | HubPath;
/** What a file can be read from: a location, or the bytes themselves. */
export type ByteSource = FileLocation | Uint8Array | ArrayBuffer | Blob;

export const isNode = typeof process !== 'undefined' && process.versions?.node != null;

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

function isUrlString(s: string): boolean {
  return /^(https?|blob|data):/i.test(s);
}

/** A file could not be read (missing, a folder, no permission); the message names the path. */
export class FileReadError extends TfjsPeftError {
  constructor(
    readonly path: string,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super('FILE_READ', `${path}: ${reason}`);
  }
}

function fileReadError(path: string, e: unknown): FileReadError {
  const code = (e as { code?: string }).code;
  const reason =
    code === 'EISDIR'
      ? 'is a folder, not a file'
      : code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${(e as Error).message})`;
  return new FileReadError(path, reason, e);
}

/** Reads a whole file: a path (Node), an http(s)/blob URL (fetch), or bytes as they are. */
export async function readBytes(source: ByteSource): Promise<{ bytes: Uint8Array; label: string }> {
  if (source instanceof Uint8Array) return { bytes: source, label: '<bytes>' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), label: '<bytes>' };
  if (isBlob(source)) return { bytes: new Uint8Array(await source.arrayBuffer()), label: (source as { name?: string }).name ?? '<blob>' };
  if (source instanceof MemoryFolder) throw new Error(`${source.name}: is a folder, not a file`);
  if (source instanceof MemoryPath || source instanceof HubPath) return { bytes: await source.read(), label: String(source) };
  if (source instanceof HubFolder) throw new FileReadError(String(source), 'is a hub repo (a folder), not a file');
  const asString = source instanceof URL ? source.href : source;
  if (isUrlString(asString) || (!isNode && typeof source === 'string')) {
    let res: Response;
    try {
      res = await fetch(asString);
    } catch (e) {
      throw new FileReadError(asString, `cannot be fetched (${describeFetchError(e)})`, e);
    }
    if (!res.ok) throw new FileReadError(asString, `HTTP ${res.status} ${res.statusText}`);
    return { bytes: new Uint8Array(await res.arrayBuffer()), label: asString };
  }
  const { readFile } = await import('node:fs/promises');
  const path = source instanceof URL ? (await import('node:url')).fileURLToPath(source) : source;
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw fileReadError(path, e);
  }
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), label: path };
}

export async function readText(source: ByteSource): Promise<{ text: string; label: string }> {
  const { bytes, label } = await readBytes(source);
  return { text: new TextDecoder().decode(bytes), label };
}

/** Joins a directory (path, URL or memory folder) and a file name. */
export function joinPath(dir: FileLocation, name: string): FileLocation {
  if (dir instanceof MemoryFolder || dir instanceof MemoryPath) return (dir instanceof MemoryFolder ? dir.root() : dir).join(name);
  if (dir instanceof HubFolder || dir instanceof HubPath) return (dir instanceof HubFolder ? dir.root() : dir).join(name);
  if (dir instanceof URL) return new URL(name, dir.href.endsWith('/') ? dir : new URL(`${dir.href}/`));
  if (isUrlString(dir)) return `${dir.replace(/\/+$/, '')}/${name}`;
  return `${dir.replace(/[\\/]+$/, '')}/${name}`;
}

/**
 * Whether a path exists (Node), a URL answers a HEAD request with 2xx, a memory folder holds the
 * file or folder, or a hub repo has the file (a 404 is false; no access or no network throws).
 */
export async function exists(location: FileLocation): Promise<boolean> {
  if (location instanceof MemoryFolder || location instanceof HubFolder) return true;
  if (location instanceof MemoryPath || location instanceof HubPath) return location.exists();
  const s = location instanceof URL ? location.href : location;
  if (isUrlString(s) || !isNode) {
    try {
      return (await fetch(s, { method: 'HEAD' })).ok;
    } catch {
      return false;
    }
  }
  const { access } = await import('node:fs/promises');
  return access(s).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a file atomically (Node): to a temporary file in the same folder, flushed, then renamed
 * over the target, so a crash never leaves a half-written checkpoint and an old file survives a
 * failed write. A `MemoryPath` (browsers: an adapter to download) is replaced whole.
 */
export async function writeFileAtomic(path: FileLocation, data: Uint8Array | string): Promise<void> {
  if (path instanceof MemoryPath) return path.write(data);
  if (path instanceof MemoryFolder) throw new Error(`${path.name}: is a folder; write to a file in it (joinPath(folder, name))`);
  if (path instanceof HubFolder || path instanceof HubPath) throw new Error(`${String(path)}: cannot write to a hub repo; save to a path or a MemoryFolder and upload it`);
  if (path instanceof URL && path.protocol !== 'file:') throw new Error(`${path.href}: cannot write to a URL; write to a path or a MemoryFolder`);
  const target = path instanceof URL ? (await import('node:url')).fileURLToPath(path) : path;
  if (!isNode) throw new Error(`${target}: writing files needs Node; in a browser write into a MemoryFolder`);
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await fs.mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await fs.rename(tmp, target);
}
