import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawToTypedArray, readSafetensors } from '@tfjs-peft/core';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '../llama';
import { convertLlama2cFile } from './index';
import { llama2cForward64 } from './llama2c-reference';
import { unpackLlama2cV0 } from './reference-io';
import { STORIES_BIN, STORIES_IDS, STORIES_MISSING, hasStories } from './test-data';

/** llama2.c-forward logits of stories260K written by `scripts/llama2c_reference.py golden`. */
const GOLDEN = fileURLToPath(new URL('./golden/stories260K.safetensors', import.meta.url));

describe.skipIf(!hasStories).each(testBackends())('stories260K (real llama2.c checkpoint) converted, on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  // SwiftShader's WebGPU float32 matmuls: up to ~1e-2 on logits of ~16 (measured in CI), 3e-3 on ~1
  const tol = backend === 'webgpu' ? { atol: 2e-2, rtol: 5e-3 } : { atol: 1e-4, rtol: 1e-4 };

  it('LlamaForCausalLM on the converted folder gives the committed llama2.c logits; so does the float64 reference', async () => {
    const golden = await readSafetensors(GOLDEN);
    const bytes = await readFile(STORIES_BIN);
    expect(createHash('sha256').update(bytes).digest('hex'), 'the golden was made from another file').toBe(golden.metadata.sha256);
    const ids = [...(rawToTypedArray(golden.tensors.get('input_ids')!) as Int32Array)];
    const ref = rawToTypedArray(golden.tensors.get('logits')!) as Float32Array;
    expect(ids).toEqual(STORIES_IDS);
    expect(golden.tensors.get('logits')!.shape).toEqual([1, ids.length, 512]);

    const dir = join(await mkdtemp(join(tmpdir(), 'tfjs-peft-stories-')), 'hf');
    const { header } = await convertLlama2cFile(STORIES_BIN, dir);
    expect(header).toMatchObject({ version: 0, dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512, sharedClassifier: true });
    const model = await LlamaForCausalLM.fromPretrained(dir, { onWarning: (m) => expect.fail(m) });
    expect(model.lm_head.weight).toBe(model.model.embed_tokens.weight);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => model.forward({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }).logits);
    assertClose(await logits.data(), ref, 'stories260K: LlamaForCausalLM vs golden llama2.c logits', tol);
    // the trained model is confident: greedy next tokens are the golden's
    const greedy = tf.argMax(logits, -1);
    expect([...(await greedy.data())]).toEqual(Array.from({ length: ids.length }, (_, t) => argmax(ref.subarray(t * 512, (t + 1) * 512))));
    tf.dispose([logits, greedy]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();

    const ours64 = llama2cForward64(unpackLlama2cV0(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)), ids);
    assertClose(Float64Array.from(ours64.flatMap((r) => [...r])), ref, 'stories260K: float64 llama2.c reference (TS) vs golden (numpy)', { atol: 1e-5, rtol: 1e-5 });
  });
});
describe.skipIf(hasStories)('stories260K (real llama2.c checkpoint)', () => it.skip(STORIES_MISSING, () => undefined));

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
