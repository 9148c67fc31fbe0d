import type { PeftConfig } from '@tfjs-peft/adapters';

/** The methods of the comparison table, with learning rates that suit each on BERT-base (override with --lr). */
export const METHODS: Record<string, { config: PeftConfig | null; lr: number }> = {
  full: { config: null, lr: 5e-5 },
  'ln-tuning': { config: { method: 'ln-tuning' }, lr: 1e-3 },
  lora: { config: { method: 'lora', r: 8, loraAlpha: 16, loraDropout: 0.1 }, lr: 5e-4 },
  ia3: { config: { method: 'ia3' }, lr: 3e-3 },
  bitfit: { config: { method: 'bitfit' }, lr: 1e-3 },
  'prefix-tuning': { config: { method: 'prefix-tuning', numVirtualTokens: 10 }, lr: 1e-2 },
  'prompt-tuning': { config: { method: 'prompt-tuning', numVirtualTokens: 10 }, lr: 3e-2 },
};

/** Learning rates for small models (hidden ≤ 256, like the embedded 2 × 128 BERT) trained for a few hundred steps. */
export const SMALL_MODEL_LR: Record<string, number> = { full: 2e-4, 'ln-tuning': 3e-3, lora: 2e-3, ia3: 1e-2, bitfit: 3e-3, 'prefix-tuning': 1e-2, 'prompt-tuning': 3e-2 };

/** `base` (the METHODS rates), `small` (SMALL_MODEL_LR) or `auto`: small when the checkpoint's hidden size is ≤ 256. */
export function learningRateFor(method: string, preset: 'auto' | 'base' | 'small', hiddenSize: number): number {
  const small = preset === 'small' || (preset === 'auto' && hiddenSize <= 256);
  return small ? SMALL_MODEL_LR[method]! : METHODS[method]!.lr;
}
