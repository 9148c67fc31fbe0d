/**
 * zod schemas for everything a user or a file hands to tfjs-peft: `applyPeft` options (camelCase,
 * strict: an unknown key is an error naming the closest known one) and `adapter_config.json`
 * (PEFT 0.21's snake_case fields, each type-checked; fields tfjs-peft does not implement must keep
 * their default, since another value would give outputs different from PEFT's).
 */
import { z } from 'zod';
import { PeftError } from './errors';
import { METHODS } from './config';

const expected = new WeakMap<z.ZodType, string>();
/** A schema with the words used in errors for what it expects. */
export function ex<T extends z.ZodType>(schema: T, what: string): T {
  expected.set(schema, what);
  return schema;
}

/** float32 range: larger values become Infinity in the tensors (NaN outputs). */
const F32_MAX = 3.4028234663852886e38;
export const finite = ex(z.number().refine((v) => Number.isFinite(v) && Math.abs(v) <= F32_MAX), 'a finite number (float32 range, |x| ≤ 3.4e38)');
export const posInt = ex(z.number().int().min(1).max(2 ** 31 - 1), 'a positive integer');
export const nonNegInt = z.number().int().min(0).max(2 ** 31 - 1);
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
const arrayLike = z.custom<ArrayLike<number>>((v) => Array.isArray(v) || ArrayBuffer.isView(v));

/** the words for what a schema expects (its own, or a generic one from zod) */
export function describeExpected(s: z.ZodType | undefined, fallback: string): string {
  return (s && expected.get(s)) ?? fallback;
}

// ---------- applyPeft options (camelCase) ----------

const common = { modulesToSave: modulesList.optional(), taskType: taskType.optional() };
const opt = <T extends z.ZodType>(s: T) => s.optional();
export const loraOptions = z.strictObject({
  method: z.literal('lora'),
  ...common,
  r: opt(posInt),
  loraAlpha: opt(finite),
  loraDropout: opt(dropout),
  targetModules: opt(targetSpec),
  excludeModules: opt(targetSpec),
  useRslora: opt(ex(z.boolean(), 'true or false')),
  initLoraWeights: opt(ex(z.union([z.boolean(), z.literal('gaussian')]), 'true, false or "gaussian"')),
  rankPattern: opt(rankPattern),
  alphaPattern: opt(alphaPattern),
  layersToTransform: opt(layerIndexes),
  layersPattern: opt(layersPattern),
});
const ia3Options = z.strictObject({ method: z.literal('ia3'), ...common, targetModules: opt(targetSpec), feedforwardModules: opt(targetSpec), excludeModules: opt(targetSpec) });
const prefixOptions = z.strictObject({ method: z.enum(['prefix-tuning', 'p-tuning-v2']), ...common, numVirtualTokens: opt(posInt), encoderHiddenSize: opt(posInt) });
const promptOptions = z.strictObject({ method: z.literal('prompt-tuning'), ...common, numVirtualTokens: opt(posInt), initTokenIds: opt(ex(z.array(nonNegInt).min(1), 'a non-empty list of token ids')) });
const lnOptions = z.strictObject({
  method: z.literal('ln-tuning'),
  ...common,
  targetModules: opt(targetSpec),
  excludeModules: opt(targetSpec),
  masks: opt(ex(z.record(z.string(), z.strictObject({ weight: arrayLike.optional(), bias: arrayLike.optional() })), 'an object of LayerNorm path → { weight?, bias? } 0/1 masks')),
});
const selectiveOptions = z.strictObject({ method: z.enum(['bitfit', 'ffn-only', 'attention-only', 'full']), ...common, includeLayerNorm: opt(ex(z.boolean(), 'true or false')) });
export const methodOptions = z.discriminatedUnion('method', [loraOptions, ia3Options, prefixOptions, promptOptions, lnOptions, selectiveOptions]);
const policyOptions = z.strictObject({
  method: z.literal('policy'),
  modules: z.record(z.string(), z.union([z.literal('frozen'), z.literal('full'), methodOptions])),
  rest: opt(ex(z.enum(['frozen', 'full']), '"frozen" or "full"')),
});
const SHAPES: Record<string, z.ZodObject> = {
  lora: loraOptions,
  ia3: ia3Options,
  'prefix-tuning': prefixOptions,
  'p-tuning-v2': prefixOptions,
  'prompt-tuning': promptOptions,
  'ln-tuning': lnOptions,
  bitfit: selectiveOptions,
  'ffn-only': selectiveOptions,
  'attention-only': selectiveOptions,
  full: selectiveOptions,
  policy: policyOptions,
};

/** Levenshtein distance of names compared without case and `_`/`-` (so `lora_alpha` ≈ `loraAlpha`). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_-]/g, '');
  const y = b.toLowerCase().replace(/[_-]/g, '');
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...new Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) for (let j = 1; j <= y.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
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

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};
const at = (root: unknown, path: PropertyKey[]) => path.reduce<unknown>((o, k) => (o != null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), root);

/** The schema of one field (for its "expected" words): walks object shapes and unwraps optionals. */
function fieldSchema(root: z.ZodType, path: PropertyKey[], value: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  let v = value;
  for (const k of path) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodDiscriminatedUnion || s instanceof z.ZodUnion) {
      const m = (v as { method?: string } | undefined)?.method;
      s = m && SHAPES[m] ? SHAPES[m] : undefined;
    }
    if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(k)];
    else return undefined;
    v = v != null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** One line per zod issue: the field, what was expected, what was given; unknown keys with a suggestion. */
export function formatIssues(issues: z.core.$ZodIssue[], input: unknown, root: z.ZodType, known: (path: PropertyKey[]) => readonly string[]): string[] {
  const out: string[] = [];
  for (const i of issues) {
    const field = i.path.join('.');
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) {
        const name = [...i.path, k].join('.');
        const near = closest(k, known(i.path));
        const all = known(i.path);
        out.push(`unknown field "${name}"${near ? ` (did you mean ${near}?)` : ''}${all.length <= 16 ? `; known: ${all.join(', ')}` : ' (not a field tfjs-peft knows; fields tfjs-peft does not know are accepted only when empty: null, false, [] or {})'}`);
      }
      continue;
    }
    if (i.code === 'invalid_union' && (i as { discriminator?: string }).discriminator) {
      const near = closest(String(at(input, i.path)), [...METHODS, 'policy']);
      out.push(`"${field}" expected one of ${[...METHODS, 'policy'].join(', ')}, got ${show(at(input, i.path))}${near ? ` (did you mean ${near}?)` : ''}`);
      continue;
    }
    if (i.code === 'custom' && (i.params as { own?: boolean } | undefined)?.own) {
      out.push(`"${field}" ${i.message}`);
      continue;
    }
    if (i.code === 'invalid_union' && i.errors.length) {
      // a union of a string and an object (policy entries): report the object branch's own issues
      const branch = i.errors.find((es) => es.length > 0 && es.every((e) => e.path.length > 0 || e.code === 'unrecognized_keys' || e.code === 'invalid_union'));
      if (branch) {
        out.push(...formatIssues(branch.map((e) => ({ ...e, path: [...i.path, ...e.path] })) as z.core.$ZodIssue[], input, root, known));
        continue;
      }
    }
    // the nearest enclosing field whose schema says what it expects (`layers_to_transform`, not `layers_to_transform.0`)
    let path = i.path;
    let s = fieldSchema(root, path, input);
    for (let n = i.path.length - 1; n >= 1 && !(s && expected.has(s)); n--) {
      const up = fieldSchema(root, i.path.slice(0, n), input);
      if (up && expected.has(up)) [path, s] = [i.path.slice(0, n), up];
    }
    const given = path.length ? at(input, path) : input;
    const what = describeExpected(s, i.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, ''));
    out.push(`"${path.join('.') || '(root)'}" expected ${what}, ${given === undefined ? 'but it is missing' : `got ${show(given)}`}`);
  }
  return out;
}

const knownOptionKeys = (input: unknown) => (path: PropertyKey[]): readonly string[] => {
  const obj = at(input, path) as { method?: string } | undefined;
  const shape = SHAPES[obj?.method ?? ''];
  return shape ? Object.keys(shape.shape) : [];
};

/** Checks `applyPeft` / `addAdapter` options: unknown keys, wrong types and out-of-range values are one PeftError. */
export function validatePeftOptions(config: unknown, where = 'applyPeft'): void {
  const root = z.discriminatedUnion('method', [...methodOptions.options, policyOptions]);
  if (config == null || typeof config !== 'object' || Array.isArray(config)) throw new PeftError(`${where}: the config must be an object with a "method", got ${show(config)}`);
  const r = root.safeParse(config);
  if (r.success) return;
  const lines = formatIssues(r.error.issues, config, root, knownOptionKeys(config));
  throw new PeftError(`${where}: invalid config:\n  ${lines.join('\n  ')}`);
}

export const adapterOptions = ex(z.strictObject({ adapterName: z.string().optional() }), '{ adapterName?: string }');

/** `tfjs_peft_policy.json`: sub-module paths (dot-separated identifiers only, so a path from the file stays inside the folder). */
export const MODULE_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
export const policyFile = z.strictObject({
  modules: ex(z.record(z.string(), ex(z.enum(['frozen', 'full', ...METHODS] as [string, ...string[]]), `"frozen", "full" or a method (${METHODS.join(', ')})`)), 'an object of sub-module path → "frozen", "full" or a method'),
  rest: ex(z.enum(['frozen', 'full']), '"frozen" or "full"').optional(),
});

/** Reads a `tfjs_peft_policy.json`: type-checked, every sub-module path a plain module path (no `/`, `..`). */
export function parsePolicyFile(json: unknown, label: string): { modules: Record<string, string>; rest: 'frozen' | 'full' } {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new PeftError(`${label}: expected a JSON object { modules, rest }, got ${show(json)}`);
  const r = policyFile.safeParse(json);
  if (!r.success) throw new PeftError(`${label}: ${formatIssues(r.error.issues, json, policyFile, () => ['modules', 'rest']).join('; ')}`);
  for (const scope of Object.keys(r.data.modules)) {
    if (!MODULE_PATH.test(scope)) throw new PeftError(`${label}: "modules" key ${show(scope)} expected a sub-module path (dot-separated names: letters, digits, _), which also keeps its folder inside the adapter folder`);
  }
  return { modules: r.data.modules, rest: (r.data.rest as 'frozen' | 'full' | undefined) ?? 'frozen' };
}

// the schemas accept exactly the documented config types (a compile-time check both ways)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _methodsMatch: Same<z.infer<typeof methodOptions>['method'], import('./config').MethodName> = true;
const _accepts: z.infer<typeof methodOptions> extends import('./config').MethodConfig ? true : false = true;
void _methodsMatch;
void _accepts;
