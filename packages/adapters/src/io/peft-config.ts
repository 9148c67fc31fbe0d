import type { Module } from '@tfjs-peft/core';
import type { MethodConfig } from '../config';
import type { Json } from '../method';
import { definitionOf } from '../registry';
import { checkAdapterConfig } from './peft-config-schema';

export { SELECTIVE_TYPE } from '../selective/config';

/**
 * `adapter_config.json` as PEFT writes it: the common fields, then the method's own (its
 * definition's `toJson`: every field PEFT 0.21 reads for that type, with the model's default
 * targets and attention sizes resolved). `inference_mode` is true, as in a saved PEFT adapter.
 */
export function toAdapterConfigJson(c: MethodConfig, model: Module, extra: { baseModel?: string } = {}): Json {
  return {
    base_model_name_or_path: extra.baseModel ?? null,
    revision: null,
    inference_mode: true,
    task_type: c.taskType ?? null,
    modules_to_save: c.modulesToSave?.length ? c.modulesToSave : null,
    peft_version: '0.21.0',
    ...definitionOf(c.method).toJson(c, model),
  };
}

/**
 * Reads an `adapter_config.json` into a method config. Every field is checked first
 * (`checkAdapterConfig`): a wrong type, an out-of-range value, a field tfjs-peft does not implement
 * at a non-default value, or an unknown `peft_type` is a PeftError naming the file and the fields.
 * With `model` (the module the adapter goes on), prompt sizes in the file must match it.
 */
export function fromAdapterConfigJson(json: unknown, label = 'adapter_config.json', model?: Module): MethodConfig {
  const { json: j, definition } = checkAdapterConfig(json, label);
  const common = {
    modulesToSave: (j.modules_to_save as string[] | null) ?? undefined,
    taskType: (j.task_type as MethodConfig['taskType']) ?? null,
  };
  return { ...common, ...definition.fromJson(j, model, label) } as MethodConfig;
}
