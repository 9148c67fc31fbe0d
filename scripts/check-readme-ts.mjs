#!/usr/bin/env node
// Type-checks every TypeScript block (```ts / ```typescript) of the repository's READMEs (root,
// packages/*, examples/*) with `tsc --noEmit --strict`, as a user who pastes one into a file of
// their own would: each block is one module of a temporary project whose node_modules links the
// workspace packages (resolved to their src/ through the `@tfjs-peft/source` condition) and the
// third-party packages they depend on. A block that is a fragment on purpose is marked
// ```ts skip-check (use sparingly). Run: node scripts/check-readme-ts.mjs [--keep]; also run by
// examples/tour's tests (so by `npm test`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SKIP_MARKER = 'skip-check';

/** The README files whose blocks are checked. */
export function readmeFiles(root = ROOT) {
  const out = [join(root, 'README.md')];
  for (const group of ['packages', 'examples']) {
    for (const d of readdirSync(join(root, group)).sort()) {
      const f = join(root, group, d, 'README.md');
      if (existsSync(f)) out.push(f);
    }
  }
  return out.filter((f) => existsSync(f));
}

/** The ```ts / ```typescript blocks of a markdown text: `{ line, code, skip }` (line: 1-based, of the fence). */
export function tsBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, , info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[j]); j++)
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    blocks.push({ line: i + 1, code: body.join('\n'), skip: info.split(/\s+/).includes(SKIP_MARKER) });
    i = j;
  }
  return blocks;
}

/** Workspace package folders by name (packages/*, examples/*). */
function workspacePackages(root) {
  const map = new Map();
  for (const group of ['packages', 'examples']) {
    for (const d of readdirSync(join(root, group))) {
      const pj = join(root, group, d, 'package.json');
      if (existsSync(pj)) map.set(JSON.parse(readFileSync(pj, 'utf8')).name, join(root, group, d));
    }
  }
  return map;
}

/** Links into `nm` the workspace packages and every package any workspace package has in its node_modules (first one wins). */
function linkModules(root, nm) {
  const link = (name, target) => {
    const at = join(nm, name);
    if (existsSync(at) || !existsSync(target)) return;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at, 'dir');
  };
  const ws = workspacePackages(root);
  for (const [name, dir] of ws) link(name, dir);
  for (const dir of [root, ...ws.values()]) {
    const from = join(dir, 'node_modules');
    if (!existsSync(from)) continue;
    for (const e of readdirSync(from)) {
      if (e.startsWith('.')) continue;
      if (e.startsWith('@')) {
        for (const s of readdirSync(join(from, e))) link(`${e}/${s}`, join(from, e, s));
      } else link(e, join(from, e));
    }
  }
}

/** Checks every block; returns `{ checked, skipped, errors: string }` (errors empty when all pass). */
export function checkReadmes({ root = ROOT, keep = false, files = readmeFiles(root) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'readme-ts-'));
  const sources = [];
  let skipped = 0;
  for (const file of files) {
    const rel = relative(root, file);
    for (const b of tsBlocks(readFileSync(file, 'utf8'))) {
      if (b.skip) {
        skipped++;
        continue;
      }
      const name = `${rel.replace(/README\.md$/, '').replace(/[^A-Za-z0-9]+/g, '_') || 'root_'}L${b.line}.ts`;
      // a module (top-level await, no globals shared between blocks); the header maps errors back
      writeFileSync(join(dir, name), `// ${rel}:${b.line}\n${b.code}\nexport {};\n`);
      sources.push({ name, rel, line: b.line });
    }
  }
  mkdirSync(join(dir, 'node_modules'));
  linkModules(root, join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          customConditions: ['@tfjs-peft/source'],
          types: ['node'],
        },
        files: sources.map((s) => s.name),
      },
      null,
      2,
    ),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  let errors = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    // `root_L12.ts(3,5): error …` → `README.md:14 (block line 3) error …`; errors in linked sources keep their paths
    errors = out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^([^()]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
        const s = m && sources.find((x) => x.name === m[1]);
        return s ? `${s.rel}:${s.line + Number(m[2]) - 1}:${m[3]} ${m[4]}` : l;
      })
      .join('\n');
    if (!errors) errors = String(e.message);
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return { checked: sources.length, skipped, errors, dir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = checkReadmes({ keep: process.argv.includes('--keep') });
  if (r.errors) {
    console.error(r.errors);
    console.error(
      `\nREADME TypeScript blocks: ${r.checked} checked, ${r.skipped} skipped (${SKIP_MARKER}); type errors above${process.argv.includes('--keep') ? ` (project kept in ${r.dir})` : ''}`,
    );
    process.exit(1);
  }
  console.log(`README TypeScript blocks: ${r.checked} checked, ${r.skipped} skipped (${SKIP_MARKER}); no type errors`);
}
