import type { SelectiveConfig } from '../config';

/** LayerNorm parameters of BERT, ViT and BLIP (HF names). */
export const LAYER_NORM = /(^|\.)(LayerNorm|layernorm|layernorm_before|layernorm_after|layer_norm\d*|post_layernorm|norm\d*)\.(weight|bias)$/;
/** Feed-forward linears: BERT/ViT `intermediate.dense`, the layer `output.dense`; BLIP vision `mlp.fc1/fc2`. */
const FFN = /(^|\.)(intermediate\.dense|(?<!attention\.)output\.dense|mlp\.fc1|mlp\.fc2)\.(weight|bias)$/;
/** Attention projections: q/k/v and output of self- and cross-attention; BLIP vision `qkv`/`projection`. */
const ATTENTION = /(^|\.)((attention|crossattention)\.(self\.(query|key|value)|output\.dense)|attention\.attention\.(query|key|value)|self_attn\.(qkv|projection))\.(weight|bias)$/;

/** The parameter-name predicate of a selective method (what it trains). */
export function selectivePredicate(c: SelectiveConfig): (name: string) => boolean {
  const ln = (n: string) => !!c.includeLayerNorm && LAYER_NORM.test(n);
  switch (c.method) {
    case 'bitfit':
      return (n) => n.endsWith('.bias') || n === 'bias' || ln(n);
    case 'ffn-only':
      return (n) => FFN.test(n) || ln(n);
    case 'attention-only':
      return (n) => ATTENTION.test(n) || ln(n);
    case 'full':
      return () => true;
  }
}
