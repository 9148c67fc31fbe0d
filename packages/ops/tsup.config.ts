import { defineConfig } from 'tsup';

// tfjs-core's gradient registrations ship only as extensionless ESM that plain Node cannot load,
// so they are bundled into our output (see README, "Why gradients are bundled").
export default defineConfig({
  entry: { index: 'src/index.ts', kernels: 'src/kernels.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // one copy of each module for all entries, also in CJS: the kernel switches set state the ops read
  splitting: true,
  // CJS chunks keep `import.meta.url` unless shimmed (src/backend/wasm-threads.ts reads it)
  shims: true,
  target: 'es2022',
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
