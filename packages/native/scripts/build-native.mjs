#!/usr/bin/env node
// Compiles the addon with node-gyp when it is missing or older than its sources.
// --optional (the install script): a failure prints why and exits 0, so installing the package never
// fails; tfjs-peft then runs on the wasm/cpu kernels. TFJS_PEFT_REQUIRE_NATIVE=1 makes it fatal (CI).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const optional = process.argv.includes('--optional') && process.env.TFJS_PEFT_REQUIRE_NATIVE !== '1';
const force = process.argv.includes('--force');
const addon = join(root, 'build', 'Release', 'tfjs_peft_native.node');

function finish(ok, message) {
  if (ok) process.exit(0);
  const text = `[@tfjs-peft/native] the native addon was not built: ${message}. tfjs-peft will use the wasm/cpu kernels.`;
  if (optional) {
    console.warn(text);
    process.exit(0);
  }
  console.error(text);
  process.exit(1);
}

const sources = [
  join(root, 'binding.gyp'),
  ...readdirSync(join(root, 'src'))
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => join(root, 'src', f)),
];
if (!force && existsSync(addon) && sources.every((s) => statSync(s).mtimeMs <= statSync(addon).mtimeMs)) finish(true);

// node-gyp: the one npm runs scripts with, a local install, or the copy bundled with npm beside node
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  const prefix = resolve(dirname(process.execPath), '..');
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}

const gyp = findNodeGyp();
if (!gyp) finish(false, 'node-gyp was not found (it ships with npm)');
const args = [gyp, 'rebuild'];
// build against the headers that come with this node (no download) when npm does not name a nodedir
const prefix = resolve(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => /error|not found|ERR!/i.test(l))
    .slice(0, 12);
  finish(false, `node-gyp rebuild exited with ${r.status}:\n  ${lines.join('\n  ')}`);
}
finish(existsSync(addon), `node-gyp finished but ${addon} is missing`);
