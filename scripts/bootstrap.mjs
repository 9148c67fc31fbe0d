#!/usr/bin/env node
// `npm run demo` / `npm test` on a fresh machine with only Node >= 20 and npm: gets pnpm (through
// npx when it is not installed), installs the workspace, builds the packages, then runs the job.
// Each step is skipped when it is already done, so later runs start at once.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const [job, ...rest] = process.argv.slice(2);
const passArgs = rest[0] === '--' ? rest.slice(1) : rest;

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`tfjs-peft needs Node >= 20; this is ${process.version}.`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (probe.status === 0 && probe.stdout.trim().split('.')[0] === PNPM_VERSION.split('.')[0]) return ['pnpm', []];
  console.log(`[tfjs-peft] pnpm ${PNPM_VERSION} not found on PATH; running it through npx`);
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

const [pnpm, pnpmPre] = pnpmCommand();
const pn = (...args) => run(pnpm, [...pnpmPre, ...args]);

function newestMtime(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

// 1. install when node_modules is missing or older than the lockfile
const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  console.log('[tfjs-peft] installing dependencies (first run)…');
  if (pn('install', '--frozen-lockfile') !== 0) process.exit(1);
}

// 2. build packages whose dist is missing or older than their sources (turbo caches the rest)
const pkgs = readdirSync(join(root, 'packages'));
const stale = pkgs.filter((p) => {
  const dist = join(root, 'packages', p, 'dist');
  return !existsSync(dist) || newestMtime(join(root, 'packages', p, 'src')) > newestMtime(dist);
});
if (stale.length) {
  console.log(`[tfjs-peft] building ${stale.join(', ')}…`);
  if (pn('exec', 'turbo', 'run', 'build', '--output-logs=errors-only') !== 0) process.exit(1);
}

// 3. the job
const env = { ...process.env };
const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (job === 'test' && !env.VK_ICD_FILENAMES && existsSync(icd)) {
  // WebGPU tests on SwiftShader (Debian's chromium package) when it is installed
  env.VK_ICD_FILENAMES = icd;
  env.LD_LIBRARY_PATH = ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':');
}
let status;
if (job === 'demo') status = run(pnpm, [...pnpmPre, '--filter', '@tfjs-peft/example-demo', 'start', ...passArgs], { env });
else if (job === 'tour') status = run(pnpm, [...pnpmPre, '--filter', '@tfjs-peft/example-tour', 'start', ...passArgs], { env });
else if (job === 'test') {
  const reports = () =>
    [...pkgs.map((p) => join(root, 'packages', p)), ...readdirSync(join(root, 'examples')).map((p) => join(root, 'examples', p))].map((d) => join(d, '.vitest-results.json'));
  for (const f of reports()) if (existsSync(f)) rmSync(f);
  status = run(pnpm, [...pnpmPre, 'exec', 'turbo', 'run', 'typecheck', 'test', 'lint', '--concurrency=1', '--continue', '--output-logs=full', ...passArgs], { env });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const f of reports()) {
    if (!existsSync(f)) continue;
    const r = JSON.parse(readFileSync(f, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
  // repository-wide checks: each lists what it found and returns a count; they run past a failure above
  const check = async (title, file, fn) => {
    console.log(`\n[tfjs-peft] ${title}…`);
    try {
      return await (await import(file))[fn]();
    } catch (e) {
      console.log(`${title}: check could not run: ${e instanceof Error ? e.message : e}`);
      return 1;
    }
  };
  const circles = await check('import circles (madge)', './check-circular.mjs', 'checkCircles');
  const unformatted = await check('formatting (prettier)', './check-format.mjs', 'checkFormat');
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  console.log(circles === 0 ? 'import circles: none' : `import circles: ${circles} (listed above)`);
  console.log(unformatted === 0 ? 'format: all files formatted' : `format: ${unformatted} files differ from prettier (listed above; pnpm format)`);
  if ((failed > 0 || circles > 0 || unformatted > 0) && status === 0) status = 1;
} else {
  console.error(`usage: node scripts/bootstrap.mjs <demo|tour|test> [-- args]`);
  status = 2;
}
process.exit(status);
