#!/usr/bin/env node
// No import circles between source files (issue #21): runs madge over every packages/*/src and
// examples/*/src with the settings in the root .madgerc, prints each cycle, and exits 1 when there
// is one. `npm test` runs it through scripts/bootstrap.mjs; `pnpm check:circular` runs it alone.
//
// Type-only imports (`import type …`) are skipped (.madgerc: detectiveOptions.ts.skipTypeImports):
// TypeScript erases them, so they cannot change the order in which modules evaluate — which is what
// an import circle breaks (a class read as undefined, a half-initialised registry, a bundle that has
// to hoist). Two types naming each other (Module.describe() returns a ModelDescription that holds
// Modules) is the normal shape of a typed design, not a circle to remove. Dynamic `import()` counts:
// it hides a circle from the bundler, it does not remove it.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The folders checked: `src` of every workspace package and example. */
export function sourceRoots() {
  const roots = [];
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const src = join(dir, name, 'src');
      if (existsSync(src)) roots.push(src);
    }
  }
  return roots;
}

/** Every import circle among the source files, each as the list of files (relative to the repository root) in it. */
export async function findCircles() {
  const { default: madge } = await import('madge');
  const config = JSON.parse(readFileSync(join(root, '.madgerc'), 'utf8'));
  const result = await madge(sourceRoots(), { ...config, baseDir: root });
  return result.circular().map((cycle) => cycle.map((file) => relative(root, join(root, file)).split('\\').join('/')));
}

/** Prints the cycles and a one-line total; returns the number of cycles. */
export async function checkCircles() {
  const circles = await findCircles();
  for (const [i, cycle] of circles.entries()) console.log(`  ${i + 1}) ${[...cycle, cycle[0]].join(' → ')}`);
  console.log(circles.length === 0 ? 'import circles: none' : `import circles: ${circles.length} found (madge --circular; type-only imports ignored)`);
  return circles.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  checkCircles().then(
    (n) => process.exit(n === 0 ? 0 : 1),
    (e) => {
      console.error(`import circles: check could not run: ${e instanceof Error ? e.message : e}`);
      process.exit(2);
    },
  );
}
