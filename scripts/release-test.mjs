#!/usr/bin/env node
// The release, end to end, against a throwaway registry (issue #25 "Releases"):
//
//   1. snapshot the repository (HEAD plus staged and modified tracked files, `git stash create`)
//      into a temporary folder, with the packages' already-built `dist/` folders copied in;
//   2. `changeset version` there, with the pending changesets (the working tree is never bumped);
//   3. start verdaccio (no uplinks, storage in the temporary folder), create a user through its
//      adduser API, `changeset publish --no-git-tag` to it (pnpm publish: `workspace:` ranges are
//      rewritten, `.pnpmfile.cjs` drops the `@tfjs-peft/source` export condition);
//   4. read every published tarball back from the registry: no `workspace:` range, no
//      `@tfjs-peft/source` condition, every `exports`/`main`/`module`/`types` target in the tarball;
//   5. a fresh npm project (outside the workspace) installs core, models, adapters, datasets and
//      train by name and version (`@tfjs-peft:registry` points at verdaccio, third-party packages
//      come from the default npm registry), then trains a tiny BERT with LoRA from an ESM and a CJS
//      script: the loss goes down and the adapter saves as a PEFT folder.
//
// Usage: pnpm release:test [--head] [--keep]
//   --head  release HEAD only (default: HEAD plus uncommitted changes to tracked files)
//   --keep  keep the temporary folder (printed) instead of removing it
// Needs the packages built (`pnpm build`) and the default npm registry reachable for third-party
// dependencies; without it the test prints SKIP and exits 0.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const PACKAGES = ['ops', 'core', 'models', 'adapters', 'datasets', 'metrics', 'fisher', 'train', 'native'];
const INSTALL = ['core', 'models', 'adapters', 'datasets', 'train'];
const SOURCE_CONDITION = '@tfjs-peft/source';
const args = new Set(process.argv.slice(2));
const started = Date.now();

const log = (msg) => console.log(`[release-test ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });

async function reachable(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return res.ok;
  } catch {
    return false;
  }
}

// a GET that retries once more on a dropped keep-alive socket
async function get(url, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
      return res;
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const consumer = (esm) => `${
  esm
    ? `import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { initBackend, manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { applyPeft } from '@tfjs-peft/adapters';
import { Trainer } from '@tfjs-peft/train';
import { Dataset } from '@tfjs-peft/datasets';`
    : `const tf = require('@tensorflow/tfjs-core');
const { existsSync, readFileSync } = require('node:fs');
const { initBackend, manualSeed } = require('@tfjs-peft/core');
const { BertForSequenceClassification } = require('@tfjs-peft/models/bert');
const { applyPeft } = require('@tfjs-peft/adapters');
const { Trainer } = require('@tfjs-peft/train');
const { Dataset } = require('@tfjs-peft/datasets');`
}
(async () => {
  await initBackend('wasm');
  manualSeed(0);
  const model = new BertForSequenceClassification({ model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, num_labels: 2, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 });
  const peft = applyPeft(model, { method: 'lora', r: 4, targetModules: ['query', 'value'], modulesToSave: ['classifier'] });
  const batch = { inputIds: tf.tensor2d([[1, 5, 7, 2], [1, 9, 3, 2]], [2, 4], 'int32'), labels: tf.tensor1d([0, 1], 'int32') };
  const trainer = new Trainer({ model: peft, loss: (b) => peft.forward(b).loss, batches: () => Dataset.from([batch]), maxSteps: 8, learningRate: 0.1, progress: false });
  const r = await trainer.train();
  const dir = process.argv[2];
  await peft.save(dir);
  const config = JSON.parse(readFileSync(dir + '/adapter_config.json', 'utf8'));
  console.log(JSON.stringify({ losses: r.losses.map((l) => Number(l.toFixed(4))), peft_type: config.peft_type, safetensors: existsSync(dir + '/adapter_model.safetensors') }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

// every string target of an exports map, with the condition path that leads to it
function exportTargets(value, path = []) {
  if (typeof value === 'string') return [{ path: path.join(' > '), target: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => exportTargets(v, [...path, `[${i}]`]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => exportTargets(v, [...path, k]));
  return [];
}

function checkManifest(pkgDir, problems) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const where = `${pkg.name}@${pkg.version}`;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${where}: ${field}.${dep} is still "${range}"`);
    }
  }
  const targets = [...exportTargets(pkg.exports ?? {}, ['exports']), ...['main', 'module', 'types'].filter((f) => pkg[f]).map((f) => ({ path: f, target: pkg[f] }))];
  for (const { path, target } of targets) {
    if (path.includes(SOURCE_CONDITION)) problems.push(`${where}: ${path} -> ${target} (the source condition is published)`);
    if (target.includes('*')) continue;
    if (!existsSync(join(pkgDir, target))) problems.push(`${where}: ${path} -> ${target} is not in the tarball`);
  }
  return pkg;
}

async function main() {
  const npmRegistry = run('npm', ['config', 'get', 'registry']).trim().replace(/\/?$/, '/');
  if (!(await reachable(`${npmRegistry}@tensorflow%2ftfjs-core`))) {
    console.log(`[release-test] SKIP: ${npmRegistry} is unreachable (the fresh project installs third-party packages from it)`);
    return;
  }
  for (const p of PACKAGES) {
    if (!existsSync(join(ROOT, 'packages', p, 'dist', 'index.js'))) {
      throw new Error(`packages/${p}/dist is missing: build first (pnpm build)`);
    }
  }
  const tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-release-'));
  let verdaccio;
  let verdaccioLog = '';
  try {
    // 1. snapshot
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    const snapshot = (!args.has('--head') && run('git', ['stash', 'create'], { cwd: ROOT }).trim()) || 'HEAD';
    execFileSync('sh', ['-c', `git archive ${snapshot} | tar -x -C "${repo}"`], { cwd: ROOT });
    for (const p of PACKAGES) cpSync(join(ROOT, 'packages', p, 'dist'), join(repo, 'packages', p, 'dist'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir');
    // pnpm publish reads a `workspace:` dependency's version from the package's node_modules link:
    // link the copy's own packages (what `pnpm install` would link), not the working tree's
    for (const p of PACKAGES) {
      const pkg = JSON.parse(readFileSync(join(repo, 'packages', p, 'package.json'), 'utf8'));
      const deps = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'].flatMap((f) => Object.keys(pkg[f] ?? {}));
      for (const dep of new Set(deps.filter((d) => d.startsWith('@tfjs-peft/')))) {
        mkdirSync(join(repo, 'packages', p, 'node_modules', '@tfjs-peft'), { recursive: true });
        symlinkSync(join(repo, 'packages', dep.slice('@tfjs-peft/'.length)), join(repo, 'packages', p, 'node_modules', dep), 'dir');
      }
    }
    log(`snapshot ${snapshot === 'HEAD' ? 'HEAD' : `of the working tree (${snapshot.slice(0, 10)})`} in ${repo}`);

    // 2. changeset version
    const changeset = join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');
    run('node', [changeset, 'version'], { cwd: repo });
    const versions = Object.fromEntries(PACKAGES.map((p) => [`@tfjs-peft/${p}`, JSON.parse(readFileSync(join(repo, 'packages', p, 'package.json'), 'utf8')).version]));
    log(`changeset version: ${JSON.stringify(versions)}`);
    const distinct = new Set(Object.values(versions));
    if (distinct.size !== 1) throw new Error(`the fixed group released different versions: ${JSON.stringify(versions)}`);
    const version = [...distinct][0];

    // 3. verdaccio
    const port = await freePort();
    const registry = `http://127.0.0.1:${port}/`;
    writeFileSync(
      join(tmp, 'verdaccio.yaml'),
      [
        `storage: ${JSON.stringify(join(tmp, 'storage'))}`,
        'auth:',
        '  htpasswd:',
        `    file: ${JSON.stringify(join(tmp, 'htpasswd'))}`,
        '    max_users: 10',
        'uplinks: {}',
        'packages:',
        "  '@tfjs-peft/*':",
        '    access: $all',
        '    publish: $authenticated',
        "  '**':",
        '    access: $all',
        '    publish: $authenticated',
        'max_body_size: 500mb',
        'log: { type: stdout, format: pretty, level: warn }',
        '',
      ].join('\n'),
    );
    verdaccio = spawn(process.execPath, [join(ROOT, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '-c', join(tmp, 'verdaccio.yaml'), '-l', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    verdaccioLog = '';
    verdaccio.stdout.on('data', (d) => (verdaccioLog += d));
    verdaccio.stderr.on('data', (d) => (verdaccioLog += d));
    for (let i = 0; !(await reachable(`${registry}-/ping`)); i++) {
      if (i > 100 || verdaccio.exitCode !== null) throw new Error(`verdaccio did not start:\n${verdaccioLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await fetch(`${registry}-/user/org.couchdb.user:release`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'release', password: 'release-test' }),
    });
    const { token } = await res.json();
    if (!token) throw new Error(`verdaccio adduser failed: ${res.status}`);
    const hostKey = `//127.0.0.1:${port}/`;
    writeFileSync(join(repo, '.npmrc'), `@tfjs-peft:registry=${registry}\n${hostKey}:_authToken=${token}\n`);
    log(`verdaccio ${registry} (no uplinks)`);

    // changeset publish: pnpm publish per package, to the scope's registry
    const env = { ...process.env, 'npm_config_@tfjs-peft:registry': registry };
    const published = run('node', [changeset, 'publish', '--no-git-tag'], { cwd: repo, env });
    const lines = published.split('\n').filter((l) => /published|success|error/i.test(l));
    log(`changeset publish:\n  ${lines.join('\n  ')}`);

    // 4. the tarballs as the registry serves them
    const problems = [];
    const unpacked = join(tmp, 'tarballs');
    for (const p of PACKAGES) {
      const name = `@tfjs-peft/${p}`;
      const doc = await (await get(`${registry}${name.replace('/', '%2f')}`)).json();
      const meta = doc.versions?.[version];
      if (!meta) {
        problems.push(`${name}@${version} is not on the registry`);
        continue;
      }
      const tgz = join(unpacked, `${p}.tgz`);
      mkdirSync(join(unpacked, p), { recursive: true });
      writeFileSync(tgz, Buffer.from(await (await get(meta.dist.tarball)).arrayBuffer()));
      run('tar', ['-xzf', tgz, '-C', join(unpacked, p)]);
      checkManifest(join(unpacked, p, 'package'), problems);
      const files = run('tar', ['-tzf', tgz]).trim().split('\n').length;
      log(`${name}@${version}: ${files} files, ${(readFileSync(tgz).length / 1024).toFixed(0)} KiB`);
    }
    if (problems.length) throw new Error(`published manifests:\n  ${problems.join('\n  ')}`);
    log('published manifests: no workspace: ranges, no source condition, every target in its tarball');

    // 5. a fresh project installs by name and version, and trains
    const app = join(tmp, 'app');
    mkdirSync(app);
    run('npm', ['init', '-y'], { cwd: app });
    writeFileSync(join(app, '.npmrc'), `@tfjs-peft:registry=${registry}\n`);
    const specs = [...INSTALL.map((p) => `@tfjs-peft/${p}@${version}`), '@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: app });
    const installed = run('npm', ['ls', '--all', '--json'], { cwd: app });
    const tree = JSON.stringify(JSON.parse(installed));
    for (const m of tree.matchAll(/"(@tfjs-peft\/[a-z]+)":\{"version":"([^"]+)","resolved":"([^"]+)"/g)) {
      if (m[2] !== version || !m[3].startsWith(registry)) throw new Error(`${m[1]}@${m[2]} resolved from ${m[3]}`);
    }
    log(`npm install ${specs.join(' ')}: every @tfjs-peft package ${version} from verdaccio`);
    writeFileSync(join(app, 'esm.mjs'), consumer(true));
    writeFileSync(join(app, 'cjs.cjs'), consumer(false));
    for (const f of ['esm.mjs', 'cjs.cjs']) {
      const out = run('node', [f, join(app, `adapter-${f.split('.')[0]}`)], { cwd: app });
      const line = out
        .trim()
        .split('\n')
        .find((l) => l.startsWith('{'));
      const r = JSON.parse(line);
      if (!(r.losses.length === 8 && r.losses.every(Number.isFinite) && r.losses.at(-1) < r.losses[0])) {
        throw new Error(`${f}: the loss did not go down: ${line}`);
      }
      if (r.peft_type !== 'LORA' || !r.safetensors) throw new Error(`${f}: the adapter folder is not a PEFT folder: ${line}`);
      log(`${f}: ${line}`);
    }
    log(`PASS: @tfjs-peft/* ${version} published to a local registry, installed by version, trained`);
  } catch (e) {
    if (verdaccio) console.error(`[release-test] verdaccio (exit ${verdaccio.exitCode}):\n${verdaccioLog}`);
    throw e;
  } finally {
    if (verdaccio && verdaccio.exitCode === null) verdaccio.kill();
    if (args.has('--keep')) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`[release-test] FAIL: ${e.stderr ? `${e.message}\n${e.stdout ?? ''}\n${e.stderr}` : (e.stack ?? e)}`);
  process.exit(1);
});
