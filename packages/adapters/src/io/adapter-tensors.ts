import type * as tf from '@tensorflow/tfjs-core';
import type { Module, Parameter } from '@tfjs-peft/core';
import { AdapterLayer, parameterTensor } from '../adapter-layer';
import { ModulesToSaveWrapper } from '../modules-to-save';
import type { NamedTensor, PromptEncoder } from '../method';
import { definitionOf } from '../registry';
import type { MethodConfig } from '../config';

/** One tensor of an adapter file: its PEFT key, how to read it and how to load it. */
export interface AdapterTensor {
  key: string;
  shape: number[];
  read(): tf.Tensor;
  write(t: tf.Tensor): void;
  /** the trainable parameter behind it (its gradient is the key's gradient), when there is one */
  parameter?: Parameter;
}

/** What `adapterTensors` needs of an entry of a `PeftModel`. */
export interface TensorSource {
  base_model: Module;
  prompt_encoder: Map<string, PromptEncoder>;
}
export interface EntryLike {
  adapter: string;
  scope: string;
  config: MethodConfig;
  targets: string[];
  modulesToSave: string[];
}

const keyed = (prefix: string, t: NamedTensor): AdapterTensor => ({ ...t, key: `${prefix}${t.name}` });

/**
 * The tensors of one adapter entry under PEFT's key names: `base_model.model.` + the module path
 * (relative to the entry's sub-module) + the name its layer gives (`…query.lora_A.weight`,
 * `…key.ia3_l`, `…LayerNorm.ln_tuning_layers.weight`, `classifier.weight`), the trained parameters of
 * a selective method, or a prompt encoder's `prompt_embeddings`.
 */
export function adapterTensors(peft: TensorSource, entry: EntryLike): AdapterTensor[] {
  const a = entry.adapter;
  const model = peft.base_model;
  const rel = (path: string) => (entry.scope ? path.slice(entry.scope.length + 1) : path);
  const inScope = (path: string) => !entry.scope || path.startsWith(`${entry.scope}.`);
  const kind = definitionOf(entry.config.method).kind;
  const out: AdapterTensor[] = [];
  if (kind === 'prompt')
    out.push(
      ...peft.prompt_encoder
        .get(entry.scope ? `${a}__${entry.scope}` : a)!
        .peftTensors()
        .map((t) => keyed('', t)),
    );
  if (kind === 'select') {
    const params = new Map(model.namedParameters());
    for (const n of entry.targets) out.push(keyed('', parameterTensor(`base_model.model.${rel(n)}`, params.get(n)!)));
  }
  // PEFT: keys of prompt methods start with `base_model.` (the PeftModel wraps the model directly)
  const root = kind === 'prompt' ? 'base_model' : 'base_model.model';
  for (const [path, m] of model.namedModules()) {
    if (!(m instanceof AdapterLayer) || !inScope(path) || !m.adapterNames().includes(a)) continue;
    if (m instanceof ModulesToSaveWrapper && !entry.modulesToSave.includes(path)) continue;
    out.push(...m.peftTensors(a).map((t) => keyed(`${root}.${rel(path)}.`, t)));
  }
  return out;
}
