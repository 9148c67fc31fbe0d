import * as tf from '@tensorflow/tfjs-core';
import { rawToTypedArray, type Module, type RawTensor } from '@tfjs-peft/core';

/**
 * Initialises BLIP text modules from a BERT checkpoint, as MISS/BLIP start their text encoder and
 * decoder from BERT: `bert.*` weights go to each of `targets` (`text_encoder` → `text_encoder.*`,
 * `text_decoder` → `text_decoder.bert.*`), `cls.*` (the MLM head) to `text_decoder.cls.*`.
 * Cross-attention has no BERT counterpart and keeps its initialisation; vocabulary rows the
 * checkpoint lacks (BLIP's [DEC] and [ENC] after the 30,522 BERT tokens) keep theirs. A tensor
 * whose other dimensions differ (another hidden size) is an error naming both. Returns the number
 * of tensors loaded.
 */
export function initBlipTextFromBert(model: Module, weights: Map<string, RawTensor>, targets: ('text_encoder' | 'text_decoder')[] = ['text_encoder', 'text_decoder']): number {
  const params = new Map(model.namedParameters());
  let loaded = 0;
  for (const [name, raw] of weights) {
    if (/pooler/.test(name)) continue;
    const dest: string[] = [];
    if (name.startsWith('bert.')) {
      if (targets.includes('text_encoder')) dest.push(`text_encoder.${name.slice(5)}`);
      if (targets.includes('text_decoder')) dest.push(`text_decoder.${name}`);
    } else if (name.startsWith('cls.') && targets.includes('text_decoder')) dest.push(`text_decoder.${name}`);
    for (const t of dest) {
      const p = params.get(t);
      if (!p) continue;
      const values = rawToTypedArray(raw, name) as Float32Array;
      if (raw.shape.join() === p.shape.join()) {
        tf.tidy(() => p.assign(tf.tensor(values, raw.shape)));
      } else if (raw.shape.length === p.shape.length && raw.shape.slice(1).join() === p.shape.slice(1).join() && raw.shape[0]! < p.shape[0]!) {
        tf.tidy(() => p.assign(tf.concat([tf.tensor(values, raw.shape), tf.slice(p.value, [raw.shape[0]!], [-1])], 0)));
      } else {
        throw new Error(`initBlipTextFromBert: ${name} is [${raw.shape}] but ${t} is [${p.shape}]; the BERT checkpoint must have the text model's hidden and FFN sizes`);
      }
      loaded++;
    }
  }
  return loaded;
}
