#!/usr/bin/env node
// Formatting check (issue #21): lists the files prettier would change (settings in .prettierrc.json,
// exclusions in .prettierignore and .gitignore) and exits 1 when there are any. `npm test` runs it
// through scripts/bootstrap.mjs; `pnpm format` rewrites the files, `pnpm format:check` is the plain
// prettier check.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHOWN = 30;

/** The files prettier would rewrite, relative to the repository root. */
export function unformattedFiles() {
  const require = createRequire(join(root, 'package.json'));
  const pkgPath = require.resolve('prettier/package.json');
  const bin = require(pkgPath).bin;
  const cli = join(dirname(pkgPath), typeof bin === 'string' ? bin : bin.prettier);
  const r = spawnSync(process.execPath, [cli, '--list-different', '.'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  // 0: all formatted, 1: some differ; anything else is prettier failing (a file it cannot parse, a bad config)
  if (r.status !== 0 && r.status !== 1) throw new Error(`prettier exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Prints the files and a one-line total; returns their number. */
export function checkFormat() {
  const files = unformattedFiles();
  for (const f of files.slice(0, SHOWN)) console.log(`  ${f}`);
  if (files.length > SHOWN) console.log(`  … and ${files.length - SHOWN} more (npx prettier --list-different .)`);
  console.log(files.length === 0 ? 'format: all files formatted' : `format: ${files.length} files differ from prettier (pnpm format rewrites them)`);
  return files.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exit(checkFormat() === 0 ? 0 : 1);
  } catch (e) {
    console.error(`format: check could not run: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
}
