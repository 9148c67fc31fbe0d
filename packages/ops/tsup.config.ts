import { defineConfig } from 'tsup';

// tfjs-core's gradient registrations ship only as extensionless ESM that plain Node cannot load,
// so they are bundled into our output (see README, "Why gradients are bundled").
export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
