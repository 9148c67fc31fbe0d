import type { CliOptions } from './cli';

/** The options of the examples that train through runMethod (demo, glue, layernorm-fisher): steps, batches, rates, seed. */
export const TRAINING_OPTIONS = {
  'max-steps': { type: 'string', help: 'optimizer steps per method', default: '300', value: 'n' },
  'batch-size': { type: 'string', help: 'examples per batch', default: '16', value: 'n' },
  'max-length': { type: 'string', help: 'tokens per example (longer ones are cut)', default: '128', value: 'n' },
  'train-limit': { type: 'string', help: 'use the first n training examples (default: all)', value: 'n' },
  lr: { type: 'string', help: 'one learning rate for every method (default: per method and model size)', value: 'rate' },
  seed: { type: 'string', help: 'seed of initialisation, shuffling and dropout', default: '42', value: 'n' },
  'no-progress': { type: 'boolean', help: 'no training progress (a bar on a terminal, plain lines every ~10 s in a log)', default: false },
} as const satisfies CliOptions;

/** How the frozen weights' products run and how much of the last layer is computed (demo, glue). */
export const PRECISION_OPTIONS = {
  'lr-preset': { type: 'string', help: "per-method rates: base, small (hidden ≤ 256) or auto (by the checkpoint's hidden size)", default: 'auto', value: 'preset' },
  // products with frozen weights (ln-tuning, LoRA/IA3 base layers): float32, or bf16 operands with float32 sums (setFrozenMatMulPrecision)
  'frozen-precision': { type: 'string', help: 'products with frozen weights: float32, or bf16 operands with float32 sums', default: 'float32', value: 'float32|bf16' },
  // on: the last layer computed for [CLS] only (same logits and gradients, less work); off: every token, as transformers
  'first-token-only': { type: 'string', help: 'on: the last layer for [CLS] only (same logits and gradients, less work); off: every token', default: 'on', value: 'on|off' },
} as const satisfies CliOptions;

/** --backend with the example's default. */
export function backendOption(defaultBackend: string) {
  return { type: 'string', help: 'auto, wasm, cpu, webgpu or tensorflow', default: defaultBackend, value: 'name' } as const;
}

/** runMethod's settings from the parsed TRAINING_OPTIONS. */
export function trainingSettings(a: { 'max-steps': string; 'batch-size': string; 'max-length': string; seed: string; 'no-progress'?: boolean }): {
  maxSteps: number;
  batchSize: number;
  maxLength: number;
  seed: number;
  progress: boolean;
} {
  // progress on unless --no-progress: a bar on a terminal, plain periodic lines when piped to a log
  return { maxSteps: Number(a['max-steps']), batchSize: Number(a['batch-size']), maxLength: Number(a['max-length']), seed: Number(a.seed), progress: !a['no-progress'] };
}
