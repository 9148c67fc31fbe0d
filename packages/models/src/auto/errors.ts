import { TfjsPeftError } from '@tfjs-peft/core';
import type { AutoTask } from './tasks';

/**
 * An Auto class cannot pick a class for a config: its `model_type` is not an architecture
 * tfjs-peft implements, or the architecture has no class for this task (transformers'
 * "Unrecognized configuration class … for this kind of AutoModel").
 */
export class AutoModelError extends TfjsPeftError {
  constructor(
    /** where the config came from (`./my-model/config.json`) */
    readonly label: string,
    readonly modelType: string,
    readonly task: AutoTask,
    /** the model_types this task supports */
    readonly supported: readonly string[],
    /** the tasks that do support `modelType` (empty when the architecture is unknown) */
    readonly tasksForModelType: readonly AutoTask[],
  ) {
    const list = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
    const why =
      tasksForModelType.length === 0
        ? `model_type ${JSON.stringify(modelType)} is not an architecture tfjs-peft implements`
        : `model_type ${JSON.stringify(modelType)} has no ${task} class in tfjs-peft (it loads with ${tasksForModelType.join(', ')})`;
    super('AUTO_MODEL_UNSUPPORTED', `${label}: ${why}; ${task} supports model_type ${list(supported)}`);
  }
}
