/**
 * Field types of `adapter_config.json` (PEFT's snake_case), shared by the methods' file schemas:
 * the fields every PEFT config has, target lists, and `only(...)` for a field tfjs-peft does not
 * implement, which must keep PEFT's default (any other value changes PEFT's outputs, so loading it
 * here would silently differ).
 */
import { z } from 'zod';
import { ex, modulesList, posInt, targetSpec, taskType } from './primitives';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** a field tfjs-peft does not implement: only PEFT's default (or one of the harmless values) loads */
export const only = (values: unknown[], field: string) =>
  ex(
    z.unknown().refine((v) => values.some((d) => same(v, d))),
    `${values.map((v) => JSON.stringify(v)).join(' or ')} (tfjs-peft does not implement other values of "${field}"; outputs would differ from PEFT's)`,
  );
export const nullable = <T extends z.ZodType>(s: T, what: string) => ex(s.nullable(), `null or ${what}`);
export const str = nullable(z.string(), 'a string');
export const obj = nullable(z.record(z.string(), z.unknown()), 'an object');
export const bool = ex(z.boolean(), 'true or false');
export const nullablePosInt = nullable(posInt, 'a positive integer');

/** Fields of every PEFT config. */
export const COMMON_FIELDS = {
  peft_type: ex(z.string(), 'a string'),
  task_type: taskType,
  auto_mapping: obj,
  peft_version: str,
  base_model_name_or_path: str,
  revision: str,
  inference_mode: bool,
  modules_to_save: nullable(modulesList, 'a list of module names'),
};
export const TARGET_FIELDS = {
  target_modules: nullable(targetSpec, 'a list of module names or a regex string'),
  exclude_modules: nullable(targetSpec, 'a list of module names or a regex string'),
};

/** null, false, [] or {}: how a newer PEFT writes a field at its default. */
export const isEmpty = (v: unknown) =>
  v === null || v === false || (Array.isArray(v) && v.length === 0) || (v != null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
