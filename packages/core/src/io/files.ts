/**
 * Byte I/O that works in Node (paths) and in browsers (URLs, bytes). Node modules are loaded
 * with `import()` only when a path is used, so browser bundles never need them.
 */
export type ByteSource = string | URL | Uint8Array | ArrayBuffer;

export const isNode = typeof process !== 'undefined' && process.versions?.node != null;

function isUrlString(s: string): boolean {
  return /^(https?|blob|data):/i.test(s);
}

/** Reads a whole file: a path (Node), an http(s)/blob URL (fetch), or bytes as they are. */
export async function readBytes(source: ByteSource): Promise<{ bytes: Uint8Array; label: string }> {
  if (source instanceof Uint8Array) return { bytes: source, label: '<bytes>' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), label: '<bytes>' };
  const asString = source instanceof URL ? source.href : source;
  if (isUrlString(asString) || (!isNode && typeof source === 'string')) {
    const res = await fetch(asString);
    if (!res.ok) throw new Error(`${asString}: HTTP ${res.status} ${res.statusText}`);
    return { bytes: new Uint8Array(await res.arrayBuffer()), label: asString };
  }
  const { readFile } = await import('node:fs/promises');
  const path = source instanceof URL ? (await import('node:url')).fileURLToPath(source) : source;
  const buf = await readFile(path);
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), label: path };
}

export async function readText(source: string | URL): Promise<{ text: string; label: string }> {
  const { bytes, label } = await readBytes(source);
  return { text: new TextDecoder().decode(bytes), label };
}

/** Joins a directory (path or URL) and a file name. */
export function joinPath(dir: string | URL, name: string): string | URL {
  if (dir instanceof URL) return new URL(name, dir.href.endsWith('/') ? dir : new URL(`${dir.href}/`));
  if (isUrlString(dir)) return `${dir.replace(/\/+$/, '')}/${name}`;
  return `${dir.replace(/[\\/]+$/, '')}/${name}`;
}

/** Whether a path exists (Node) or a URL answers a HEAD request with 2xx. */
export async function exists(location: string | URL): Promise<boolean> {
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
 * failed write.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
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
  await fs.rename(tmp, path);
}
