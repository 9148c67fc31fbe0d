import type { PeftConfig } from '@tfjs-peft/adapters';

/** The methods of the comparison table, with learning rates that suit each (override with --lr). */
export const METHODS: Record<string, { config: PeftConfig | null; lr: number }> = {
  full: { config: null, lr: 5e-5 },
  'ln-tuning': { config: { method: 'ln-tuning' }, lr: 1e-3 },
  lora: { config: { method: 'lora', r: 8, loraAlpha: 16, loraDropout: 0.1 }, lr: 5e-4 },
  ia3: { config: { method: 'ia3' }, lr: 3e-3 },
  bitfit: { config: { method: 'bitfit' }, lr: 1e-3 },
  'prefix-tuning': { config: { method: 'prefix-tuning', numVirtualTokens: 10 }, lr: 1e-2 },
  'prompt-tuning': { config: { method: 'prompt-tuning', numVirtualTokens: 10 }, lr: 3e-2 },
};
