import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readlink, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scanCacheDir } from '@huggingface/hub';
import { exists, joinPath, readBytes, readText, FileReadError } from '../io/files';
import { readCheckpointWeights } from '../io/checkpoint';
import { serializeSafetensors } from '../io/serialize';
import type { RawTensor } from '../io/safetensors';
import { hubCacheDir, hubEndpoint, hubOffline } from './env';
import { HubAuthError, HubNetworkError, HubNotFoundError, HubOfflineError, HubResponseError } from './errors';
import { HubFolder, type CacheLike, type HubProgress } from './hub-folder';
import { isRepoId, repoFolderName } from './repo-id';
import { resolvePretrained } from './resolve';
import { startHubServer, type HubServer } from './testing/hub-server';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const PY = resolve(REPO_ROOT, '.venv-hf/bin/python');
const hasPy = existsSync(PY) && spawnSync(PY, ['-c', 'import huggingface_hub'], { encoding: 'utf8' }).status === 0;
const PY_REASON = hasPy
  ? 'huggingface_hub in .venv-hf'
  : 'no .venv-hf/bin/python with huggingface_hub (create it with: python3 -m venv .venv-hf && .venv-hf/bin/pip install huggingface_hub)';

const f32 = (shape: number[], start: number): RawTensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'F32', shape, bytes: new Uint8Array(Float32Array.from({ length: n }, (_, i) => start + i).buffer) };
};
const WEIGHTS = serializeSafetensors(
  new Map([
    ['a.weight', f32([2, 3], 0)],
    ['b.bias', f32([4], 10)],
  ]),
  { format: 'pt' },
);
const SHARD1 = serializeSafetensors(new Map([['a.weight', f32([2, 3], 0)]]), { format: 'pt' });
const SHARD2 = serializeSafetensors(new Map([['b.bias', f32([4], 10)]]), { format: 'pt' });
const INDEX = JSON.stringify({ metadata: { total_size: 40 }, weight_map: { 'a.weight': 'model-00001-of-00002.safetensors', 'b.bias': 'model-00002-of-00002.safetensors' } });
const CONFIG = '{"model_type": "bert", "hidden_size": 4}\n';
const TOKEN = 'hf_secret_test';

let server: HubServer;
/** An address nothing listens on (a port just freed), so connections are refused. */
const deadEndpoint = () =>
  new Promise<string>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(`http://127.0.0.1:${port}`));
    });
  });
const tmp = (p: string) => mkdtemp(join(tmpdir(), `tfjs-peft-hub-${p}-`));

beforeAll(async () => {
  process.env.HF_TOKEN_PATH = join(await tmp('token'), 'none'); // hermetic: never a login token of this machine
  server = await startHubServer(
    {
      'org/tiny': { files: { 'config.json': CONFIG, 'model.safetensors': WEIGHTS, 'sub/notes.txt': 'hello' } },
      'org/sharded': {
        files: { 'config.json': CONFIG, 'model.safetensors.index.json': INDEX, 'model-00001-of-00002.safetensors': SHARD1, 'model-00002-of-00002.safetensors': SHARD2 },
      },
      'org/gated': { files: { 'config.json': CONFIG }, gated: true },
      'org/corrupt': { files: { 'model.safetensors': WEIGHTS }, corrupt: { 'model.safetensors': WEIGHTS.map((b) => b ^ 1) } },
      solo: { files: { 'config.json': CONFIG } },
    },
    { token: TOKEN },
  );
});
afterAll(() => server.close());

describe('hub ids and settings', () => {
  it('checks repo ids as huggingface_hub does', () => {
    for (const ok of ['bert-base-uncased', 'org/name', 'Org_1/name.v2', 'a']) expect(isRepoId(ok)).toBe(true);
    for (const bad of ['./x', '/abs/path', 'a/b/c', 'org--x/y', 'org/a..b', 'org/x.git', '-x/y', 'x/y-', '', 'C:\\m', 'a'.repeat(97)]) expect(isRepoId(bad)).toBe(false);
    expect(repoFolderName('org/name')).toBe('models--org--name');
  });

  it('reads HF_ENDPOINT, HF_HUB_OFFLINE, HF_HUB_CACHE, HF_HOME with huggingface_hub precedence', async () => {
    const saved = { ...process.env };
    try {
      for (const k of ['HF_ENDPOINT', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME']) delete process.env[k];
      expect(hubEndpoint()).toBe('https://huggingface.co');
      process.env.HF_ENDPOINT = 'http://mirror.local/';
      expect(hubEndpoint()).toBe('http://mirror.local');
      expect(hubEndpoint('http://opt')).toBe('http://opt');
      expect(hubOffline()).toBe(false);
      process.env.HF_HUB_OFFLINE = 'yes';
      expect(hubOffline()).toBe(true);
      expect(hubOffline(false)).toBe(false);
      process.env.XDG_CACHE_HOME = join('xdg');
      expect(await hubCacheDir()).toBe(join('xdg', 'huggingface', 'hub'));
      process.env.HF_HOME = join('home-hf');
      expect(await hubCacheDir()).toBe(join('home-hf', 'hub'));
      process.env.HUGGINGFACE_HUB_CACHE = 'legacy';
      expect(await hubCacheDir()).toBe('legacy');
      process.env.HF_HUB_CACHE = 'new';
      expect(await hubCacheDir()).toBe('new');
      expect(await hubCacheDir('opt')).toBe('opt');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('turns a repo id that is not a local path into a hub folder, and leaves paths and URLs alone', async () => {
    const dir = await tmp('local');
    expect(await resolvePretrained(dir)).toBe(dir);
    expect(await resolvePretrained('http://x/y')).toBe('http://x/y');
    expect(await resolvePretrained('./org/name')).toBe('./org/name');
    const hub = await resolvePretrained('org/name', { revision: 'v1' });
    expect(hub).toBeInstanceOf(HubFolder);
    expect(String(joinPath(hub, 'config.json'))).toBe('org/name@v1/config.json');
  });
});

describe('Node: the Hugging Face cache layout', () => {
  it('downloads into blobs/, snapshots/<commit>/ (relative symlinks) and refs/main, with progress, and the token only to the hub', async () => {
    const cacheDir = await tmp('cache');
    const events: HubProgress[] = [];
    const repo = new HubFolder('org/tiny', { endpoint: server.endpoint, cacheDir, token: TOKEN, onProgress: (p) => events.push(p) });
    const start = server.log.length;
    const weights = await readCheckpointWeights(repo);
    expect([...weights.keys()].sort()).toEqual(['a.weight', 'b.bias']);
    expect((await readText(joinPath(repo, 'sub/notes.txt'))).text).toBe('hello');

    const commit = server.commitOf('org/tiny');
    const storage = join(cacheDir, 'models--org--tiny');
    expect((await readFile(join(storage, 'refs', 'main'), 'utf8')).trim()).toBe(commit);
    const sha = createHash('sha256').update(WEIGHTS).digest('hex');
    expect(await readFile(join(storage, 'blobs', sha))).toEqual(Buffer.from(WEIGHTS));
    const ptr = join(storage, 'snapshots', commit, 'model.safetensors');
    expect((await lstat(ptr)).isSymbolicLink()).toBe(true);
    expect(await readlink(ptr)).toBe(join('..', '..', 'blobs', sha));
    expect(await readlink(join(storage, 'snapshots', commit, 'sub', 'notes.txt'))).toBe(join('..', '..', '..', 'blobs', createHash('sha1').update(`blob 5\0hello`).digest('hex')));
    expect((await readdir(join(storage, 'blobs'))).some((f) => f.endsWith('.incomplete'))).toBe(false);

    const last = events.filter((e) => e.file === 'model.safetensors').at(-1)!;
    expect(last).toEqual({ file: 'model.safetensors', repoId: 'org/tiny', loaded: WEIGHTS.byteLength, total: WEIGHTS.byteLength });
    const reqs = server.log.slice(start);
    // the LFS file: HEAD on the hub → 302, GET on the file host without the token
    expect(reqs.some((r) => r.startsWith('HEAD /org/tiny/resolve/main/model.safetensors auth=Bearer'))).toBe(true);
    expect(reqs.filter((r) => r.startsWith('GET /blobs/'))).toEqual([expect.not.stringContaining('auth=')]);
    // later files are pinned to the commit the first one resolved to
    expect(reqs.some((r) => r.includes(`/resolve/${commit}/sub/notes.txt`))).toBe(true);

    // a second load is served by the cache (HEAD only), and the JS hub library's scanner reads the folder
    const again = server.log.length;
    await readCheckpointWeights(new HubFolder('org/tiny', { endpoint: server.endpoint, cacheDir }));
    expect(server.log.slice(again).every((r) => r.startsWith('HEAD '))).toBe(true);
    const scan = await scanCacheDir(cacheDir);
    const info = scan.repos.find((r) => r.id.name === 'org/tiny')!;
    expect([...info.revisions].map((r) => r.commitOid)).toEqual([commit]);
    expect([...info.revisions][0]!.refs).toEqual(['main']);
  });

  it('reads sharded checkpoints (model.safetensors.index.json) through the hub', async () => {
    const cacheDir = await tmp('shards');
    const w = await readCheckpointWeights(new HubFolder('org/sharded', { endpoint: server.endpoint, cacheDir }));
    expect([...w.keys()].sort()).toEqual(['a.weight', 'b.bias']);
    expect(Array.from(new Float32Array(w.get('b.bias')!.bytes.slice().buffer))).toEqual([10, 11, 12, 13]);
    expect(await readdir(join(cacheDir, 'models--org--sharded', 'snapshots', server.commitOf('org/sharded')))).toHaveLength(3); // no model.safetensors
    expect(existsSync(join(cacheDir, 'models--org--sharded', '.no_exist', server.commitOf('org/sharded'), 'model.safetensors'))).toBe(true);
  });

  it('works offline from the cache: localFilesOnly, HF_HUB_OFFLINE, and an unreachable hub', async () => {
    const cacheDir = await tmp('offline');
    const online = new HubFolder('org/sharded', { endpoint: server.endpoint, cacheDir });
    await readCheckpointWeights(online);
    await readText(joinPath(online, 'config.json'));
    const dead = await deadEndpoint();
    const offline = new HubFolder('org/sharded', { endpoint: dead, cacheDir, localFilesOnly: true });
    expect((await readCheckpointWeights(offline)).size).toBe(2);
    process.env.HF_HUB_OFFLINE = '1';
    try {
      expect((await readCheckpointWeights(new HubFolder('org/sharded', { endpoint: dead, cacheDir }))).size).toBe(2);
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
    // online but the hub refuses connections: huggingface_hub falls back to the cache, so do we
    expect((await readCheckpointWeights(new HubFolder('org/sharded', { endpoint: dead, cacheDir }))).size).toBe(2);
    // by commit, offline
    expect((await readText(joinPath(new HubFolder('org/sharded', { cacheDir, localFilesOnly: true, revision: server.commitOf('org/sharded') }), 'config.json'))).text).toBe(CONFIG);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const cacheDir = await tmp('resume');
    const sha = createHash('sha256').update(WEIGHTS).digest('hex');
    await mkdir(join(cacheDir, 'models--org--tiny', 'blobs'), { recursive: true });
    await writeFile(join(cacheDir, 'models--org--tiny', 'blobs', `${sha}.incomplete`), WEIGHTS.subarray(0, 20));
    const start = server.log.length;
    const { bytes } = await readBytes(joinPath(new HubFolder('org/tiny', { endpoint: server.endpoint, cacheDir }), 'model.safetensors'));
    expect(Buffer.from(bytes)).toEqual(Buffer.from(WEIGHTS));
    expect(server.log.slice(start)).toContainEqual(expect.stringMatching(/^GET \/blobs\/org\/tiny\/[0-9a-f]{64}\?download=true range=bytes=20-$/));
  });

  it('refuses a download whose sha256 differs from the ETag, and caches nothing', async () => {
    const cacheDir = await tmp('corrupt');
    const err = await readBytes(joinPath(new HubFolder('org/corrupt', { endpoint: server.endpoint, cacheDir }), 'model.safetensors')).catch((e) => e);
    expect(err).toBeInstanceOf(HubResponseError);
    expect(err.message).toMatch(/sha256 of the downloaded model\.safetensors is [0-9a-f]{64}, the hub's ETag says [0-9a-f]{64}; the download is corrupt/);
    expect(await readdir(join(cacheDir, 'models--org--corrupt', 'blobs'))).toEqual([]);
  });

  it('draws one progress line per file on a terminal when no onProgress is given', async () => {
    const stderr = process.stderr as unknown as { isTTY?: boolean; write: (s: string) => boolean };
    const had = Object.getOwnPropertyDescriptor(stderr, 'isTTY');
    const write = stderr.write;
    const lines: string[] = [];
    const quiet = process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS; // the shared test config sets it
    delete process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS;
    Object.defineProperty(stderr, 'isTTY', { value: true, configurable: true });
    stderr.write = (s: string) => (lines.push(s), true);
    try {
      await readBytes(joinPath(new HubFolder('org/tiny', { endpoint: server.endpoint, cacheDir: await tmp('tty') }), 'model.safetensors'));
    } finally {
      stderr.write = write;
      if (quiet !== undefined) process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS = quiet;
      if (had) Object.defineProperty(stderr, 'isTTY', had);
      else delete stderr.isTTY;
    }
    expect(lines.at(-1)).toBe(`\rorg/tiny/model.safetensors: 100% ${WEIGHTS.byteLength} B / ${WEIGHTS.byteLength} B\x1b[K\n`);
  });

  it('loads a repo id without an org', async () => {
    const cacheDir = await tmp('solo');
    const loc = await resolvePretrained('solo', { endpoint: server.endpoint, cacheDir });
    expect((await readText(joinPath(loc, 'config.json'))).text).toBe(CONFIG);
    expect(existsSync(join(cacheDir, 'models--solo', 'refs', 'main'))).toBe(true);
  });
});

describe('errors name what went wrong and what to do', () => {
  it('401 on a gated repo says to pass a token or set HF_TOKEN; the token opens it', async () => {
    const cacheDir = await tmp('gated');
    const saved = process.env.HF_TOKEN;
    delete process.env.HF_TOKEN;
    try {
      const err = await readText(joinPath(new HubFolder('org/gated', { endpoint: server.endpoint, cacheDir, token: false }), 'config.json')).catch((e) => e);
      expect(err).toBeInstanceOf(HubAuthError);
      expect(err.message).toBe(
        `org/gated: HTTP 401 for ${server.endpoint}/org/gated/resolve/main/config.json — the repo is gated or private; pass { token: "hf_…" } or set HF_TOKEN (a token of an account that has access)`,
      );
      const wrong = await readText(joinPath(new HubFolder('org/gated', { endpoint: server.endpoint, cacheDir, token: 'hf_wrong' }), 'config.json')).catch((e) => e);
      expect(wrong.message).toMatch(/the token sent has no access to it/);
      expect((await readText(joinPath(new HubFolder('org/gated', { endpoint: server.endpoint, cacheDir, token: TOKEN }), 'config.json'))).text).toBe(CONFIG);
      process.env.HF_TOKEN = TOKEN;
      expect((await readText(joinPath(new HubFolder('org/gated', { endpoint: server.endpoint, cacheDir: await tmp('gated2') }), 'config.json'))).text).toBe(CONFIG);
    } finally {
      if (saved === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved;
    }
  });

  it('404 names the repo, the revision and the file', async () => {
    const cacheDir = await tmp('404');
    const at = (repo: string, revision?: string) => new HubFolder(repo, { endpoint: server.endpoint, cacheDir, revision });
    const file = await readText(joinPath(at('org/tiny'), 'tokenizer.json')).catch((e) => e);
    expect(file).toBeInstanceOf(HubNotFoundError);
    expect(file.message).toBe(`org/tiny: no file "tokenizer.json" at revision "main" (HTTP 404 for ${server.endpoint}/org/tiny/resolve/main/tokenizer.json)`);
    expect(await exists(joinPath(at('org/tiny'), 'tokenizer.json'))).toBe(false);
    const rev = await readText(joinPath(at('org/tiny', 'v9'), 'config.json')).catch((e) => e);
    expect(rev.message).toBe(`org/tiny: no revision "v9" (HTTP 404 for ${server.endpoint}/org/tiny/resolve/v9/config.json); use a branch, tag or commit of the repo`);
    const repo = await exists(joinPath(at('org/nope'), 'config.json')).catch((e) => e);
    expect(repo.message).toBe(`org/nope: no such repo on the hub (HTTP 404 for ${server.endpoint}/org/nope/resolve/main/config.json); check the id (org/name)`);
  });

  it('a refused connection names the URL and the cause and points at offline mode', async () => {
    const dead = await deadEndpoint();
    const err = await readText(joinPath(new HubFolder('org/tiny', { endpoint: dead, cacheDir: await tmp('refused') }), 'config.json')).catch((e) => e);
    expect(err).toBeInstanceOf(HubNetworkError);
    expect(err.message).toBe(
      `${dead}/org/tiny/resolve/main/config.json: cannot be fetched (fetch failed: connect ECONNREFUSED ${dead.slice(7)}) and the file is not in the cache; check the network or HF_ENDPOINT, or, to load from the cache only, pass { localFilesOnly: true } or set HF_HUB_OFFLINE=1`,
    );
  });

  it('offline and not cached names the file and the cache folder', async () => {
    const cacheDir = await tmp('empty');
    const err = await readText(joinPath(new HubFolder('org/tiny', { cacheDir, localFilesOnly: true }), 'config.json')).catch((e) => e);
    expect(err).toBeInstanceOf(HubOfflineError);
    expect(err.message).toBe(
      `org/tiny: "config.json" (revision "main") is not in the cache ${join(cacheDir, 'models--org--tiny')} (no refs/main: this revision was never downloaded here), and offline mode is on (localFilesOnly or HF_HUB_OFFLINE=1); download it once online, or point cacheDir / HF_HUB_CACHE at a cache that has it`,
    );
  });

  it('readBytes on an unreachable URL names the URL and the cause (was a bare "fetch failed")', async () => {
    const dead = await deadEndpoint();
    const err = await readBytes(`${dead}/x/config.json`).catch((e) => e);
    expect(err).toBeInstanceOf(FileReadError);
    expect(err.message).toBe(`${dead}/x/config.json: cannot be fetched (fetch failed: connect ECONNREFUSED ${dead.slice(7)})`);
  });
});

describe('browsers: the Cache API keyed by resolve URL', () => {
  // Node has no Cache API; this is the minimal in-memory stand-in with its match/put semantics.
  class MemoryCache implements CacheLike {
    readonly entries = new Map<string, Response>();
    async match(url: string) {
      return this.entries.get(url)?.clone();
    }
    async put(url: string, res: Response) {
      this.entries.set(url, res);
    }
  }
  const cache = new MemoryCache();
  const cacheStorage = { open: async (name: string) => (expect(name).toBe('tfjs-peft-hub'), cache) };

  it('fetches on a miss with progress, then serves from the cache, offline too', async () => {
    const events: HubProgress[] = [];
    const repo = new HubFolder('org/tiny', { endpoint: server.endpoint, cacheStorage, onProgress: (p) => events.push(p) });
    expect((await readCheckpointWeights(repo)).size).toBe(2);
    expect([...cache.entries.keys()]).toEqual([`${server.endpoint}/org/tiny/resolve/main/model.safetensors`]);
    expect(events.at(-1)).toEqual({ file: 'model.safetensors', repoId: 'org/tiny', loaded: WEIGHTS.byteLength, total: WEIGHTS.byteLength });
    const offline = new HubFolder('org/tiny', { endpoint: server.endpoint, cacheStorage, localFilesOnly: true, fetch: () => Promise.reject(new Error('offline: no request')) });
    expect((await readCheckpointWeights(offline)).size).toBe(2);
    const miss = await readText(joinPath(offline, 'config.json')).catch((e) => e);
    expect(miss).toBeInstanceOf(HubOfflineError);
    expect(miss.message).toContain(`is not in the cache Cache API "tfjs-peft-hub" (no entry for ${server.endpoint}/org/tiny/resolve/main/config.json)`);
  });

  it('maps 401 and 404 as in Node', async () => {
    await expect(readText(joinPath(new HubFolder('org/gated', { endpoint: server.endpoint, cacheStorage, token: false }), 'config.json'))).rejects.toThrow(HubAuthError);
    expect(await exists(joinPath(new HubFolder('org/tiny', { endpoint: server.endpoint, cacheStorage }), 'nope.json'))).toBe(false);
  });
});

describe.skipIf(!hasPy)(`interop with Python huggingface_hub (${PY_REASON})`, () => {
  // asynchronous: the hub server runs in this process and must keep answering
  const py = (code: string, env: Record<string, string>) =>
    new Promise<string>((ok, fail) =>
      execFile(
        PY,
        ['-c', code],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', HF_HUB_DISABLE_XET: '1', ...env } },
        (err, stdout, stderr) => (err ? fail(new Error(`python failed: ${err.message}\n${stderr}`)) : ok(stdout.trim())),
      ),
    );

  it("Python's snapshot_download fills a cache that we read offline", { timeout: 60_000 }, async () => {
    const cacheDir = await tmp('py-down');
    const out = await py(`from huggingface_hub import snapshot_download; print(snapshot_download('org/sharded'))`, { HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: cacheDir });
    expect(out).toBe(join(cacheDir, 'models--org--sharded', 'snapshots', server.commitOf('org/sharded')));
    const offline = new HubFolder('org/sharded', { cacheDir, localFilesOnly: true });
    const w = await readCheckpointWeights(offline);
    expect([...w.keys()].sort()).toEqual(['a.weight', 'b.bias']);
    expect((await readText(joinPath(offline, 'config.json'))).text).toBe(CONFIG);
  });

  it('what we download, Python finds with local_files_only', { timeout: 60_000 }, async () => {
    const cacheDir = await tmp('our-down');
    const repo = new HubFolder('org/tiny', { endpoint: server.endpoint, cacheDir });
    await readCheckpointWeights(repo);
    for (const f of ['config.json', 'sub/notes.txt']) await readBytes(joinPath(repo, f));
    const out = (
      await py(
        [
          'import hashlib, os',
          'from huggingface_hub import hf_hub_download, snapshot_download',
          "p = hf_hub_download('org/tiny', 'model.safetensors', local_files_only=True)",
          "print(hashlib.sha256(open(p, 'rb').read()).hexdigest())",
          "s = snapshot_download('org/tiny', local_files_only=True)",
          'print(sorted(os.path.relpath(os.path.join(d, f), s) for d, _, fs in os.walk(s) for f in fs))',
        ].join('\n'),
        { HF_HUB_CACHE: cacheDir, HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://127.0.0.1:9' },
      )
    ).split('\n');
    expect(out[0]).toBe(createHash('sha256').update(WEIGHTS).digest('hex'));
    expect(out[1]).toBe("['config.json', 'model.safetensors', 'sub/notes.txt']");
  });
});
describe.skipIf(hasPy)('interop with Python huggingface_hub', () => it.skip(PY_REASON, () => undefined));
