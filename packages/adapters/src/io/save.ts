import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, joinPath, writeFileAtomic, type FileLocation } from '@tfjs-peft/core';
import type { PeftModel } from '../peft-model';
import { adapterTensors } from './adapter-tensors';
import { toAdapterConfigJson } from './peft-config';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/**
 * Writes each adapter in Hugging Face PEFT's format: `adapter_config.json` and
 * `adapter_model.safetensors`, the `default` adapter in `dir`, others in `dir/<name>/`. An adapter
 * applied to a sub-module (a policy) is written per sub-module in `…/<sub-module>/`, loadable by
 * PEFT on that sub-module (as MILE wraps `text_decoder`), plus `tfjs_peft_policy.json`.
 */
export async function savePeft(peft: PeftModel, dir: FileLocation, options: { adapters?: string[]; baseModel?: string } = {}): Promise<string[]> {
  const written: string[] = [];
  for (const name of options.adapters ?? [...peft.configs.keys()]) {
    const root = name === 'default' ? dir : joinPath(dir, name);
    const entries = peft.entries.filter((e) => e.adapter === name);
    const config = peft.configs.get(name)!;
    for (const e of entries) {
      const folder = config.method === 'policy' ? joinPath(root, e.scope) : root;
      const tensors = new Map<string, tf.Tensor>();
      for (const t of adapterTensors(peft, e)) tensors.set(t.key, t.read());
      try {
        await writeFileAtomic(joinPath(folder, ADAPTER_WEIGHTS), await encodeSafetensors(tensors, { metadata: { format: 'pt' } }));
      } finally {
        tf.dispose([...tensors.values()]);
      }
      const scoped = e.scope ? peft.base_model.getSubmodule(e.scope) : peft.base_model;
      // as PEFT: the base model's name_or_path unless given
      const json = toAdapterConfigJson(e.config, scoped, { baseModel: options.baseModel ?? (peft.base_model as { nameOrPath?: string | null }).nameOrPath ?? undefined });
      const sorted = Object.fromEntries(Object.entries(json).sort(([x], [y]) => (x < y ? -1 : 1)));
      await writeFileAtomic(joinPath(folder, ADAPTER_CONFIG), `${JSON.stringify(sorted, null, 2)}\n`);
      written.push(String(folder));
    }
    if (config.method === 'policy') {
      await writeFileAtomic(
        joinPath(root, 'tfjs_peft_policy.json'),
        `${JSON.stringify({ modules: Object.fromEntries(Object.entries(config.modules).map(([k, v]) => [k, typeof v === 'string' ? v : v.method])), rest: config.rest ?? 'frozen' }, null, 2)}\n`,
      );
    }
  }
  return written;
}
