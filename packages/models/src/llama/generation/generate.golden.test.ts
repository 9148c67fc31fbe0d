import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { GOLDEN_DIR, readGolden } from '../../testing/golden';
import { LlamaForCausalLM } from '../heads';
import { LlamaKvCache } from '../kv-cache';
import { llamaDecoder } from './llama-decoder';
import { GENERATE_RUNS, generateCase } from './golden-sequences';

/** Recorded by `../scripts/make_generate_golden.py`: transformers' `generate` (do_sample=False) on left-padded prompts. */
const HERE = fileURLToPath(new URL('../golden', import.meta.url));
const CASE = 'llama-generate';
const caseName = relative(GOLDEN_DIR, join(HERE, CASE));

describe.each(testBackends())('generate with a key/value cache against transformers on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-5;

  for (const [run, options] of GENERATE_RUNS)
    it(`${run}: cached and uncached generate give transformers' sequences for ragged, left-padded prompts; nothing leaks`, async () => {
      const c = await readGolden(caseName);
      const g = await generateCase(c);
      const model = await LlamaForCausalLM.fromPretrained(join(HERE, CASE));
      const want = g.expected(run);
      const padTokenId = await g.pad(run);
      const before = tf.memory().numTensors;
      const cached = await model.generate(g.prompts, { ...options, eosTokenId: g.eos, padTokenId });
      expect(cached.sequences).toEqual(want);
      const uncached = await model.generate(g.prompts, { ...options, eosTokenId: g.eos, padTokenId, useCache: false });
      expect(uncached.sequences).toEqual(want);
      assertClose(Float32Array.from(cached.scores), Float32Array.from(uncached.scores), `${run} scores`, { atol: 1e-4, rtol: 1e-4 });
      // the tokenizer form: the padded batch as tensors
      const ids = tf.tensor2d(
        g.ids.map((r, b) => r.map((t, i) => (g.mask[b]![i] ? t : padTokenId))),
        undefined,
        'int32',
      );
      const mask = tf.tensor2d(g.mask, undefined, 'int32');
      const fromTensors = await model.generate({ inputIds: ids, attentionMask: mask }, { ...options, eosTokenId: g.eos, padTokenId });
      expect(fromTensors.sequences).toEqual(want);
      tf.dispose([ids, mask]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('the recorded runs finish rows at different steps (an EOS) and run others to the length limit', async () => {
    const g = await generateCase(await readGolden(caseName));
    const lengths = GENERATE_RUNS.flatMap(([run]) => g.expected(run).map((s, b) => s.length - g.prompts[b]!.length));
    expect(Math.min(...lengths)).toBeLessThan(4);
    expect(Math.max(...lengths)).toBe(10);
  });

  it('cached logits equal the full-sequence logits position by position (left padding, positions from the mask)', async () => {
    const c = await readGolden(caseName);
    const g = await generateCase(c);
    const model = await LlamaForCausalLM.fromPretrained(join(HERE, CASE));
    // the greedy sequences, padded as transformers returns them
    const seq = (await tf.tensor(c.outputs.get('generated.greedy')!, c.shapes.get('generated.greedy')!, 'int32').array()) as number[][];
    const [b, len] = [seq.length, seq[0]!.length];
    const p = g.mask[0]!.length;
    const mask = g.mask.map((m) => [...m, ...Array.from({ length: len - p }, () => 1)]);
    const positions = mask.map((m) => {
      let n = -1;
      return m.map((x) => (x ? ++n : 0));
    });
    const full = tf.tidy(
      () =>
        model.forward({
          inputIds: tf.tensor2d(seq, undefined, 'int32'),
          attentionMask: tf.tensor2d(mask, undefined, 'int32'),
          positionIds: tf.tensor2d(positions, undefined, 'int32'),
        }).logits,
    );
    const fullData = (await full.data()) as Float32Array;
    const v = full.shape[2]!;
    full.dispose();
    const before = tf.memory().numTensors;
    const cache = new LlamaKvCache(model.c.numHiddenLayers);
    const step = async (from: number, to: number) => {
      const slice = (rows: number[][]) =>
        tf.tensor2d(
          rows.map((r) => r.slice(from, to)),
          [b, to - from],
          'int32',
        );
      const out = tf.tidy(
        () =>
          model.forward({
            inputIds: slice(seq),
            attentionMask: tf.tensor2d(
              mask.map((m) => m.slice(0, to)),
              [b, to],
              'int32',
            ),
            positionIds: slice(positions),
            pastKeyValues: cache,
          }).logits,
      );
      const data = (await out.data()) as Float32Array;
      out.dispose();
      expect(cache.length).toBe(to);
      for (let r = 0; r < b; r++)
        for (let t = from; t < to; t++) {
          // padding queries see nothing either way; compare the real positions
          if (!mask[r]![t]) continue;
          const ours = data.slice((r * (to - from) + t - from) * v, (r * (to - from) + t - from + 1) * v);
          assertClose(ours, fullData.slice((r * len + t) * v, (r * len + t + 1) * v), `row ${r} position ${t}`, { atol: tol, rtol: tol });
        }
    };
    await step(0, p);
    const counts: number[] = [];
    for (let t = p; t < len; t++) {
      await step(t, t + 1);
      counts.push(tf.memory().numTensors);
    }
    // one token at a time: the cache replaces its tensors, nothing else stays
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(before + 2 * model.c.numHiddenLayers);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('the number of tensors stays constant across decoding steps (cached and uncached)', async () => {
    const c = await readGolden(caseName);
    const g = await generateCase(c);
    const model = await LlamaForCausalLM.fromPretrained(join(HERE, CASE));
    for (const useCache of [true, false]) {
      const before = tf.memory().numTensors;
      const decoder = llamaDecoder(model, useCache);
      const ids = g.ids.map((r) => [...r]);
      const mask = g.mask.map((r) => [...r]);
      const positions = mask.map((m) => {
        let n = -1;
        return m.map((x) => (x ? ++n : 0));
      });
      const counts: number[] = [];
      for (let step = 0; step < 6; step++) {
        const rows = await decoder.next(ids, mask, positions);
        counts.push(tf.memory().numTensors);
        rows.forEach((row, r) => {
          ids[r]!.push(row.indexOf(Math.max(...row)));
          mask[r]!.push(1);
          positions[r]!.push(positions[r]![positions[r]!.length - 1]! + 1);
        });
        if (step === 2) decoder.reorder([2, 1, 0]); // beam search reorders rows; the count stays
        if (step === 2) [ids[0], ids[2]] = [ids[2]!, ids[0]!];
      }
      expect(new Set(counts).size, `useCache ${useCache}: ${counts}`).toBe(1);
      expect(counts[0]).toBe(before + (useCache ? 2 * model.c.numHiddenLayers : 0));
      decoder.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    model.dispose();
  });

  it("sampling: a seed reproduces the sequences; topK 1 or a tiny topP is transformers' greedy result", async () => {
    const c = await readGolden(caseName);
    const g = await generateCase(c);
    const model = await LlamaForCausalLM.fromPretrained(join(HERE, CASE));
    const base = { maxNewTokens: 10, eosTokenId: g.eos, padTokenId: 0, doSample: true } as const;
    const a = await model.generate(g.prompts, { ...base, seed: 7, temperature: 1.5, topK: 0 });
    const b = await model.generate(g.prompts, { ...base, seed: 7, temperature: 1.5, topK: 0 });
    expect(b.sequences).toEqual(a.sequences);
    const others = await Promise.all([8, 9, 10].map((seed) => model.generate(g.prompts, { ...base, seed, temperature: 1.5, topK: 0 })));
    expect(others.some((o) => JSON.stringify(o.sequences) !== JSON.stringify(a.sequences))).toBe(true);
    expect((await model.generate(g.prompts, { ...base, seed: 3, topK: 1 })).sequences).toEqual(g.expected('greedy'));
    expect((await model.generate(g.prompts, { ...base, seed: 3, topP: 1e-6 })).sequences).toEqual(g.expected('greedy'));
    model.dispose();
  });
});
