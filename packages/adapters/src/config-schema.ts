/**
 * zod schemas for everything a user or a file hands to tfjs-peft: `applyPeft` options (camelCase,
 * strict: an unknown key is an error naming the closest known one) and `adapter_config.json`
 * (PEFT 0.21's snake_case fields, each type-checked; fields tfjs-peft does not implement must keep
 * their default, since another value would give outputs different from PEFT's).
 */
import { z } from 'zod';
import { PeftError } from './errors';
import { METHOD_DEFINITIONS, METHODS } from './registry';
import { at, closest, describeExpected, ex, expected, opt, show } from './schema/primitives';

export { closest } from './schema/primitives';

// ---------- applyPeft options (camelCase): each method's own schema, from the registry ----------

const methodSchemas = METHOD_DEFINITIONS.map((d) => d.options) as unknown as [z.ZodObject, ...z.ZodObject[]];
export const methodOptions = z.discriminatedUnion('method', methodSchemas);
const policyOptions = z.strictObject({
  method: z.literal('policy'),
  modules: z.record(z.string(), z.union([z.literal('frozen'), z.literal('full'), methodOptions])),
  rest: opt(ex(z.enum(['frozen', 'full']), '"frozen" or "full"')),
});
const SHAPES: Record<string, z.ZodObject> = { ...Object.fromEntries(METHOD_DEFINITIONS.flatMap((d) => d.methods.map((m) => [m, d.options]))), policy: policyOptions };

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
        out.push(
          `unknown field "${name}"${near ? ` (did you mean ${near}?)` : ''}${all.length <= 16 ? `; known: ${all.join(', ')}` : ' (not a field tfjs-peft knows; fields tfjs-peft does not know are accepted only when empty: null, false, [] or {})'}`,
        );
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

const knownOptionKeys =
  (input: unknown) =>
  (path: PropertyKey[]): readonly string[] => {
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
  modules: ex(
    z.record(z.string(), ex(z.enum(['frozen', 'full', ...METHODS] as [string, ...string[]]), `"frozen", "full" or a method (${METHODS.join(', ')})`)),
    'an object of sub-module path → "frozen", "full" or a method',
  ),
  rest: ex(z.enum(['frozen', 'full']), '"frozen" or "full"').optional(),
});

/** Reads a `tfjs_peft_policy.json`: type-checked, every sub-module path a plain module path (no `/`, `..`). */
export function parsePolicyFile(json: unknown, label: string): { modules: Record<string, string>; rest: 'frozen' | 'full' } {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new PeftError(`${label}: expected a JSON object { modules, rest }, got ${show(json)}`);
  const r = policyFile.safeParse(json);
  if (!r.success) throw new PeftError(`${label}: ${formatIssues(r.error.issues, json, policyFile, () => ['modules', 'rest']).join('; ')}`);
  for (const scope of Object.keys(r.data.modules)) {
    if (!MODULE_PATH.test(scope))
      throw new PeftError(
        `${label}: "modules" key ${show(scope)} expected a sub-module path (dot-separated names: letters, digits, _), which also keeps its folder inside the adapter folder`,
      );
  }
  return { modules: r.data.modules, rest: (r.data.rest as 'frozen' | 'full' | undefined) ?? 'frozen' };
}
