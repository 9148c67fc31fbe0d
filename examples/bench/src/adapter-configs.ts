import type { PeftConfig } from '@tfjs-peft/adapters';

/** The methods `pnpm bench:adapters` times, by their row name. */
export const CONFIGS: Record<string, PeftConfig> = {
  full: { method: 'full' },
  'ln-tuning': { method: 'ln-tuning' },
  'lora r8 q,v': { method: 'lora', r: 8, loraAlpha: 32, loraDropout: 0.1 },
  ia3: { method: 'ia3' },
  bitfit: { method: 'bitfit' },
  'prefix-tuning (10)': { method: 'prefix-tuning', numVirtualTokens: 10 },
  'p-tuning-v2 (10)': { method: 'p-tuning-v2', numVirtualTokens: 10 },
  'prompt-tuning (10)': { method: 'prompt-tuning', numVirtualTokens: 10 },
  'ffn-only': { method: 'ffn-only' },
  'attention-only': { method: 'attention-only' },
};
