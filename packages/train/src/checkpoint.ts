import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, writeFileAtomic, type Module } from '@tfjs-peft/core';
import type { Optimizer } from './optim/optimizer';
import { CHECKPOINT_FILES, CheckpointError, OPTIM, STATE, WEIGHTS, validateCheckpoint } from './checkpoint-validate';

export { CheckpointError, validateCheckpoint, type ValidatedCheckpoint } from './checkpoint-validate';

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

/** Suffix of the previous copy of a checkpoint folder while a new one is swapped in. */
export const ASIDE_SUFFIX = '.swap-old';
const TMP_RE = /\.tmp-\d+-\d+$/;
/** loaded only when a checkpoint path is used (browser bundles never evaluate it) */
const nodeFs = () => import('./io/node-fs');

/**
 * The file-system operations checkpoints are written with. Tests wrap them to inject a crash at
 * any step of a save; nothing else should need to touch this.
 */
export const checkpointIo = {
  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    await writeFileAtomic(path, data);
  },
  async rename(from: string, to: string): Promise<void> {
    await (await nodeFs()).rename(from, to);
  },
  async remove(path: string): Promise<void> {
    await (await nodeFs()).remove(path);
  },
  async exists(path: string): Promise<boolean> {
    return (await nodeFs()).exists(path);
  },
  async list(dir: string): Promise<string[]> {
    return (await nodeFs()).list(dir);
  },
  /** flushes a folder's entries (renames) to disk; best effort (not every platform can) */
  async syncDir(dir: string): Promise<void> {
    await (await nodeFs()).syncDir(dir);
  },
};

const parentOf = (p: string): string => {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? p.slice(0, 1) : p.slice(0, i);
};

/** The name of the first tensor with a NaN or infinite value, or null. */
export async function firstNonFinite(tensors: Iterable<[string, tf.Tensor]>): Promise<string | null> {
  const list = [...tensors].filter(([, t]) => t.dtype === 'float32');
  if (!list.length) return null;
  const flags = tf.tidy(() => tf.stack(list.map(([, t]) => tf.cast(tf.all(tf.isFinite(t)), 'int32'))));
  const ok = await flags.data();
  flags.dispose();
  const i = ok.findIndex((v) => v === 0);
  return i < 0 ? null : list[i]![0];
}

/**
 * Writes a checkpoint folder so that one complete copy always exists: everything goes to a
 * temporary sibling folder (each file flushed), the previous folder (if any) is renamed aside to
 * `<dir>.swap-old`, the new one renamed into place, and only then is the old copy deleted. A crash
 * at any point leaves either `dir` or `<dir>.swap-old` complete; `recoverCheckpoints` (run on
 * start and resume) puts the aside copy back and removes orphaned temporary folders.
 * Holds the trainable parameters by name, the optimizer state (with its step and the list of its
 * slots), and the trainer state (step, data position, seed stream, best metric). Refuses to write
 * NaN or infinite weights or moments (a `CheckpointError`).
 */
export async function saveCheckpoint(dir: string, model: Module, optimizer: Optimizer, state: TrainerState): Promise<void> {
  const io = checkpointIo;
  const weights = new Map(model.trainableParameters().map(([n, p]) => [n, p.value as tf.Tensor]));
  const o = optimizer.state();
  const bad = (await firstNonFinite(weights)) ?? (await firstNonFinite(o.slots));
  if (bad) throw new CheckpointError(dir, bad, 'has NaN or infinite values; refusing to save a checkpoint that could not be resumed');
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await io.remove(tmp);
  await io.writeFile(`${tmp}/${WEIGHTS}`, await encodeSafetensors(weights));
  await io.writeFile(`${tmp}/${OPTIM}`, await encodeSafetensors(o.slots, { metadata: { format: 'pt', step: String(o.step), slots: JSON.stringify([...o.slots.keys()]) } }));
  await io.writeFile(`${tmp}/${STATE}`, `${JSON.stringify(state, null, 2)}\n`);
  await io.syncDir(tmp);
  const aside = `${dir}${ASIDE_SUFFIX}`;
  if (await io.exists(dir)) {
    // a leftover aside copy next to a complete folder is stale (a crash after the last swap)
    await io.remove(aside);
    await io.rename(dir, aside);
  }
  // (when `dir` is missing but an aside copy exists, that copy stays until the new one is in place)
  await io.rename(tmp, dir);
  await io.syncDir(parentOf(dir));
  await io.remove(aside);
}

/** Whether `dir` holds every file of a checkpoint (it may still be invalid for a given model). */
export async function isCompleteCheckpoint(dir: string): Promise<boolean> {
  for (const f of CHECKPOINT_FILES) if (!(await checkpointIo.exists(`${dir}/${f}`))) return false;
  return true;
}

/**
 * Repairs what an interrupted `saveCheckpoint` leaves in `outputDir`: a folder missing while its
 * `.swap-old` copy exists gets that copy back; an aside copy next to its folder, and orphaned
 * `*.tmp-<pid>-<time>` folders, are deleted. Returns the folders it restored.
 */
export async function recoverCheckpoints(outputDir: string): Promise<string[]> {
  const io = checkpointIo;
  const restored: string[] = [];
  const names = await io.list(outputDir);
  for (const n of names) {
    if (!n.endsWith(ASIDE_SUFFIX)) continue;
    const aside = `${outputDir}/${n}`;
    const main = aside.slice(0, -ASIDE_SUFFIX.length);
    if (await io.exists(main)) await io.remove(aside);
    else {
      await io.rename(aside, main);
      restored.push(main);
    }
  }
  for (const n of names) if (TMP_RE.test(n)) await io.remove(`${outputDir}/${n}`);
  if (restored.length) await io.syncDir(outputDir);
  return restored;
}

/**
 * The complete `checkpoint-<step>` folder of `outputDir` with the highest step, after
 * `recoverCheckpoints`; null when there is none (as transformers' `get_last_checkpoint`).
 */
export async function latestCheckpoint(outputDir: string): Promise<string | null> {
  await recoverCheckpoints(outputDir);
  const steps = (await checkpointIo.list(outputDir))
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m != null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const s of steps) if (await isCompleteCheckpoint(`${outputDir}/checkpoint-${s}`)) return `${outputDir}/checkpoint-${s}`;
  return null;
}

/**
 * Restores what `saveCheckpoint` wrote into an identically built model and optimizer. The whole
 * checkpoint is validated first (`validateCheckpoint`): a damaged or mismatched one throws a
 * `CheckpointError` naming the file and field before the model or optimizer is touched. A folder
 * lost mid-swap is recovered from its `.swap-old` copy first.
 */
export async function loadCheckpoint(dir: string, model: Module, optimizer: Optimizer): Promise<TrainerState> {
  await recoverCheckpoints(parentOf(dir));
  const v = await validateCheckpoint(dir, model, optimizer);
  for (const [name, p] of model.trainableParameters()) {
    const t = tf.tensor(v.weights.get(name)!, p.shape, p.dtype);
    p.assign(t, name);
    t.dispose();
  }
  const shapes = new Map(optimizer.params.map((e) => [e.name, e.param.shape]));
  const slots = new Map<string, tf.Tensor>();
  for (const [k, values] of v.slots) {
    const kind = optimizer.slotNames.find((s) => k.endsWith(`.${s}`))!;
    slots.set(k, tf.tensor(values, shapes.get(k.slice(0, -kind.length - 1)), 'float32'));
  }
  optimizer.loadState({ step: v.optimizerStep, slots });
  tf.dispose([...slots.values()]);
  return v.state;
}
