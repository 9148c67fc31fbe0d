import { defineConfig } from 'tsup';

// ESM output is split so `src/io/node-fs.ts` (the only module using `node:fs`) becomes its own chunk,
// loaded with `import()` when a path is used: `dist/index.js` itself imports no `node:` module.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  removeNodeProtocol: false,
});
