import { requireDescription, type Module } from '@tfjs-peft/core';
import type { SelectiveConfig } from '../config';

/**
 * The parameter-name predicate of a selective method (what it trains), for names relative to
 * `model`. Which parameters are feed-forward, attention or norms is the model's own description
 * (`model.describe().parameters`); BitFit and full fine-tuning need none.
 */
export function selectivePredicate(c: SelectiveConfig, model: Module): (name: string) => boolean {
  const needs = c.method === 'ffn-only' || c.method === 'attention-only' || c.includeLayerNorm;
  const d = needs ? requireDescription(model, c.method, 'ffn-only, attention-only and includeLayerNorm read which parameters are which from the model class') : null;
  const ln = (n: string) => !!c.includeLayerNorm && d!.parameters.norms(n);
  switch (c.method) {
    case 'bitfit':
      return (n) => n.endsWith('.bias') || n === 'bias' || ln(n);
    case 'ffn-only':
      return (n) => d!.parameters.feedForward(n) || ln(n);
    case 'attention-only':
      return (n) => d!.parameters.attention(n) || ln(n);
    case 'full':
      return () => true;
  }
}
