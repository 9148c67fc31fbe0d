/**
 * A folder held in memory: the files a browser user picked (`<input type="file" webkitdirectory>`,
 * drag and drop) or the files a save wrote for download. Every loader that takes a folder path or
 * URL (`fromPretrained`, `loadPeft`, tokenizers, datasets) takes one, and `savePeft` writes into one.
 */
export class MemoryFolder {
  private readonly entries = new Map<string, Uint8Array | Blob>();

  constructor(readonly name = 'memory') {}

  /**
   * The files of a picked folder. Paths come from `webkitRelativePath` (`ckpt/config.json`) with
   * the picked folder's own name removed, or from the file name when there is none.
   */
  static fromFiles(files: Iterable<File> | ArrayLike<File>, name?: string): MemoryFolder {
    const list = Array.from(files as ArrayLike<File>);
    const rel = list.map((f) => ((f as { webkitRelativePath?: string }).webkitRelativePath || f.name).replace(/\\/g, '/'));
    const first = rel[0]?.split('/')[0] ?? '';
    const strip = rel.length > 0 && rel.every((r) => r.includes('/') && r.split('/')[0] === first);
    const folder = new MemoryFolder(name ?? (strip ? first : 'picked files'));
    list.forEach((f, i) => folder.set(strip ? rel[i]!.slice(first.length + 1) : rel[i]!, f));
    return folder;
  }

  /** Adds or replaces a file (`sub/dir/file.json`). */
  set(path: string, data: Uint8Array | Blob | string): this {
    this.entries.set(normalise(path), typeof data === 'string' ? new TextEncoder().encode(data) : data);
    return this;
  }

  has(path: string): boolean {
    return this.entries.has(normalise(path));
  }

  /** The file paths, sorted. */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** A file's bytes; an error naming the file and what the folder holds when it is absent. */
  async read(path: string): Promise<Uint8Array> {
    const p = normalise(path);
    const e = this.entries.get(p);
    if (e == null) {
      const have = this.paths();
      throw new Error(`${this.name}/${p}: no such file in this folder (it holds ${have.length ? have.slice(0, 12).join(', ') + (have.length > 12 ? ', …' : '') : 'no files'})`);
    }
    return e instanceof Uint8Array ? e : new Uint8Array(await e.arrayBuffer());
  }

  /** The folder's top (`joinPath(folder, 'config.json')` starts here). */
  root(): MemoryPath {
    return new MemoryPath(this, '');
  }
}

/** A file or sub-folder inside a `MemoryFolder`. */
export class MemoryPath {
  constructor(
    readonly folder: MemoryFolder,
    readonly path: string,
  ) {}

  join(name: string): MemoryPath {
    return new MemoryPath(this.folder, normalise(this.path ? `${this.path}/${name}` : name));
  }

  read(): Promise<Uint8Array> {
    return this.folder.read(this.path);
  }

  async write(data: Uint8Array | string): Promise<void> {
    this.folder.set(this.path, typeof data === 'string' ? data : data.slice());
  }

  /** A file, or a folder with at least one file under it. */
  exists(): boolean {
    if (this.path === '' || this.folder.has(this.path)) return true;
    const prefix = `${this.path}/`;
    return this.folder.paths().some((p) => p.startsWith(prefix));
  }

  toString(): string {
    return this.path ? `${this.folder.name}/${this.path}` : this.folder.name;
  }
}

/** A relative path with `.`/`..`/empty parts resolved and `/` separators; `..` above the top is an error naming `what`. */
export function normalise(path: string, what = 'the folder'): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new Error(`${path}: leaves ${what}`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
