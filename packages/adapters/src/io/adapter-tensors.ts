import * as tf from '@tensorflow/tfjs-core';
import type { Module, Parameter } from '@tfjs-peft/core';
import { AdapterLayer } from '../adapter-layer';
import { LoraLinear } from '../lora/lora-linear';
import { IA3Linear } from '../ia3/ia3-linear';
import { LnTuningLayer } from '../ln-tuning/ln-tuning-layer';
import { ModulesToSaveWrapper } from '../modules-to-save';
import { PrefixEncoder } from '../prefix-tuning/prefix-encoder';
import type { PeftModel, AdapterEntry } from '../peft-model';

/** One tensor of an adapter file: its PEFT key, how to read it and how to load it. */
export interface AdapterTensor {
  key: string;
  shape: number[];
  read(): tf.Tensor;
  write(t: tf.Tensor): void;
  /** the trainable parameter behind it (its gradient is the key's gradient), when there is one */
  parameter?: Parameter;
}

const param = (key: string, p: Parameter): AdapterTensor => ({ key, shape: p.shape, read: () => tf.clone(p.value), write: (t) => p.assign(t, key), parameter: p });

/**
 * The tensors of one adapter entry under PEFT's key names: `base_model.model.` + the module path
 * (relative to the entry's sub-module) + PEFT's parameter name with the adapter name removed
 * (`…query.lora_A.weight`, `…key.ia3_l`, `…LayerNorm.ln_tuning_layers.weight`, `classifier.weight`),
 * or `prompt_embeddings` for prompt methods.
 */
export function adapterTensors(peft: PeftModel, entry: AdapterEntry): AdapterTensor[] {
  const a = entry.adapter;
  const model = peft.base_model;
  const rel = (path: string) => (entry.scope ? path.slice(entry.scope.length + 1) : path);
  const inScope = (path: string) => !entry.scope || path.startsWith(`${entry.scope}.`);
  const out: AdapterTensor[] = [];
  const method = entry.config.method;
  const prompt = method === 'prefix-tuning' || method === 'p-tuning-v2' || method === 'prompt-tuning';
  if (prompt) {
    const enc = peft.prompt_encoder.get(entry.scope ? `${a}__${entry.scope}` : a)!;
    if (enc instanceof PrefixEncoder) {
      const { numVirtualTokens: p, numLayers: l, tokenDim: d } = enc.shape;
      out.push({
        key: 'prompt_embeddings',
        shape: [p, l * 2 * d],
        read: () => tf.tidy(() => tf.clone(enc.table())),
        write: (t) => {
          if (enc.transform) throw new Error('a projected prefix cannot be loaded from its table');
          enc.embedding.weight.assign(t, 'prompt_embeddings');
        },
        parameter: enc.transform ? undefined : enc.embedding.weight,
      });
    } else {
      out.push(param('prompt_embeddings', enc.embedding.weight));
    }
  }
  if (method === 'bitfit' || method === 'ffn-only' || method === 'attention-only' || method === 'full' || method === 'full-scope') {
    const names = method === 'full-scope' ? model.namedParameters().filter(([n]) => inScope(n)).map(([n]) => n) : entry.targets;
    const params = new Map(model.namedParameters());
    for (const n of names) out.push(param(`base_model.model.${rel(n)}`, params.get(n)!));
  }
  // PEFT: keys of prompt methods start with `base_model.` (the PeftModel wraps the model directly)
  const root = prompt ? 'base_model' : 'base_model.model';
  for (const [path, m] of model.namedModules()) {
    if (!(m instanceof AdapterLayer) || !inScope(path)) continue;
    const k = `${root}.${rel(path)}`;
    if (m instanceof LoraLinear && m.lora_A.has(a)) {
      out.push(param(`${k}.lora_A.weight`, m.lora_A.get(a)!.weight), param(`${k}.lora_B.weight`, m.lora_B.get(a)!.weight));
    } else if (m instanceof IA3Linear && m.ia3_l.has(a)) {
      out.push(param(`${k}.ia3_l`, m.ia3_l.get(a)!));
    } else if (m instanceof LnTuningLayer && m.ln_tuning_layers.has(a)) {
      const ln = m.ln_tuning_layers.get(a)!;
      out.push(
        { key: `${k}.ln_tuning_layers.weight`, shape: ln.weight.shape, read: () => tf.tidy(() => tf.clone(m.effective(a).weight)), write: (t) => ln.weight.assign(t), parameter: ln.weight },
        { key: `${k}.ln_tuning_layers.bias`, shape: ln.bias.shape, read: () => tf.tidy(() => tf.clone(m.effective(a).bias)), write: (t) => ln.bias.assign(t), parameter: ln.bias },
      );
    } else if (m instanceof ModulesToSaveWrapper && m.modules_to_save.has(a) && entry.modulesToSave.includes(path)) {
      for (const [n, p] of (m.modules_to_save.get(a) as Module).namedParameters()) out.push(param(`${k}.${n}`, p));
    }
  }
  return out;
}
