import { joinPath, resolvePretrained, type FileLocation, type Module } from '@tfjs-peft/core';
import { AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoModelForTokenClassification } from '@tfjs-peft/models/auto';
import type { FromPretrainedOptions } from '@tfjs-peft/models';
import { PeftError } from '../errors';
import { ADAPTER_CONFIG } from '../io/save';
import { loadPeft, readJson } from '../io/load';
import type { PeftModel } from '../peft-model';

export interface AutoPeftOptions extends FromPretrainedOptions {
  /**
   * the base model's folder, URL or hub id; default the adapter's `base_model_name_or_path`. The hub
   * options (`cacheDir`, `token`, `localFilesOnly`, …) apply to both; `revision` is the adapter's,
   * the base loads at the file's `revision` (as PEFT).
   */
  baseModel?: FileLocation;
  adapterName?: string;
  /** as PEFT's `is_trainable`: keep the adapter trainable (default frozen, eval mode) */
  isTrainable?: boolean;
}

type Loader = { fromPretrained(dir: FileLocation, options?: FromPretrainedOptions): Promise<Module> };

/** PEFT's `task_type` → the Auto class its `AutoPeftModel` loads the base with. */
const BY_TASK: Record<string, [Loader, string]> = {
  CAUSAL_LM: [AutoModelForCausalLM as Loader, 'AutoModelForCausalLM'],
  SEQ_CLS: [AutoModelForSequenceClassification as Loader, 'AutoModelForSequenceClassification'],
  TOKEN_CLS: [AutoModelForTokenClassification as Loader, 'AutoModelForTokenClassification'],
  FEATURE_EXTRACTION: [AutoModel as Loader, 'AutoModel'],
};

async function load(nameOrPath: FileLocation, options: AutoPeftOptions, wanted: string | null, who: string): Promise<PeftModel<Module>> {
  const adapterDir = await resolvePretrained(nameOrPath, options);
  const { json, label: file } = await readJson(joinPath(adapterDir, ADAPTER_CONFIG));
  const task = (json.task_type as string | null | undefined) ?? null;
  if (wanted && task !== wanted) {
    throw new PeftError(`${who}: ${file} has "task_type" ${JSON.stringify(task)}, expected ${JSON.stringify(wanted)} (use the AutoPeftModel class of that task, or AutoPeftModel)`);
  }
  const [cls, name] = BY_TASK[task ?? 'FEATURE_EXTRACTION'] ?? [];
  if (!cls) throw new PeftError(`${who}: ${file} has "task_type" ${JSON.stringify(task)}; supported: ${Object.keys(BY_TASK).join(', ')} or null`);
  const base = options.baseModel ?? (json.base_model_name_or_path as string | null | undefined) ?? null;
  if (base == null || base === '') {
    throw new PeftError(`${who}: ${file} has no "base_model_name_or_path"; pass { baseModel: <the base model's folder or URL> }`);
  }
  const { baseModel: _b, adapterName, isTrainable, revision: _r, ...modelOptions } = options;
  const baseRevision = typeof json.revision === 'string' && json.revision !== '' ? json.revision : undefined;
  let model: Module;
  try {
    model = await cls.fromPretrained(base, { ...modelOptions, ...(baseRevision ? { revision: baseRevision } : {}) });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new PeftError(
      `${who}: the base model "${String(base)}" (from ${options.baseModel ? 'options.baseModel' : `"base_model_name_or_path" in ${file}`}) did not load with ${name}: ${why}`,
    );
  }
  return loadPeft(model, adapterDir, { adapterName, isTrainable });
}

/**
 * PEFT's `AutoPeftModel*`: reads `adapter_config.json`, loads the base model it names
 * (`base_model_name_or_path`, or `options.baseModel`) with the Auto class of its `task_type`, and
 * the adapter onto it. The task-specific classes check the file's `task_type`, as PEFT's do.
 */
export class AutoPeftModel {
  static fromPretrained(adapterDir: FileLocation, options: AutoPeftOptions = {}): Promise<PeftModel<Module>> {
    return load(adapterDir, options, null, 'AutoPeftModel.fromPretrained');
  }
}
export class AutoPeftModelForCausalLM {
  static fromPretrained(adapterDir: FileLocation, options: AutoPeftOptions = {}): Promise<PeftModel<Module>> {
    return load(adapterDir, options, 'CAUSAL_LM', 'AutoPeftModelForCausalLM.fromPretrained');
  }
}
export class AutoPeftModelForSequenceClassification {
  static fromPretrained(adapterDir: FileLocation, options: AutoPeftOptions = {}): Promise<PeftModel<Module>> {
    return load(adapterDir, options, 'SEQ_CLS', 'AutoPeftModelForSequenceClassification.fromPretrained');
  }
}
export class AutoPeftModelForTokenClassification {
  static fromPretrained(adapterDir: FileLocation, options: AutoPeftOptions = {}): Promise<PeftModel<Module>> {
    return load(adapterDir, options, 'TOKEN_CLS', 'AutoPeftModelForTokenClassification.fromPretrained');
  }
}
