import type { AnyMethodDefinition, Json } from './method';
import { PeftError } from './errors';
import { lora } from './lora/definition';
import { dora } from './dora/definition';
import { ia3 } from './ia3/definition';
import { lnTuning } from './ln-tuning/definition';
import { prefixTuning } from './prefix-tuning/definition';
import { promptTuning } from './prompt-tuning/definition';
import { selective } from './selective/definition';

/**
 * Every PEFT method tfjs-peft implements, each defined in its own folder. A new method is a folder
 * with a `definition.ts` and one line here; `MethodConfig`, the option and file schemas, injection,
 * the adapter files and `PeftModel` follow from this list.
 */
export const METHOD_DEFINITIONS = [lora, dora, ia3, prefixTuning, promptTuning, lnTuning, selective] as const;

/** Every `method` name, in registry order. */
export const METHODS: readonly string[] = METHOD_DEFINITIONS.flatMap((d) => d.methods as readonly string[]);

const byMethod = new Map<string, AnyMethodDefinition>(METHOD_DEFINITIONS.flatMap((d) => (d.methods as readonly string[]).map((m) => [m, d as AnyMethodDefinition] as const)));

/** The definition of a method name (a PeftError listing the known ones if there is none). */
export function definitionOf(method: string): AnyMethodDefinition {
  const d = byMethod.get(method);
  if (!d) throw new PeftError(`unknown method ${JSON.stringify(method)}; methods: ${METHODS.join(', ')}`);
  return d;
}

/** The `peft_type`s of adapter files tfjs-peft reads. */
export const PEFT_TYPES: readonly string[] = [...new Set(METHOD_DEFINITIONS.map((d) => d.peftType))];

/**
 * The definition that reads a file of this `peft_type`: the one whose `readsFile` accepts it, else the
 * first of the type (whose schema then names the field it does not implement), or undefined.
 */
export function definitionOfFile(j: Json): AnyMethodDefinition | undefined {
  const candidates = METHOD_DEFINITIONS.filter((d) => d.peftType === j.peft_type) as AnyMethodDefinition[];
  return candidates.find((d) => d.readsFile?.(j) ?? true) ?? candidates[0];
}

/** Parameter path segments holding per-adapter weights, over all methods (for `adapterOfParameter`). */
export const ADAPTER_SEGMENTS: readonly string[] = [...new Set(METHOD_DEFINITIONS.flatMap((d) => d.parameterSegments))];
