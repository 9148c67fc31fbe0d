import type { PeftConfig } from '@tfjs-peft/adapters';

type Entry = 'frozen' | 'full' | Exclude<PeftConfig, { method: 'policy' }>;

/** MILE's cell names → a policy entry (LoRA/IA3/Prefix/P-Tuning v2 settings of MILE's `get_MILE_peft_config`, PAPERS.md §2.2). */
const CELLS: Record<string, Entry> = {
  F: 'frozen',
  T: 'full',
  // target modules: the library's per-architecture defaults (query/value in the BERT parts, qkv in the ViT)
  lora: { method: 'lora', r: 8, loraAlpha: 32, loraDropout: 0.1 },
  ia3: { method: 'ia3' },
  prefix: { method: 'prefix-tuning', numVirtualTokens: 10 },
  ptv2: { method: 'p-tuning-v2', numVirtualTokens: 10 },
  ln: { method: 'ln-tuning' },
  ffn: { method: 'ffn-only' },
  attn: { method: 'attention-only' },
};

const MODULES: Record<string, string> = { vit: 'vision_model', jtm: 'text_encoder', dec: 'text_decoder' };

/** `vit=F,jtm=T,dec=lora` → `{ method: 'policy', modules: { vision_model: 'frozen', … } }`; unnamed modules are frozen. */
export function parsePolicy(spec: string): PeftConfig {
  const modules: Record<string, Entry> = { vision_model: 'frozen', text_encoder: 'frozen', text_decoder: 'frozen' };
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, v] = part.split('=');
    const mod = MODULES[k ?? ''];
    if (!mod) throw new Error(`--policy: "${k}" is not one of vit, jtm, dec (in "${part}")`);
    const cell = CELLS[v ?? ''];
    if (!cell) throw new Error(`--policy: "${v}" for ${k} is not one of ${Object.keys(CELLS).join(', ')}`);
    modules[mod] = cell;
  }
  return { method: 'policy', modules } as PeftConfig;
}

/** The rows `--sweep` runs: MILE's tables (ViT / JTM / decoder), each PEFT method in the F/m/m, F/T/m, T/m/m, T/T/m settings, plus full fine-tuning. */
export const SWEEP: string[] = [
  'vit=T,jtm=T,dec=T',
  ...['lora', 'ia3', 'prefix', 'ptv2'].flatMap((m) => [`vit=F,jtm=${m},dec=${m}`, `vit=F,jtm=T,dec=${m}`, `vit=T,jtm=${m},dec=${m}`, `vit=T,jtm=T,dec=${m}`]),
  'vit=ln,jtm=ln,dec=ln',
  'vit=F,jtm=ffn,dec=ffn',
  'vit=F,jtm=attn,dec=attn',
];
