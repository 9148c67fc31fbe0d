import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'auto/index': 'src/auto/index.ts',
    'bert/index': 'src/bert/index.ts',
    'vit/index': 'src/vit/index.ts',
    'blip/index': 'src/blip/index.ts',
    'roberta/index': 'src/roberta/index.ts',
    'distilbert/index': 'src/distilbert/index.ts',
    'clip/index': 'src/clip/index.ts',
    'llama/index': 'src/llama/index.ts',
    'llama2c/index': 'src/llama2c/index.ts',
    'llava/index': 'src/llava/index.ts',
    'qwen2/index': 'src/qwen2/index.ts',
    'tokenizer/index': 'src/tokenizer/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
