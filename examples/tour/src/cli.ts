import { defineCli } from '@tfjs-peft/example-shared/cli';

export const TOUR_CLI = defineCli({
  command: 'npm run tour --',
  summary:
    'Picks the best backend that starts, runs forward + backward of a BERT layer (hidden 256, 4 heads, FFN 1024) with every weight trainable and LayerNorm-only, and prints step time, tokens/s and tensor memory.',
  options: {
    backend: { type: 'string', help: 'auto (the best that starts), wasm, cpu, webgpu or tensorflow', default: 'auto', value: 'name' },
    steps: { type: 'string', help: 'timed steps per mode after a warm-up step (the median is printed)', default: '5', value: 'n' },
    batch: { type: 'string', help: 'sequences per batch', default: '8', value: 'n' },
    seq: { type: 'string', help: 'tokens per sequence', default: '128', value: 'n' },
  },
});
