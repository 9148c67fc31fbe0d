import type * as tf from '@tensorflow/tfjs-core';
import type { AttentionShape, Module, Parameter } from '@tfjs-peft/core';
import type { z } from 'zod';
import type { TargetSpec } from './config';

/** A parsed `adapter_config.json` (PEFT's snake_case fields). */
export type Json = Record<string, unknown>;

/** One tensor of an adapter file under its PEFT name (relative to the module that holds it). */
export interface NamedTensor {
  name: string;
  shape: number[];
  read(): tf.Tensor;
  write(t: tf.Tensor): void;
  /** the trainable parameter behind it (its gradient is the tensor's gradient), when there is one */
  parameter?: Parameter;
}

/** Where a method is applied: the root model, the adapted sub-module and the adapter's name. */
export interface InjectContext {
  /** the root model; returned paths are relative to it */
  model: Module;
  /** the adapted sub-module's path ('' = the whole model) and the module itself */
  scope: string;
  scoped: Module;
  adapter: string;
  /** modules_to_save names: targets never match inside them */
  protectedNames: string[];
}

/** What a prompt method adds to the model: a module that makes the extra inputs. */
export interface PromptEncoder extends Module {
  /** its tensors in the adapter file (`prompt_embeddings`) */
  peftTensors(): NamedTensor[];
}

/**
 * A PEFT method, defined once in its own folder and listed in `registry.ts`: its config's schema and
 * defaults, its `adapter_config.json` both ways, and how it adapts a model. `inject`, the file I/O
 * and `PeftModel` read these and never name a method.
 *
 * - `wrap`: wraps target modules in an `AdapterLayer` (LoRA, IA3, LN tuning); the layers list their
 *   own tensors (`AdapterLayer.peftTensors`) and merge themselves.
 * - `prompt`: adds inputs made by a `PromptEncoder` (prefix tuning, P-Tuning v2, prompt tuning).
 * - `select`: trains some of the model's own parameters (BitFit, FFN-only, attention-only, full).
 */
export interface MethodDefinition<C extends { method: string } = { method: string }> {
  /** the `method` names it handles (`prefix-tuning` and `p-tuning-v2` share one definition) */
  readonly methods: readonly C['method'][];
  readonly kind: 'wrap' | 'prompt' | 'select';
  /** PEFT `peft_type` of its files */
  readonly peftType: string;
  /** the strict camelCase schema of its `applyPeft` options */
  readonly options: z.ZodObject;
  /** its `adapter_config.json` fields besides PEFT's common ones, each checked; `required` must be present */
  readonly file: { fields: Record<string, z.ZodType>; required?: readonly string[]; refine?(j: Json, fail: (field: string, message: string) => void): void };
  /** whether a file of `peftType` is this method's (two methods may share a PEFT type: LoRA and DoRA) */
  readsFile?(j: Json): boolean;
  /** its own `adapter_config.json` fields (with `peft_type`) for a config applied to `model` */
  toJson(c: C, model: Module, prompt?: AttentionShape): Json;
  /** the config a checked file stands for (without the common fields) */
  fromJson(j: Json, model: Module | undefined, label: string): Omit<C, 'modulesToSave' | 'taskType'>;
  /** parameter path segments that hold one entry per adapter (`lora_A` in `….lora_A.<adapter>.weight`) */
  readonly parameterSegments: readonly string[];
  /** wrap: the target modules the config resolves to in `model` (given, or the model's defaults) */
  targets?(c: C, model: Module): TargetSpec;
  /** wrap / select: adapts the model; returns the wrapped module paths or the trained parameter names */
  inject?(c: C, ctx: InjectContext): string[];
  /** prompt: the encoder of the extra inputs */
  createEncoder?(c: C, model: Module, where: string, training: boolean): PromptEncoder;
  /** prompt: the model's inputs with the encoder's output added (`scope`: the sub-module it was applied to) */
  promptInputs?(encoder: PromptEncoder, inputs: Record<string, unknown>, scope: string, model: Module): Record<string, unknown>;
  /**
   * prompt: the inputs of the wrapped model's `generate` (default `promptInputs`); prompt tuning gives
   * its embeddings as `promptEmbeds`, since generate needs the prompt's token ids themselves
   */
  generateInputs?(encoder: PromptEncoder, inputs: Record<string, unknown>, scope: string, model: Module): Record<string, unknown>;
  /** a method whose files are read back as another (a projected prefix loads as P-Tuning v2) */
  loadsAs?(method: C['method']): string;
}

/** A definition with its config type erased, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethodDefinition = MethodDefinition<any>;

/** The config type of a definition. */
export type ConfigOf<D> = D extends MethodDefinition<infer C> ? C : never;
