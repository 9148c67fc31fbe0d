import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', kernels: 'src/kernels.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
