/**
 * The only module of this package that touches the Node file system. Everything else loads it
 * with `await import('./io/node-fs')` when a path is actually used, so the package's entry point
 * (`dist/index.js`) imports no `node:` module and browser bundles never evaluate this one.
 */
import * as fs from 'node:fs/promises';

export async function appendText(path: string, text: string): Promise<void> {
  await fs.appendFile(path, text);
}

export async function mkdirp(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
}

export async function rename(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
}

export async function remove(path: string): Promise<void> {
  await fs.rm(path, { recursive: true, force: true });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/** flushes a folder's entries (renames) to disk; best effort (not every platform can) */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => null);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

export async function readFile(path: string, encoding: 'utf8'): Promise<string> {
  return fs.readFile(path, encoding);
}

export async function access(path: string): Promise<void> {
  await fs.access(path);
}
