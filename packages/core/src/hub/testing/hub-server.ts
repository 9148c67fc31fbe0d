/**
 * A local server that speaks the Hugging Face Hub's resolve protocol, for tests (ours and
 * huggingface_hub's client, pointed at it with HF_ENDPOINT):
 *
 * - `HEAD|GET /{repo}/resolve/{revision}/{file}`: `X-Repo-Commit`, a quoted `ETag` (the git blob
 *   sha1), `Content-Length`, `Accept-Ranges`; `Range: bytes=a-` / `a-b` → 206. An LFS file
 *   answers 302 to a second server (the "file host", on `localhost`) with `X-Linked-Etag` (its sha256) and
 *   `X-Linked-Size`, as the hub does for large files.
 * - `GET /api/models/{repo}/revision/{revision}` and `GET /api/models/{repo}/tree/{revision}`:
 *   what `snapshot_download` lists files with.
 * - a gated repo answers 401 (`X-Error-Code: GatedRepo`) without `Authorization: Bearer <token>`;
 *   a missing repo, revision or file answers 404 with `X-Error-Code` RepoNotFound / RevisionNotFound / EntryNotFound.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestRepo {
  files: Record<string, Uint8Array | string>;
  /** files served as LFS (302 to the file host, sha256 ETag); default: `*.safetensors` */
  lfs?: (file: string) => boolean;
  gated?: boolean;
  /** default: a hash of the repo id and its files */
  commit?: string;
  /** serve these bytes instead for an LFS file's download (a corrupt file host) */
  corrupt?: Record<string, Uint8Array>;
}

export interface HubServer {
  endpoint: string;
  fileHost: string;
  /** `METHOD path [auth] [range]` of every request, both servers */
  log: string[];
  commitOf(repoId: string): string;
  close(): Promise<void>;
}

interface Entry {
  bytes: Uint8Array;
  gitOid: string;
  sha256: string;
  lfs: boolean;
}

const sha = (algo: string, ...parts: (Uint8Array | string)[]) => {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

export async function startHubServer(repos: Record<string, TestRepo>, options: { token?: string } = {}): Promise<HubServer> {
  const token = options.token ?? 'hf_test_token';
  const log: string[] = [];
  const table = new Map<string, { commit: string; gated: boolean; entries: Map<string, Entry>; corrupt: Record<string, Uint8Array> }>();
  const blobs = new Map<string, Uint8Array>();
  for (const [id, repo] of Object.entries(repos)) {
    const entries = new Map<string, Entry>();
    for (const [name, data] of Object.entries(repo.files)) {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      const e: Entry = {
        bytes,
        gitOid: sha('sha1', `blob ${bytes.byteLength}\0`, bytes),
        sha256: sha('sha256', bytes),
        lfs: (repo.lfs ?? ((f) => f.endsWith('.safetensors')))(name),
      };
      entries.set(name, e);
      blobs.set(`${id}/${e.sha256}`, repo.corrupt?.[name] ?? bytes);
    }
    const commit = repo.commit ?? sha('sha1', id, ...[...entries.values()].map((e) => e.gitOid));
    table.set(id, { commit, gated: repo.gated ?? false, entries, corrupt: repo.corrupt ?? {} });
  }

  const note = (req: IncomingMessage) =>
    log.push(`${req.method} ${req.url}${req.headers.authorization ? ` auth=${req.headers.authorization}` : ''}${req.headers.range ? ` range=${req.headers.range}` : ''}`);

  /** `org/name/rest…` or `name/rest…` → the repo and the rest. */
  const findRepo = (parts: string[], marker: string): { id: string; rest: string[] } | null => {
    for (const n of [2, 1]) {
      if (parts[n] === marker && table.has(parts.slice(0, n).join('/'))) return { id: parts.slice(0, n).join('/'), rest: parts.slice(n + 1) };
    }
    return null;
  };

  const sendBytes = (req: IncomingMessage, res: ServerResponse, bytes: Uint8Array, headers: Record<string, string>) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let body = bytes;
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : bytes.byteLength - 1;
      if (start >= bytes.byteLength) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.byteLength}` }).end();
        return;
      }
      body = bytes.subarray(start, end + 1);
      res.writeHead(206, { ...headers, 'Content-Length': String(body.byteLength), 'Content-Range': `bytes ${start}-${end}/${bytes.byteLength}`, 'Accept-Ranges': 'bytes' });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': String(bytes.byteLength), 'Accept-Ranges': 'bytes' });
    }
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(body));
  };

  const authorised = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;

  let fileHost = '';
  const hub = createServer((req, res) => {
    note(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const api = parts[0] === 'api' && parts[1] === 'models';
    const found = api ? (findRepo(parts.slice(2), 'revision') ?? findRepo(parts.slice(2), 'tree')) : findRepo(parts, 'resolve');
    if (!found) {
      res.writeHead(404, { 'X-Error-Code': 'RepoNotFound', 'X-Error-Message': 'Repository not found' }).end();
      return;
    }
    const repo = table.get(found.id)!;
    if (repo.gated && !authorised(req)) {
      res.writeHead(401, { 'X-Error-Code': 'GatedRepo', 'X-Error-Message': `Access to model ${found.id} is restricted.` }).end();
      return;
    }
    const [revision, ...fileParts] = found.rest;
    if (revision !== 'main' && revision !== repo.commit) {
      res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound', 'X-Error-Message': `Invalid rev id: ${revision}` }).end();
      return;
    }
    const json = (body: unknown) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (api && parts.includes('revision')) {
      json({
        id: found.id,
        modelId: found.id,
        sha: repo.commit,
        private: false,
        gated: repo.gated ? 'auto' : false,
        siblings: [...repo.entries.keys()].map((rfilename) => ({ rfilename })),
      });
      return;
    }
    if (api) {
      json(
        [...repo.entries].map(([path, e]) => ({
          type: 'file',
          path,
          size: e.bytes.byteLength,
          oid: e.gitOid,
          ...(e.lfs ? { lfs: { oid: e.sha256, size: e.bytes.byteLength, pointerSize: 134 } } : {}),
        })),
      );
      return;
    }
    const file = fileParts.join('/');
    const e = repo.entries.get(file);
    if (!e) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Error-Message': 'Entry not found', 'X-Repo-Commit': repo.commit }).end();
      return;
    }
    const common = { 'X-Repo-Commit': repo.commit, ETag: `"${e.gitOid}"`, 'Content-Type': 'application/octet-stream' };
    if (e.lfs) {
      res
        .writeHead(302, {
          ...common,
          'X-Linked-Etag': `"${e.sha256}"`,
          'X-Linked-Size': String(e.bytes.byteLength),
          Location: `${fileHost}/blobs/${found.id}/${e.sha256}?download=true`,
          'Content-Length': '0',
        })
        .end();
      return;
    }
    sendBytes(req, res, e.bytes, common);
  });
  const host = createServer((req, res) => {
    note(req);
    const m = /^\/blobs\/(.+\/([0-9a-f]{64}))\?/.exec(req.url ?? '');
    const bytes = m ? blobs.get(m[1]!) : undefined;
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    sendBytes(req, res, bytes, { ETag: `"${m![2]}"`, 'Content-Type': 'application/octet-stream' });
  });
  // the file host has another host name (localhost, not 127.0.0.1): clients follow redirects on the
  // hub's own host name and send the token there only
  const listen = (s: Server, name: string, bind?: string) => new Promise<string>((ok) => s.listen(0, bind, () => ok(`http://${name}:${(s.address() as AddressInfo).port}`)));
  const endpoint = await listen(hub, '127.0.0.1', '127.0.0.1');
  fileHost = await listen(host, 'localhost');
  const close = (s: Server) => new Promise<void>((ok) => (s.listening ? s.close(() => ok()) : ok()));
  return {
    endpoint,
    fileHost,
    log,
    commitOf: (id) => table.get(id)!.commit,
    close: async () => {
      hub.closeAllConnections();
      host.closeAllConnections();
      await Promise.all([close(hub), close(host)]);
    },
  };
}
