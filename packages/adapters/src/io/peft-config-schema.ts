/**
 * `adapter_config.json` as zod schemas: every field of PEFT 0.21's LoraConfig, IA3Config,
 * PrefixTuningConfig, PromptTuningConfig and LNTuningConfig (read from PEFT's dataclasses), plus
 * tfjs-peft's own TFJS_PEFT_SELECTIVE. Each field is type-checked; a field tfjs-peft does not
 * implement must keep PEFT's default (any other value changes PEFT's outputs, so loading it here
 * would silently differ). Keys PEFT 0.21 does not know are accepted only with an empty value
 * (null, false, [] or {}), as a newer PEFT writes its new fields at their defaults.
 */
import { z } from 'zod';
import { PeftError } from '../errors';
import type { AnyMethodDefinition, Json } from '../method';
import { METHOD_DEFINITIONS, PEFT_TYPES, definitionOfFile } from '../registry';
import { closest, formatIssues } from '../config-schema';
import { COMMON_FIELDS, TARGET_FIELDS, isEmpty } from '../schema/file-fields';

/** The fields of a method's file: PEFT's common ones, target lists for wrapping methods, and its own. */
const fieldsOf = (d: AnyMethodDefinition): Record<string, z.ZodType> => ({ ...COMMON_FIELDS, ...(d.kind === 'wrap' ? TARGET_FIELDS : {}), ...d.file.fields });

/** Every field each registered method's file may hold, by method (for tests that walk them all). */
export const FILE_FIELDS: Record<string, Record<string, z.ZodType>> = Object.fromEntries(METHOD_DEFINITIONS.map((d) => [d.methods[0], fieldsOf(d)]));

/** The schema of one method's file: all fields optional (PEFT's defaults) except the required ones, plus PEFT's cross-field rules. */
function schemaFor(d: AnyMethodDefinition): z.ZodType {
  const fields = fieldsOf(d);
  const required = d.file.required ?? [];
  const shape = Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, required.includes(k) ? s : s.optional()]));
  return z.strictObject(shape).superRefine((j: Json, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { own: true } });
    if (typeof j.target_modules === 'string') {
      for (const k of ['layers_to_transform', 'layers_pattern']) if (j[k] != null) fail(k, `cannot be used when "target_modules" is a regex string (PEFT raises the same error)`);
    }
    if (j.layers_pattern != null && !isEmpty(j.layers_pattern) && j.layers_to_transform == null)
      fail('layers_pattern', 'needs "layers_to_transform" too (PEFT raises the same error)');
    for (const k of ['rank_pattern', 'alpha_pattern']) {
      for (const key of Object.keys((j[k] as object | null | undefined) ?? {})) {
        try {
          new RegExp(key);
        } catch (e) {
          fail(k, `key ${JSON.stringify(key)} is not a valid regular expression (${(e as Error).message})`);
        }
      }
    }
    d.file.refine?.(j, fail);
  });
}

/**
 * Validates a parsed `adapter_config.json` against the schema of the method that reads it: one
 * PeftError naming the file and every bad field. Returns the checked fields and that method.
 */
export function checkAdapterConfig(json: unknown, label: string): { json: Json; definition: AnyMethodDefinition } {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new PeftError(`${label}: expected a JSON object with a "peft_type", got ${JSON.stringify(json)}`);
  const j = json as Json;
  const type = j.peft_type;
  const d = typeof type === 'string' ? definitionOfFile(j) : undefined;
  if (!d) {
    const near = typeof type === 'string' ? closest(type, PEFT_TYPES) : undefined;
    throw new PeftError(
      `${label}: peft_type ${JSON.stringify(type)} is not supported; supported: ${PEFT_TYPES.join(', ')}${near && near !== type ? ` (did you mean ${near}?)` : ''}`,
      'PEFT_UNSUPPORTED',
    );
  }
  const fields = fieldsOf(d);
  // keys PEFT 0.21 does not know: fine when empty (a newer PEFT's defaults), otherwise reported below as unknown
  const input = Object.fromEntries(Object.entries(j).filter(([k, v]) => k in fields || !isEmpty(v)));
  const r = schemaFor(d).safeParse(input);
  if (r.success) return { json: input, definition: d };
  const lines = formatIssues(r.error.issues, input, z.strictObject(fields), () => Object.keys(fields));
  throw new PeftError(`${label}: invalid ${d.peftType} config:\n  ${[...new Set(lines)].join('\n  ')}`);
}
