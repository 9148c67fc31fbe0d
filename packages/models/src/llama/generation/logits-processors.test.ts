import { describe, it, expect, beforeAll } from 'vitest';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { GOLDEN_DIR, readGolden } from '../../testing/golden';
import { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, logSoftmax, softmax } from './logits-processors';

/** Recorded by `../scripts/make_generate_golden.py`: transformers' processors on random scores. */
const CASE = relative(GOLDEN_DIR, fileURLToPath(new URL('../golden/generation-processors', import.meta.url)));

async function recorded() {
  const c = await readGolden(CASE);
  const scores = c.inputs.get('scores')!;
  const ids = c.inputs.get('input_ids')!;
  const [rows, v] = scores.shape as [number, number];
  const s = (await scores.data()) as Float32Array;
  const idData = Array.from(await ids.data());
  const t = ids.shape[1]!;
  return {
    rows,
    v,
    row: (r: number) => s.slice(r * v, (r + 1) * v),
    tokens: (r: number) => idData.slice(r * t, (r + 1) * t),
    expected: (name: string, r: number) => (c.outputs.get(name) as Float32Array).slice(r * v, (r + 1) * v),
  };
}

/** −∞ where transformers has −∞, the other scores within float32 rounding. */
function expectScores(actual: Float32Array, expected: Float32Array, what: string) {
  expect(
    Array.from(actual, (x) => x === -Infinity),
    `${what}: filtered tokens`,
  ).toEqual(Array.from(expected, (x) => x === -Infinity));
  const keep = (a: Float32Array) => a.filter((x) => x !== -Infinity);
  assertClose(keep(actual), keep(expected), what, { atol: 1e-6, rtol: 1e-6 });
}

beforeAll(() => useBackend('cpu')); // the golden reader makes tensors; the processors are plain arrays

describe("logits processors against transformers' on recorded scores", () => {
  const cases: [string, (row: Float32Array, tokens: number[]) => void][] = [
    ['repetition_1.3', (row, tokens) => applyRepetitionPenalty(row, tokens, 1.3)],
    ['repetition_0.7', (row, tokens) => applyRepetitionPenalty(row, tokens, 0.7)],
    ['temperature_0.6', (row) => applyTemperature(row, 0.6)],
    ['temperature_1.7', (row) => applyTemperature(row, 1.7)],
    ['top_k_1', (row) => applyTopK(row, 1)],
    ['top_k_5', (row) => applyTopK(row, 5)],
    ['top_k_50', (row) => applyTopK(row, 50)],
    ['top_p_0.9', (row) => applyTopP(row, 0.9)],
    ['top_p_0.5', (row) => applyTopP(row, 0.5)],
    ['top_p_0.05', (row) => applyTopP(row, 0.05)],
    [
      'chain',
      (row, tokens) => {
        applyRepetitionPenalty(row, tokens, 1.2);
        applyTemperature(row, 0.8);
        applyTopK(row, 20);
        applyTopP(row, 0.8);
      },
    ],
  ];
  for (const [name, apply] of cases)
    it(`${name}: every row as transformers`, async () => {
      const g = await recorded();
      let filtered = 0;
      for (let r = 0; r < g.rows; r++) {
        const row = g.row(r);
        apply(row, g.tokens(r));
        expectScores(row, g.expected(name, r), `${name} row ${r}`);
        filtered += row.filter((x) => x === -Infinity).length;
      }
      // the warpers that filter did filter something (the recorded cases are not no-ops)
      if (/top_k_(1|5)$|top_p|chain/.test(name)) expect(filtered).toBeGreaterThan(0);
    });

  it('the processors at their neutral values change nothing', async () => {
    const g = await recorded();
    const row = g.row(0);
    const before = Float32Array.from(row);
    applyRepetitionPenalty(row, g.tokens(0), 1);
    applyTemperature(row, 1);
    applyTopK(row, 0);
    applyTopK(row, g.v);
    applyTopP(row, 1);
    expect(Array.from(row)).toEqual(Array.from(before));
  });

  it('softmax and log-softmax of a row agree with a float64 reference', () => {
    const row = Float32Array.of(1, -2, 0.5, -Infinity, 3);
    const m = 3;
    const z = [1, -2, 0.5, 3].reduce((s, x) => s + Math.exp(x - m), 0);
    const ref = Array.from(row, (x) => Math.exp(x - m) / z);
    assertClose(softmax(row), Float32Array.from(ref), 'softmax', { atol: 1e-7, rtol: 1e-6 });
    const lsm = logSoftmax(row);
    expect(lsm[3]).toBe(-Infinity);
    assertClose(lsm.filter(Number.isFinite), Float32Array.from(ref.filter((p) => p > 0).map(Math.log)), 'log-softmax', { atol: 1e-6, rtol: 1e-6 });
  });
});
