import { TfjsPeftError, readSafetensors, rawToTypedArray, type Module, type RawTensor, type SafetensorsFile } from '@tfjs-peft/core';
import type { Optimizer } from './optim/optimizer';
import type { TrainerState } from './checkpoint';

export const WEIGHTS = 'trainable.safetensors';
export const OPTIM = 'optimizer.safetensors';
export const STATE = 'trainer_state.json';
/** the files of a complete checkpoint folder */
export const CHECKPOINT_FILES = [WEIGHTS, OPTIM, STATE] as const;

/**
 * A checkpoint folder is missing, damaged or does not fit the model/optimizer it is loaded into.
 * `file` is the path of the offending file, `field` the state field or tensor name (when there is
 * one); the message says what was expected and what was found.
 */
export class CheckpointError extends TfjsPeftError {
  constructor(
    readonly file: string,
    readonly field: string | null,
    problem: string,
  ) {
    super('CHECKPOINT_INVALID', `${file}: ${field != null ? `"${field}" ` : ''}${problem}`);
  }
}

/** What a validated checkpoint holds; nothing of the model or optimizer has been touched yet. */
export interface ValidatedCheckpoint {
  state: TrainerState;
  weights: Map<string, Float32Array | Int32Array | Uint8Array>;
  optimizerStep: number;
  slots: Map<string, Float32Array>;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
const INT_DTYPES = new Set(['I32', 'I64', 'I16', 'I8', 'U8']);

const show = (v: unknown): string => (v === undefined ? 'missing' : `${JSON.stringify(v)?.slice(0, 60)} (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`);

function checkState(file: string, v: unknown): TrainerState {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CheckpointError(file, null, `expected a JSON object with the trainer state, got ${show(v)}`);
  const s = v as Record<string, unknown>;
  const nonNegInt = (k: string) => {
    if (!(typeof s[k] === 'number' && Number.isSafeInteger(s[k]) && (s[k] as number) >= 0))
      throw new CheckpointError(file, k, `expected a non-negative integer, got ${show(s[k])}`);
  };
  for (const k of ['step', 'epoch', 'batchInEpoch', 'badEvals']) nonNegInt(k);
  if (!(typeof s.seedState === 'number' && Number.isInteger(s.seedState) && s.seedState >= 0 && s.seedState <= 0xffffffff))
    throw new CheckpointError(file, 'seedState', `expected an unsigned 32-bit integer, got ${show(s.seedState)}`);
  if (!(s.bestMetric === null || (typeof s.bestMetric === 'number' && Number.isFinite(s.bestMetric))))
    throw new CheckpointError(file, 'bestMetric', `expected a finite number or null, got ${show(s.bestMetric)}`);
  if (!(s.bestStep === null || (typeof s.bestStep === 'number' && Number.isSafeInteger(s.bestStep) && s.bestStep >= 0)))
    throw new CheckpointError(file, 'bestStep', `expected a non-negative integer or null, got ${show(s.bestStep)}`);
  if ((s.bestMetric === null) !== (s.bestStep === null))
    throw new CheckpointError(
      file,
      'bestStep',
      `expected bestMetric and bestStep to be both null or both set, got bestMetric ${show(s.bestMetric)} and bestStep ${show(s.bestStep)}`,
    );
  if (!Array.isArray(s.history)) throw new CheckpointError(file, 'history', `expected an array of evaluation records, got ${show(s.history)}`);
  s.history.forEach((h, i) => {
    if (typeof h !== 'object' || h === null || Array.isArray(h) || !Object.values(h as object).every((x) => typeof x === 'number'))
      throw new CheckpointError(file, `history[${i}]`, `expected an object of numbers, got ${show(h)}`);
  });
  return s as unknown as TrainerState;
}

async function readJson(file: string): Promise<unknown> {
  const fs = await import('./io/node-fs');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(file, null, `cannot be read (${(e as Error).message}); a complete checkpoint has ${CHECKPOINT_FILES.join(', ')}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(file, null, `is not valid JSON (${(e as Error).message}); the file is damaged or truncated`);
  }
}

async function readTensors(file: string): Promise<SafetensorsFile> {
  const fs = await import('./io/node-fs');
  try {
    await fs.access(file);
  } catch (e) {
    throw new CheckpointError(file, null, `cannot be read (${(e as Error).message}); a complete checkpoint has ${CHECKPOINT_FILES.join(', ')}`);
  }
  return readSafetensors(file); // structural damage: a SafetensorsError naming the file
}

/** Shape, dtype and finiteness of one stored tensor against what it must be. */
function checkTensor(file: string, name: string, raw: RawTensor, shape: readonly number[], dtype: string): Float32Array | Int32Array | Uint8Array {
  const allowed = dtype === 'float32' ? FLOAT_DTYPES : INT_DTYPES;
  if (!allowed.has(raw.dtype)) throw new CheckpointError(file, name, `expected dtype ${dtype === 'float32' ? 'F32' : 'I32'} (${dtype}), got ${raw.dtype}`);
  if (raw.shape.length !== shape.length || raw.shape.some((d, i) => d !== shape[i]))
    throw new CheckpointError(file, name, `expected shape [${shape.join(',')}], got [${raw.shape.join(',')}]`);
  const values = rawToTypedArray(raw, name);
  if (values instanceof Float32Array) {
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new CheckpointError(file, name, `expected finite values, got ${values[bad]} at index ${bad}`);
  }
  return values;
}

/**
 * Reads and checks a whole checkpoint folder against `model` and `optimizer` before anything is
 * loaded: the trainer state (every field, its type), every trainable parameter (present, no
 * extras, shape, dtype, finite), the optimizer step and its slots (`<param>.<slot>` for this
 * optimizer's slot kinds, the set listed in the file's metadata, all kinds of a parameter or
 * none, shapes, finite). Throws a `CheckpointError` (or the parser's `SafetensorsError`) naming
 * the file and the field or tensor.
 */
export async function validateCheckpoint(dir: string, model: Module, optimizer: Optimizer): Promise<ValidatedCheckpoint> {
  const stateFile = `${dir}/${STATE}`;
  const state = checkState(stateFile, await readJson(stateFile));

  const wFile = `${dir}/${WEIGHTS}`;
  const w = await readTensors(wFile);
  const params = new Map(model.trainableParameters());
  for (const name of w.tensors.keys())
    if (!params.has(name))
      throw new CheckpointError(
        wFile,
        name,
        `is not a trainable parameter of this model (expected one of ${[...params.keys()].slice(0, 8).join(', ')}${params.size > 8 ? ', …' : ''})`,
      );
  const weights = new Map<string, Float32Array | Int32Array | Uint8Array>();
  for (const [name, p] of params) {
    const raw = w.tensors.get(name);
    if (!raw) throw new CheckpointError(wFile, name, `is missing: expected a tensor of shape [${p.shape.join(',')}] for this trainable parameter`);
    weights.set(name, checkTensor(wFile, name, raw, p.shape, p.dtype));
  }

  const oFile = `${dir}/${OPTIM}`;
  const o = await readTensors(oFile);
  const stepText = o.metadata.step;
  const optimizerStep = Number(stepText);
  if (stepText === undefined || !/^\d+$/.test(stepText) || !Number.isSafeInteger(optimizerStep))
    throw new CheckpointError(oFile, 'step', `expected the optimizer step as a non-negative integer in the metadata, got ${show(stepText)}`);
  if (optimizerStep > state.step) throw new CheckpointError(oFile, 'step', `expected at most the trainer step ${state.step} (from ${STATE}), got ${optimizerStep}`);
  const kinds = optimizer.slotNames;
  const shapes = new Map(optimizer.params.map((e) => [e.name, e.param.shape]));
  const slots = new Map<string, Float32Array>();
  for (const [key, raw] of o.tensors) {
    const kind = kinds.find((k) => key.endsWith(`.${k}`));
    const shape = kind && shapes.get(key.slice(0, -kind.length - 1));
    if (!kind || !shape) throw new CheckpointError(oFile, key, `is not a slot of this optimizer (expected "<trainable parameter>.${kinds.length ? kinds.join('|') : '(none)'}")`);
    slots.set(key, checkTensor(oFile, key, raw, shape, 'float32') as Float32Array);
  }
  if (o.metadata.slots !== undefined) {
    let listed: unknown;
    try {
      listed = JSON.parse(o.metadata.slots);
    } catch {
      listed = undefined;
    }
    if (!Array.isArray(listed) || !listed.every((k) => typeof k === 'string'))
      throw new CheckpointError(oFile, 'slots', `expected a JSON array of slot names in the metadata, got ${show(o.metadata.slots)}`);
    for (const k of listed as string[])
      if (!o.tensors.has(k)) throw new CheckpointError(oFile, k, `is missing: the file's metadata lists it among the ${listed.length} optimizer slots`);
    const set = new Set(listed as string[]);
    for (const k of o.tensors.keys()) if (!set.has(k)) throw new CheckpointError(oFile, k, `is not listed among the optimizer slots in the file's metadata`);
  }
  for (const name of shapes.keys()) {
    const have = kinds.filter((k) => slots.has(`${name}.${k}`));
    if (have.length && have.length !== kinds.length) {
      const miss = kinds.find((k) => !slots.has(`${name}.${k}`))!;
      throw new CheckpointError(oFile, `${name}.${miss}`, `is missing: expected all of ${kinds.map((k) => `${name}.${k}`).join(', ')} (found ${have.join(', ')})`);
    }
  }
  return { state, weights, optimizerStep, slots };
}
