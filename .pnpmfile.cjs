// pnpm hooks for this workspace.
//
// beforePacking (pnpm >= 10.28, run by `pnpm pack` and `pnpm publish`, so by `changeset publish`):
// the `@tfjs-peft/source` export condition points at `src/*.ts`, which lets the workspace's tests,
// examples and type checks run without a build. `src/` is not in the tarballs (`files` is `dist`),
// so the published package.json drops the condition; every other condition is published as is.
// `pnpm release:test` checks the published manifests for it.
'use strict';

const SOURCE_CONDITION = '@tfjs-peft/source';

function stripSourceCondition(value) {
  if (Array.isArray(value)) return value.map(stripSourceCondition);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === SOURCE_CONDITION) continue;
    out[key] = stripSourceCondition(inner);
  }
  return out;
}

module.exports = {
  hooks: {
    beforePacking(pkg) {
      if (typeof pkg.name === 'string' && pkg.name.startsWith('@tfjs-peft/') && pkg.exports) {
        pkg.exports = stripSourceCondition(pkg.exports);
      }
      return pkg;
    },
  },
};
