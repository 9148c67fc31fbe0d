/**
 * The building blocks of every schema in tfjs-peft: value types shared by the methods' options and
 * their `adapter_config.json` fields, each with the words its errors use for what it expects.
 * Method folders import these; only `config-schema.ts` and `io/peft-config-schema.ts` see the registry.
 */
import { z } from 'zod';

export const expected = new WeakMap<z.ZodType, string>();
/** A schema with the words used in errors for what it expects. */
export function ex<T extends z.ZodType>(schema: T, what: string): T {
  expected.set(schema, what);
  return schema;
}

/** float32 range: larger values become Infinity in the tensors (NaN outputs). */
const F32_MAX = 3.4028234663852886e38;
export const finite = ex(
  z.number().refine((v) => Number.isFinite(v) && Math.abs(v) <= F32_MAX),
  'a finite number (float32 range, |x| ≤ 3.4e38)',
);
export const posInt = ex(
  z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  'a positive integer',
);
export const nonNegInt = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
export const dropout = ex(z.number().min(0).lt(1), 'a number in [0, 1)');
const strList = z.array(z.string());
export const targetSpec = ex(
  z.union([z.string().refine((s) => s !== 'all-linear'), strList]),
  'a list of module names or a regex string ("all-linear" is not supported: list the modules)',
);
export const modulesList = ex(strList, 'a list of module names');
export const TASK_TYPES = ['SEQ_CLS', 'TOKEN_CLS', 'CAUSAL_LM', 'SEQ_2_SEQ_LM', 'FEATURE_EXTRACTION', 'QUESTION_ANS'] as const;
export const taskType = ex(z.enum(TASK_TYPES).nullable(), `null or one of ${TASK_TYPES.join(', ')}`);
export const rankPattern = ex(z.record(z.string(), posInt), 'an object of module regex → positive integer rank');
export const alphaPattern = ex(z.record(z.string(), finite), 'an object of module regex → finite alpha');
export const layerIndexes = ex(z.union([nonNegInt, z.array(nonNegInt)]), 'a layer index or a list of layer indexes (non-negative integers)');
export const layersPattern = ex(z.union([z.string(), strList]), 'a string or a list of strings (the layer-list name, e.g. "layer")');
export const arrayLike = z.custom<ArrayLike<number>>((v) => Array.isArray(v) || ArrayBuffer.isView(v));

/** the words for what a schema expects (its own, or a generic one from zod) */
export function describeExpected(s: z.ZodType | undefined, fallback: string): string {
  return (s && expected.get(s)) ?? fallback;
}

export const commonOptions = { modulesToSave: modulesList.optional(), taskType: taskType.optional() };
export const opt = <T extends z.ZodType>(s: T) => s.optional();

/** Levenshtein distance of names compared without case and `_`/`-` (so `lora_alpha` ≈ `loraAlpha`). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_-]/g, '');
  const y = b.toLowerCase().replace(/[_-]/g, '');
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...new Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
  return d[x.length]![y.length]!;
}
/** The closest known name, when it is close enough to be a likely typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};
export const at = (root: unknown, path: PropertyKey[]) =>
  path.reduce<unknown>((o, k) => (o != null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), root);
