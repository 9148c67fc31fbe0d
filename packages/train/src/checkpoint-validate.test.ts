import { describe, it, expect, beforeAll } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, serializeSafetensors, SafetensorsError, type RawTensor } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { CheckpointError, loadCheckpoint } from './index';
import { setup, weights } from './test-fixture';

const W = 'trainable.safetensors';
const O = 'optimizer.safetensors';
const S = 'trainer_state.json';

let good: string;

/** A copy of the good checkpoint with one file rewritten by `damage`. */
async function damaged(file: string, damage: (f: { tensors: Map<string, RawTensor>; metadata: Record<string, string> }) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-damaged-'));
  await cp(good, dir, { recursive: true });
  const f = await readSafetensors(join(dir, file));
  const tensors = new Map([...f.tensors].map(([k, t]) => [k, { ...t, bytes: t.bytes.slice() }]));
  const metadata = { ...f.metadata };
  damage({ tensors, metadata });
  await writeFile(join(dir, file), serializeSafetensors(tensors, metadata));
  return dir;
}

async function copyWith(file: string, text: string | null): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-damaged-'));
  await cp(good, dir, { recursive: true });
  if (text == null) await rm(join(dir, file));
  else await writeFile(join(dir, file), text);
  return dir;
}

/** Resumes `dir` into a fresh trainer: the error, and whether the model was left untouched. */
async function resume(dir: string): Promise<{ err: Error; untouched: boolean }> {
  const s = setup();
  const before = await weights(s.model);
  const err = await s.trainer.resumeFrom(dir).then(
    () => new Error('resumed without an error'),
    (e: Error) => e,
  );
  return { err, untouched: JSON.stringify(await weights(s.model)) === JSON.stringify(before) && s.trainer.optimizer.state().step === 0 };
}

function expectCheckpointError(r: { err: Error; untouched: boolean }, file: string, message: RegExp) {
  expect(r.err).toBeInstanceOf(CheckpointError);
  expect(r.err.message).toContain(file);
  expect(r.err.message).toMatch(message);
  expect(r.untouched).toBe(true); // validated before anything was loaded
}

describe('damaged checkpoints are refused with a CheckpointError naming the file and what is wrong', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-good-'));
    await setup({ maxSteps: 2, outputDir: out, saveEvery: 2 }).trainer.train();
    good = join(out, 'checkpoint-2');
  });

  it('the undamaged checkpoint loads', async () => {
    const s = setup();
    await s.trainer.resumeFrom(good);
    expect(s.trainer.optimizer.state().step).toBe(2);
  });

  it('weights file missing a trainable parameter', async () => {
    expectCheckpointError(await resume(await damaged(W, (f) => f.tensors.delete('b.bias'))), `${W}: "b.bias" is missing`, /expected a tensor of shape \[3\]/);
  });

  it('weights file with an unknown tensor, a wrong shape, a wrong dtype, a NaN', async () => {
    expectCheckpointError(
      await resume(await damaged(W, (f) => f.tensors.set('c.weight', f.tensors.get('b.bias')!))),
      `${W}: "c.weight"`,
      /is not a trainable parameter of this model/,
    );
    expectCheckpointError(
      await resume(await damaged(W, (f) => f.tensors.set('b.bias', { ...f.tensors.get('b.bias')!, shape: [1, 3] }))),
      `${W}: "b.bias"`,
      /expected shape \[3\], got \[1,3\]/,
    );
    expectCheckpointError(
      await resume(await damaged(W, (f) => f.tensors.set('b.bias', { ...f.tensors.get('b.bias')!, dtype: 'I32' }))),
      `${W}: "b.bias"`,
      /expected dtype F32 \(float32\), got I32/,
    );
    const nan = await damaged(W, (f) => new DataView(f.tensors.get('b.bias')!.bytes.buffer).setFloat32(f.tensors.get('b.bias')!.bytes.byteOffset, NaN, true));
    expectCheckpointError(await resume(nan), `${W}: "b.bias"`, /expected finite values, got NaN at index 0/);
  });

  it('optimizer file missing one moment, or both moments of a parameter', async () => {
    expectCheckpointError(
      await resume(await damaged(O, (f) => f.tensors.delete('a.weight.exp_avg_sq'))),
      `${O}: "a.weight.exp_avg_sq" is missing`,
      /metadata lists it among the 8 optimizer slots/,
    );
    // without the list in the metadata (older files), a parameter's moments must come together
    const noList = await damaged(O, (f) => {
      f.tensors.delete('a.weight.exp_avg_sq');
      delete f.metadata.slots;
    });
    expectCheckpointError(await resume(noList), `${O}: "a.weight.exp_avg_sq" is missing`, /expected all of a\.weight\.exp_avg, a\.weight\.exp_avg_sq \(found exp_avg\)/);
    expectCheckpointError(
      await resume(
        await damaged(O, (f) => {
          f.tensors.delete('a.weight.exp_avg');
          f.tensors.delete('a.weight.exp_avg_sq');
        }),
      ),
      `${O}: "a.weight.exp_avg" is missing`,
      /metadata lists it among the 8 optimizer slots/,
    );
  });

  it('optimizer file with a bad step, a slot of another optimizer, a mis-shaped moment', async () => {
    expectCheckpointError(
      await resume(await damaged(O, (f) => delete f.metadata.step)),
      `${O}: "step"`,
      /expected the optimizer step as a non-negative integer in the metadata, got missing/,
    );
    expectCheckpointError(await resume(await damaged(O, (f) => (f.metadata.step = '9'))), `${O}: "step"`, /expected at most the trainer step 2/);
    expectCheckpointError(
      await resume(await damaged(O, (f) => f.tensors.set('a.weight.momentum_buffer', f.tensors.get('a.weight.exp_avg')!))),
      `${O}: "a.weight.momentum_buffer"`,
      /is not a slot of this optimizer/,
    );
    expectCheckpointError(
      await resume(await damaged(O, (f) => f.tensors.set('b.bias.exp_avg', { ...f.tensors.get('b.bias.exp_avg')!, shape: [3, 1] }))),
      `${O}: "b.bias.exp_avg"`,
      /expected shape \[3\], got \[3,1\]/,
    );
  });

  it('trainer_state.json = {}, a wrong field type, truncated, missing', async () => {
    expectCheckpointError(await resume(await copyWith(S, '{}')), `${S}: "step"`, /expected a non-negative integer, got missing/);
    const state = JSON.parse(await readFile(join(good, S), 'utf8'));
    expectCheckpointError(await resume(await copyWith(S, JSON.stringify({ ...state, history: {} }))), `${S}: "history"`, /expected an array of evaluation records/);
    expectCheckpointError(
      await resume(await copyWith(S, JSON.stringify({ ...state, seedState: 'x' }))),
      `${S}: "seedState"`,
      /expected an unsigned 32-bit integer, got "x" \(string\)/,
    );
    const text = await readFile(join(good, S), 'utf8');
    expectCheckpointError(await resume(await copyWith(S, text.slice(0, text.length >> 1))), S, /is not valid JSON \(.*\); the file is damaged or truncated/);
    expectCheckpointError(await resume(await copyWith(S, '[1]')), S, /expected a JSON object with the trainer state, got \[1\] \(array\)/);
    expectCheckpointError(
      await resume(await copyWith(S, null)),
      S,
      /cannot be read .*a complete checkpoint has trainable\.safetensors, optimizer\.safetensors, trainer_state\.json/,
    );
  });

  it('a truncated safetensors file is a SafetensorsError naming the file; a missing one a CheckpointError', async () => {
    const dir = await copyWith(W, 'x');
    const r = await resume(dir);
    expect(r.err).toBeInstanceOf(SafetensorsError);
    expect(r.err.message).toContain(join(dir, W));
    expect(r.untouched).toBe(true);
    expectCheckpointError(await resume(await copyWith(O, null)), O, /cannot be read/);
  });

  it('loadCheckpoint validates too', async () => {
    const s = setup();
    await expect(loadCheckpoint(await copyWith(S, '{}'), s.model, s.trainer.optimizer)).rejects.toThrow(CheckpointError);
  });
});
