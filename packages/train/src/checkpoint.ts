import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, readSafetensors, rawToTypedArray, writeFileAtomic, type Module } from '@tfjs-peft/core';
import type { Optimizer } from './optim/optimizer';

export interface TrainerState {
  step: number;
  epoch: number;
  /** batches of `epoch` already consumed (micro-batches) */
  batchInEpoch: number;
  seedState: number;
  bestMetric: number | null;
  bestStep: number | null;
  badEvals: number;
  history: Record<string, number>[];
}

const WEIGHTS = 'trainable.safetensors';
const OPTIM = 'optimizer.safetensors';
const STATE = 'trainer_state.json';

/**
 * Writes a checkpoint folder atomically: everything goes to a temporary sibling folder that is
 * renamed into place, so a crash leaves either the old checkpoint or the new one, never half of one.
 * Holds the trainable parameters by name, the optimizer state, and the trainer state (step, data
 * position, seed stream, best metric).
 */
export async function saveCheckpoint(dir: string, model: Module, optimizer: Optimizer, state: TrainerState): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await fs.rm(tmp, { recursive: true, force: true });
  const weights = new Map(model.trainableParameters().map(([n, p]) => [n, p.value as tf.Tensor]));
  await writeFileAtomic(`${tmp}/${WEIGHTS}`, await encodeSafetensors(weights));
  const o = optimizer.state();
  await writeFileAtomic(`${tmp}/${OPTIM}`, await encodeSafetensors(o.slots, { metadata: { format: 'pt', step: String(o.step) } }));
  await writeFileAtomic(`${tmp}/${STATE}`, `${JSON.stringify(state, null, 2)}\n`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(tmp, dir);
}

/** Restores what `saveCheckpoint` wrote into an identically built model and optimizer. */
export async function loadCheckpoint(dir: string, model: Module, optimizer: Optimizer): Promise<TrainerState> {
  const fs = await import('node:fs/promises');
  const state = JSON.parse(await fs.readFile(`${dir}/${STATE}`, 'utf8')) as TrainerState;
  const w = await readSafetensors(`${dir}/${WEIGHTS}`);
  const params = new Map(model.trainableParameters());
  for (const [name, raw] of w.tensors) {
    const p = params.get(name);
    if (!p) throw new Error(`${dir}/${WEIGHTS}: "${name}" is not a trainable parameter of this model`);
    const t = tf.tensor(rawToTypedArray(raw, name), raw.shape, 'float32');
    p.assign(t, name);
    t.dispose();
  }
  const o = await readSafetensors(`${dir}/${OPTIM}`);
  const slots = new Map<string, tf.Tensor>();
  for (const [k, raw] of o.tensors) slots.set(k, tf.tensor(rawToTypedArray(raw, k), raw.shape, 'float32'));
  optimizer.loadState({ step: Number(o.metadata.step ?? state.step), slots });
  tf.dispose([...slots.values()]);
  return state;
}
